"""Happy path of every handler through the sandbox (real entry points, moto)."""

from __future__ import annotations

import json
import re
import time

import pytest

from functions.logic.chain import verify_chain
from tests.integration.support import CONTACT_EVENT_FIXTURES, load_event, with_contact, with_params

FLOW_KEYS = {
    "identify_caller": {"status", "caller_id", "returning", "preferred_language", "open_case_id", "blocked"},
    "create_case": {"status", "case_id", "created", "appended"},
    "route_referral": {"status", "referred", "partner_ids", "referral_refs", "urgent", "reason", "queued"},
    "record_survey_answer": {"status"},
}


def _flat_strings(response: dict) -> None:
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in response.items()), response


def test_identify_new_then_returning(backend):
    first = backend.invoke("identify_caller", load_event("identify_caller"))
    _flat_strings(first)
    assert FLOW_KEYS["identify_caller"] <= first.keys()
    assert first["status"] == "ok" and first["returning"] == "false" and first["blocked"] == "false"
    assert len(first["caller_id"]) == 64 and first["preferred_language"] == "uk"
    created = backend.invoke("create_case", load_event("create_case"))
    again = backend.invoke("identify_caller", with_contact(load_event("identify_caller"), "second-contact-0001"))
    assert again["returning"] == "true"
    assert again["caller_id"] == first["caller_id"]
    assert again["open_case_id"] == created["case_id"]


def test_identify_blocked_and_expired_block(backend):
    from datetime import UTC, datetime, timedelta

    from functions.dal.models import Caller

    caller_id = backend.invoke("identify_caller", load_event("identify_caller"))["caller_id"]
    Caller(caller_id).update(actions=[Caller.blocked_until.set(datetime.now(UTC) + timedelta(hours=1))])
    assert backend.invoke("identify_caller", load_event("identify_caller"))["blocked"] == "true"
    Caller(caller_id).update(actions=[Caller.blocked_until.set(datetime.now(UTC) - timedelta(seconds=1))])
    assert backend.invoke("identify_caller", load_event("identify_caller"))["blocked"] == "false"


def test_identify_withheld_number(backend):
    event = load_event("identify_caller")
    event["Details"]["ContactData"]["CustomerEndpoint"] = {"Address": "anonymous", "Type": "TELEPHONE_NUMBER"}
    response = backend.invoke("identify_caller", event)
    assert response["status"] == "no_caller_id" and response["caller_id"] == ""
    assert backend.dump_tables()["Callers"] == []


def test_create_case_writes_case_first_record_and_pointer(backend):
    response = backend.invoke("create_case", load_event("create_case"))
    _flat_strings(response)
    assert response == {"status": "ok", "case_id": response["case_id"], "created": "true", "appended": "false"}
    assert re.fullmatch(r"PL-[A-Z2-7]{12}", response["case_id"])
    tables = backend.dump_tables()
    (case,) = tables["Cases"]
    assert case["priority"] == "urgent"  # SM-CC is an urgent code
    assert case["needs_codes"] == ["LP-ND", "SM-CC"] and case["consent"] is True
    assert case["status"] == "open" and case["topic"] == "legal" and case["language"] == "uk"
    assert case["contact_id"] == "5ca32fbd-8f92-46af-92a5-6b0f970f0efe" and case["country"] == "pl"
    (record,) = tables["Interactions"]
    assert record["chain_id"] == f"case#{response['case_id']}" and record["seq"] == 1
    assert record["record_type"] == "case_created" and record["payload"]["consent"] == "true"
    assert record["expires_at"] == case["expires_at"]
    assert verify_chain(tables["Interactions"]) == []
    # the case carries its chain head and the contact that wrote each record
    assert case["chain_seq"] == 1 and case["chain_head"] == record["record_hash"]
    assert case["contact_seqs"] == {case["contact_id"]: "1"}
    assert case["last_contact_id"] == case["contact_id"] and case["last_contact_at"] == case["created_at"]
    (caller,) = tables["Callers"]
    assert caller["open_case_id"] == response["case_id"]
    assert caller["caller_id"] == case["caller_id"] and len(caller["caller_id"]) == 64


def test_route_referral_prefers_specific_partner_and_notifies(backend, case_id):
    event = with_params(load_event("route_referral"), case_id=case_id)
    response = backend.invoke("route_referral", event)
    _flat_strings(response)
    assert FLOW_KEYS["route_referral"] == response.keys()
    assert response["status"] == "ok" and response["referred"] == "2" and response["urgent"] == "true"
    # SM-CC goes to the SM-CC specialist (regional) rather than the generic SM partner
    assert response["partner_ids"].split(",") == ["pl-med-critical", "pl-legal-aid"]
    tables = backend.dump_tables()
    assert {r["partner_id"] for r in tables["Referrals"]} == {"pl-med-critical", "pl-legal-aid"}
    (case,) = tables["Cases"]
    assert case["status"] == "referred" and case["priority"] == "urgent"
    loads = {p["partner_id"]: p["open_referrals"] for p in tables["PartnerLoads"]}
    assert loads == {"pl-med-critical": 1, "pl-legal-aid": 1}  # open referrals per partner
    assert backend.published_events == []
    backend.pump_streams()  # the Outbox stream triggers deliver_outbox
    assert len(backend.published_events) == 2
    for entry in backend.published_events:
        assert entry["Source"] == "helpline.referrals" and entry["EventBusName"] == backend.env["EVENT_BUS_NAME"]
        detail = json.loads(entry["Detail"])
        assert {"referral_id", "case_id", "partner_id", "needs_codes"} <= detail.keys()


def test_route_referral_without_consent_writes_nothing(backend, case_id):
    event = with_params(load_event("route_referral"), case_id=case_id, consent="false", needs_codes="SV")
    before = backend.dump_tables()
    response = backend.invoke("route_referral", event)
    assert response["status"] == "ok" and response["referred"] == "0" and response["reason"] == "no_consent"
    assert backend.dump_tables() == before  # the needs are saved by save_screening, not here
    assert backend.pump_streams() == [] and backend.published_events == []


def test_route_referral_respects_language_region_and_capacity(backend, case_id):
    event = with_params(load_event("route_referral"), case_id=case_id, needs_codes="SC-UC", region="pomorskie")
    assert backend.invoke("route_referral", event)["reason"] == "no_partner"
    first = with_params(load_event("route_referral"), case_id=case_id, needs_codes="SC-UC")
    assert backend.invoke("route_referral", first)["partner_ids"] == "pl-child-protect"
    # capacity 1 is now used up: a different contact finds no partner
    second = with_contact(first, "other-contact-0002")
    assert backend.invoke("route_referral", second)["reason"] == "no_partner"


def test_route_referral_unknown_case(backend):
    event = with_params(load_event("route_referral"), case_id="PL-AAAAAAAAAAAA")
    response = backend.invoke("route_referral", event)
    assert response["status"] == "case_not_found"
    assert backend.dump_tables()["Referrals"] == []


def test_record_contact_events_build_an_intact_chain(backend):
    for name in CONTACT_EVENT_FIXTURES:
        assert backend.invoke("record_contact_event", load_event(name))["status"] == "ok"
    records = backend.dump_tables()["Interactions"]
    records.sort(key=lambda r: r["seq"])
    assert [r["record_type"] for r in records] == [
        "contact_initiated",
        "contact_queued",
        "contact_connected_to_agent",
        "contact_disconnected",
    ]
    assert len({r["expires_at"] for r in records}) == 1
    assert verify_chain(records) == []


def test_record_contact_event_ignores_other_types(backend):
    response = backend.invoke("record_contact_event", load_event("contact_event_connected_to_system"))
    assert response["status"] == "ignored"
    tables = backend.dump_tables()
    assert backend.item_count() == len(tables["Partners"]) + len(tables["PartnerServices"])  # only the seeding


def test_record_survey_answer(backend):
    response = backend.invoke("record_survey_answer", load_event("record_survey_answer"))
    assert response["status"] == "ok" and response["recorded"] == "true"
    (item,) = backend.dump_tables()["SurveyResponses"]
    assert item["answer"] == "3" and item["item_key"] == "csat-2026#q1"


def test_sandboxes_are_isolated():
    from helpline.sandbox import local_backend
    from tests.integration.support import partners

    with local_backend(partners(), country="pl") as b1:
        b1.invoke("create_case", load_event("create_case"))
        caller1 = b1.invoke("identify_caller", load_event("identify_caller"))["caller_id"]
        assert len(b1.dump_tables()["Cases"]) == 1
    with local_backend(partners(), country="ro", retention={"cases": 30}) as b2:
        assert b2.dump_tables()["Cases"] == []
        response = b2.invoke("create_case", load_event("create_case"))
        assert response["case_id"].startswith("RO-")
        caller2 = b2.invoke("identify_caller", load_event("identify_caller"))["caller_id"]
        assert caller2 != caller1  # new secret per sandbox: the secret cache did not leak
        case = b2.dump_tables()["Cases"][0]
        assert abs(case["expires_at"] - (time.time() + 30 * 86400)) < 60  # RETENTION_DAYS_CASES=30


@pytest.mark.parametrize(
    ("kind", "keys", "stored"),
    [("yes_no", "1", "yes"), ("yes_no", "2", "no"), ("choice", "4", "4"), ("number", "07", "7"),
     ("number", "*", "prefer_not"), ("choice", "no_answer", "no_answer")],
)  # fmt: skip
def test_record_survey_answer_keys(backend, kind, keys, stored):
    """The survey flow passes the caller's keys and the question's kind; the language is stored."""
    event = with_params(load_event("record_survey_answer"), answer=keys, kind=kind, choices="4", max_digits="2",
                        language="uk")  # fmt: skip
    response = backend.invoke("record_survey_answer", event)
    assert response == {"status": "ok", "recorded": "true"}
    (item,) = backend.dump_tables()["SurveyResponses"]
    assert item["answer"] == stored and item["language"] == "uk"


@pytest.mark.parametrize(("kind", "keys"), [("yes_no", "3"), ("choice", "5"), ("choice", "12"), ("number", "123")])
def test_record_survey_answer_wrong_keys(backend, kind, keys):
    event = with_params(load_event("record_survey_answer"), answer=keys, kind=kind, choices="4", max_digits="2")
    response = backend.invoke("record_survey_answer", event)
    assert response["status"] == "invalid_parameter" and response["error_field"] == "answer"
    assert backend.dump_tables()["SurveyResponses"] == []


def _emf(capsys) -> str:
    return "\n".join(line for line in capsys.readouterr().out.splitlines() if "CloudWatchMetrics" in line)


def test_dashboard_metrics_abandoned_calls_and_survey_answers(backend, capsys):
    """The dashboard's abandoned calls (queued, disconnected, never with an agent) and survey
    completion (answered / not answered) are counted by the handlers (Helpline namespace)."""
    event = load_event("contact_event_disconnected")
    answered = backend.invoke("record_contact_event", event)
    assert answered["status"] == "ok" and "CallAbandonedInQueue" not in _emf(capsys)  # it had an agent
    event = json.loads(json.dumps(event))
    event["id"], event["detail"]["agentInfo"] = "another-delivery-0001", None
    event["detail"]["contactId"] = "abandoned-contact-0001"
    assert backend.invoke("record_contact_event", event)["status"] == "ok"
    assert '"CallAbandonedInQueue":[1.0]' in _emf(capsys)
    backend.invoke("record_survey_answer", with_params(load_event("record_survey_answer"), answer="*", kind="choice"))
    assert '"SurveyNotAnswered":[1.0]' in _emf(capsys)
    event = with_contact(with_params(load_event("record_survey_answer"), answer="2", kind="choice"), "other-contact-2")
    backend.invoke("record_survey_answer", event)
    assert '"SurveyAnswered":[1.0]' in _emf(capsys)
