"""Behaviour whose silent change would harm callers, partners or auditors (found by mutation testing):
consent, idempotency, capacity, retention (TTL), exact answers to the flows, timeouts of every client."""

from __future__ import annotations

import hashlib
import json
import time

import pytest

from tests.integration.support import load_event, with_contact, with_params

DAY = 86400


def _near(epoch: int, seconds_from_now: float, slack: float = 120) -> bool:
    return abs(epoch - (time.time() + seconds_from_now)) < slack


# --- route_referral ------------------------------------------------------------------------------


def _referral(case_id: str, **params: str) -> dict:
    return with_params(load_event("route_referral"), case_id=case_id, **params)


def test_a_referral_answers_and_stores_exactly(backend, case_id):
    response = backend.invoke("route_referral", _referral(case_id))
    refs = response["referral_refs"].split(",")
    assert response == {
        "status": "ok",
        "referred": "2",
        "partner_ids": "pl-med-critical,pl-legal-aid",
        "referral_refs": ",".join(refs),
        "urgent": "true",
        "reason": "",
        "queued": "true",
    }
    assert backend.published_events == []  # the notifications wait in the outbox...
    assert backend.pump_streams() == [{"status": "ok", "delivered": "2", "skipped": "0"}]  # ...for deliver_outbox
    tables = backend.dump_tables()
    (case,) = tables["Cases"]
    assert case["consent"] is True and case["status"] == "referred"
    assert case["referral_sets"] == {"5ca32fbd-8f92-46af-92a5-6b0f970f0efe": "pl-med-critical,pl-legal-aid"}
    referrals = {r["partner_id"]: r for r in tables["Referrals"]}
    critical, legal = referrals["pl-med-critical"], referrals["pl-legal-aid"]
    assert critical["needs_codes"] == ["SM-CC"] and critical["urgent"] is True and critical["consent"] is True
    assert legal["needs_codes"] == ["LP-ND"] and legal["urgent"] is False
    for r in referrals.values():
        assert r["case_id"] == case_id and r["status"] == "pending" and r["contact_id"] == case["contact_id"]
        assert r["region"] == "mazowieckie" and r["language"] == "uk"
        assert r["referral_id"].startswith("R-") and len(r["referral_id"]) == 18
        assert r["expires_at"] == case["expires_at"]  # a referral expires with its case
        assert r["referral_ref"] == refs[["pl-med-critical", "pl-legal-aid"].index(r["partner_id"])]
        assert r["referral_ref"] == f"{r['referral_id'][2:5]}-{r['referral_id'][5:8]}"
        fields = {
            k: r[k] for k in ("case_id", "referral_id", "partner_id", "contact_id", "needs_codes", "consent", "urgent")
        }
        fields.update(region=r["region"], language=r["language"], created_at=r["created_at"].replace("+0000", "Z"))
        canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"))
        assert r["record_hash"] == hashlib.sha256(canonical.encode()).hexdigest()  # tamper evidence
    details = [json.loads(e["Detail"]) for e in backend.published_events]
    assert {d["partner_id"] for d in details} == {"pl-med-critical", "pl-legal-aid"}
    for d in details:
        assert d["case_id"] == case_id and d["country"] == "pl" and d["region"] == "mazowieckie"
        assert d["urgent"] is (d["partner_id"] == "pl-med-critical")
        assert "+48" not in json.dumps(d)


@pytest.mark.parametrize(
    ("params", "reason", "urgent"),
    [({"consent": "false"}, "no_consent", "true"), ({"needs_codes": ""}, "no_needs", "false")],
)
def test_without_consent_or_needs_nothing_is_referred(backend, case_id, params, reason, urgent):
    before = backend.dump_tables()
    response = backend.invoke("route_referral", _referral(case_id, **params))
    assert response == {
        "status": "ok",
        "referred": "0",
        "partner_ids": "",
        "referral_refs": "",
        "urgent": urgent,
        "reason": reason,
        "queued": "false",
    }
    assert backend.dump_tables() == before  # nothing written: no referral, no outbox, no counter
    assert backend.pump_streams() == [] and backend.published_events == []


def test_consent_withdrawn_later_is_recorded_on_the_case(backend, case_id):
    screening = with_params(
        load_event("route_referral"), case_id=case_id, language="uk", needs_codes="LP", consent="false"
    )
    backend.invoke("save_screening", screening)
    assert backend.dump_tables()["Cases"][0]["consent"] is False


def test_no_partner_answer(backend, case_id):
    before = backend.dump_tables()
    response = backend.invoke("route_referral", _referral(case_id, needs_codes="SC-UC", region="pomorskie"))
    assert response == {
        "status": "ok",
        "referred": "0",
        "partner_ids": "",
        "referral_refs": "",
        "urgent": "true",
        "reason": "no_partner",
        "queued": "false",
    }
    assert backend.dump_tables() == before


def test_a_replay_answers_what_was_referred_even_when_a_new_selection_would_differ(backend, case_id):
    event = _referral(case_id, needs_codes="SC-UC")
    first = backend.invoke("route_referral", event)
    assert first["partner_ids"] == "pl-child-protect"  # capacity 1: now full
    replay = backend.invoke("route_referral", event)  # selecting again would find no partner
    assert replay == {**first, "reason": "replay"}
    backend.pump_streams()
    assert len(backend.dump_tables()["Referrals"]) == 1 and len(backend.published_events) == 1


def test_a_capacity_race_cancels_everything(backend, case_id, monkeypatch):
    """The partner list was read before another contact took the last place: nothing is written."""
    from functions.dal import repository
    from functions.dal.models import PartnerLoad

    original = repository.partners_with_loads

    def stale_read(ids):
        partners = original(ids)
        PartnerLoad("pl-child-protect").update(actions=[PartnerLoad.open_referrals.set(1)])  # capacity 1 taken
        return partners

    monkeypatch.setattr(repository, "partners_with_loads", stale_read)
    before = backend.dump_tables()
    response = backend.invoke("route_referral", _referral(case_id, needs_codes="SC-UC"))
    assert response["status"] == "capacity_conflict"
    after = backend.dump_tables()
    assert after["Referrals"] == [] and after["Outbox"] == [] and after["Cases"] == before["Cases"]
    assert after["Interactions"] == before["Interactions"]
    assert after["PartnerLoads"] == [{"partner_id": "pl-child-protect", "open_referrals": 1}]  # not 2


def test_an_urgent_replay_stays_urgent(backend, case_id):
    event = _referral(case_id, needs_codes="SV")
    first = backend.invoke("route_referral", event)
    assert first["urgent"] == "true"
    assert backend.invoke("route_referral", event)["urgent"] == "true"


# --- identify_caller -----------------------------------------------------------------------------


def test_identify_answers_exactly_and_sets_the_callers_retention(backend):
    response = backend.invoke("identify_caller", load_event("identify_caller"))
    assert response == {
        "status": "ok",
        "caller_id": response["caller_id"],
        "returning": "false",
        "preferred_language": "uk",
        "open_case_id": "",
        "has_open_case": "false",
        "blocked": "false",
    }
    tables = backend.dump_tables()
    (caller,) = tables["Callers"]
    assert _near(caller["expires_at"], 365 * DAY)
    assert caller["last_contact_id"] == caller["first_contact_id"] == "5ca32fbd-8f92-46af-92a5-6b0f970f0efe"
    assert caller["preferred_language"] == "uk"
    # the call's link (contact id -> pseudonym) is kept as long as Connect keeps the contact record
    (link,) = tables["ContactLinks"]
    assert link["contact_id"] == "5ca32fbd-8f92-46af-92a5-6b0f970f0efe"
    assert link["caller_id"] == response["caller_id"] and "case_id" not in link
    assert _near(link["expires_at"], 730 * DAY)


def test_identify_withheld_keeps_the_ivr_language(backend):
    event = with_params(load_event("identify_caller"), language="ru")
    event["Details"]["ContactData"]["CustomerEndpoint"] = None
    assert backend.invoke("identify_caller", event) == {
        "status": "no_caller_id",
        "caller_id": "",
        "returning": "false",
        "preferred_language": "ru",
        "open_case_id": "",
        "has_open_case": "false",
        "blocked": "false",
    }
    assert backend.dynamodb_calls() == []  # no caller, no link: nothing read or written
    event = with_params(event, language="")
    assert backend.invoke("identify_caller", event)["preferred_language"] == ""


def test_identify_uses_the_stored_language_when_the_ivr_gives_none(backend):
    backend.invoke("identify_caller", with_params(load_event("identify_caller"), language="ru"))
    again = with_contact(with_params(load_event("identify_caller"), language=""), "second-contact-0001")
    assert backend.invoke("identify_caller", again)["preferred_language"] == "ru"


def _tables_called(backend) -> list[tuple[str, str]]:
    """(operation, table) of every DynamoDB request, the table by its logical name."""
    from functions.dal.models import MODELS_BY_LOGICAL_NAME

    logical = {backend.env[m.TABLE_ENV]: name for name, m in MODELS_BY_LOGICAL_NAME.items()}
    return [(c.operation, logical.get(c.params.get("TableName"), "?")) for c in backend.dynamodb_calls()]


def test_identify_refreshes_a_stale_caller_once_a_day(backend):
    """The caller's item is written at most once a day; the call's link on every identified call."""
    from datetime import UTC, datetime, timedelta

    from functions.dal.models import Caller

    caller_id = backend.invoke("identify_caller", load_event("identify_caller"))["caller_id"]
    stale = datetime.now(UTC) - timedelta(hours=25)
    Caller(caller_id).update(actions=[Caller.last_contact_at.set(stale), Caller.expires_at.set(stale)])
    backend.reset_calls()
    backend.invoke("identify_caller", with_contact(load_event("identify_caller"), "later-contact-0001"))
    assert _tables_called(backend) == [
        ("GetItem", "Callers"),
        ("UpdateItem", "ContactLinks"),
        ("UpdateItem", "Callers"),
    ]
    (caller,) = backend.dump_tables()["Callers"]
    assert caller["last_contact_id"] == "later-contact-0001" and _near(caller["expires_at"], 365 * DAY)
    Caller(caller_id).update(actions=[Caller.last_contact_at.set(datetime.now(UTC) - timedelta(hours=23))])
    backend.reset_calls()
    backend.invoke("identify_caller", with_contact(load_event("identify_caller"), "later-contact-0002"))
    assert _tables_called(backend) == [("GetItem", "Callers"), ("UpdateItem", "ContactLinks")]
    assert sorted(link["contact_id"] for link in backend.dump_tables()["ContactLinks"]) == [
        "5ca32fbd-8f92-46af-92a5-6b0f970f0efe",
        "later-contact-0001",
        "later-contact-0002",
    ]


# --- create_case retention -----------------------------------------------------------------------


def test_create_case_sets_the_retention_of_case_chain_and_caller(backend):
    answer = backend.invoke("create_case", load_event("create_case"))
    backend.invoke("create_case", with_contact(load_event("create_case"), "second-contact-0001"))
    tables = backend.dump_tables()
    (case,) = tables["Cases"]
    assert case["case_id"] == answer["case_id"] and _near(case["expires_at"], 730 * DAY)
    assert {r["expires_at"] for r in tables["Interactions"]} == {case["expires_at"]}
    (caller,) = tables["Callers"]
    assert _near(caller["expires_at"], 365 * DAY) and caller["last_contact_id"] == "second-contact-0001"
    assert caller["preferred_language"] == "uk"


def test_create_case_keeps_a_preferred_language_chosen_before(backend):
    backend.invoke("identify_caller", with_params(load_event("identify_caller"), language="ru"))
    backend.invoke("create_case", load_event("create_case"))  # the report says "uk"
    assert backend.dump_tables()["Callers"][0]["preferred_language"] == "ru"


# --- record_survey_answer ------------------------------------------------------------------------


def test_a_survey_answer_expires_and_the_first_answer_wins(backend):
    assert backend.invoke("record_survey_answer", load_event("record_survey_answer")) == {
        "status": "ok",
        "recorded": "true",
    }
    second = with_params(load_event("record_survey_answer"), answer="1")
    assert backend.invoke("record_survey_answer", second) == {"status": "ok", "recorded": "false"}
    (item,) = backend.dump_tables()["SurveyResponses"]
    assert item["answer"] == "3" and _near(item["expires_at"], 180 * DAY)
    assert "caller_id" not in item and item["response_key"] != "5ca32fbd-8f92-46af-92a5-6b0f970f0efe"


# --- record_contact_event ------------------------------------------------------------------------


def test_a_contact_event_record_and_its_idempotency_marker(backend):
    event = load_event("contact_event_queued")
    response = backend.invoke("record_contact_event", event)
    assert response == {"status": "ok", "chain_id": "contact#5ca32fbd-8f92-46af-92a5-6b0f970f0efe", "seq": "1"}
    assert backend.invoke("record_contact_event", event) == {"status": "duplicate"}
    tables = backend.dump_tables()
    (record,) = tables["Interactions"]
    assert record["event_id"] == event["id"] and record["actor"] == "amazon_connect"
    assert record["record_type"] == "contact_queued" and record.get("case_id") is None
    assert record["payload"]["queue_id"] == "6f1b5c2e-1111-2222-3333-444455556666"
    assert record["payload"]["queue_type"] == "STANDARD" and record["payload"]["event_type"] == "QUEUED"
    assert record["payload"]["enqueue_timestamp"] == "2026-03-02T09:16:40.000000Z"
    assert record["payload"]["initiation_timestamp"] == "2026-03-02T09:15:01.120000Z"
    assert record["occurred_at"] == "2026-03-02T09:16:40.000000Z"
    (marker,) = tables["Idempotency"]
    assert marker["idempotency_key"] == f"event#{event['id']}" and marker["kind"] == "contact_event"
    assert _near(marker["expires_at"], 48 * 3600)
    ignored = load_event("contact_event_connected_to_system")
    assert backend.invoke("record_contact_event", ignored) == {"status": "ignored", "event_type": "CONNECTED_TO_SYSTEM"}


def test_a_contact_event_payload_names_agent_and_disconnect(backend):
    backend.invoke("record_contact_event", load_event("contact_event_connected_to_agent"))
    backend.invoke("record_contact_event", load_event("contact_event_disconnected"))
    records = sorted(backend.dump_tables()["Interactions"], key=lambda r: r["seq"])
    agent = records[0]["payload"]
    assert agent["agent_id"] == "0a1b2c3d-aaaa-bbbb-cccc-ddddeeeeffff"
    assert agent["connected_to_agent_timestamp"] == "2026-03-02T09:18:02.000000Z"
    assert records[1]["record_type"] == "contact_disconnected"
    assert "disconnect_timestamp" in records[1]["payload"]


# --- timeouts and retries of every client (Amazon Connect waits at most 8 s) ----------------------


def _config(client) -> tuple:
    config = client.meta.config
    return config.connect_timeout, config.read_timeout, config.retries["total_max_attempts"], config.retries["mode"]


def test_every_client_uses_the_configured_timeouts(backend, monkeypatch):
    from functions.caches import reset_all
    from functions.dal import clients, repository
    from functions.dal.models import ALL_MODELS

    backend.invoke("identify_caller", load_event("identify_caller"))
    ddb = repository._tx_connection().client
    assert _config(ddb) == (1, 2, 5, "standard")  # the defaults: DDB_CONNECT_TIMEOUT=1, READ=2, RETRIES=4
    assert all(m._get_connection().connection._client is ddb for m in ALL_MODELS)  # one shared client

    monkeypatch.setenv("DDB_CONNECT_TIMEOUT", "3")
    monkeypatch.setenv("DDB_READ_TIMEOUT", "4")
    monkeypatch.setenv("DDB_MAX_RETRIES", "2")
    reset_all()
    backend.invoke("identify_caller", load_event("identify_caller"))
    assert _config(repository._tx_connection().client) == (3, 4, 3, "standard")
    assert _config(clients.client("events")) == (3, 4, 3, "standard")
    assert _config(clients.client("connect")) == (3, 4, 3, "standard")
    assert _config(clients.client("kms")) == (3, 4, 3, "standard")  # GenerateMac: same budget
    monkeypatch.undo()
    reset_all()


def test_every_pseudonym_is_one_kms_request_and_nothing_is_cached(backend):
    """No map number -> pseudonym in a warm container (functions/logic/pseudonym.py): every call asks
    KMS again; no Secrets Manager secret is read."""
    for i in range(3):
        backend.invoke("identify_caller", with_contact(load_event("identify_caller"), f"contact-{i:04d}"))
    assert [c.operation for c in backend.calls if c.service == "kms"] == ["GenerateMac"] * 3
    assert not [c for c in backend.calls if c.service == "secretsmanager"]
    from functions.logic import pseudonym

    maps = [n for n, v in vars(pseudonym).items() if isinstance(v, dict) and v and not n.startswith("__")]
    assert maps == []  # no module-level map that could hold numbers


# --- more route_referral guards -------------------------------------------------------------------


def test_a_replay_answers_the_stored_partners_even_when_another_partner_would_be_chosen(backend, case_id):
    from functions.dal.models import PartnerLoad

    event = _referral(case_id)
    first = backend.invoke("route_referral", event)
    assert first["partner_ids"] == "pl-med-critical,pl-legal-aid"
    PartnerLoad("pl-med-critical").update(
        actions=[PartnerLoad.open_referrals.set(5)]
    )  # now full: pl-med-general would serve SM-CC
    replay = backend.invoke("route_referral", event)
    assert replay == {**first, "reason": "replay"}
    assert len(backend.dump_tables()["Referrals"]) == 2


def test_referral_ids_derive_from_case_partner_and_contact(backend, case_id):
    from functions.logic.common import referral_id_for

    backend.invoke("route_referral", _referral(case_id))
    contact = "5ca32fbd-8f92-46af-92a5-6b0f970f0efe"
    for r in backend.dump_tables()["Referrals"]:
        assert r["referral_id"] == referral_id_for(case_id, f"{r['partner_id']}:{contact}")


def test_without_consent_an_unknown_case_is_not_created(backend):
    response = backend.invoke("route_referral", _referral("PL-AAAAAAAAAAAA", consent="false"))
    assert response["status"] == "case_not_found"
    assert backend.dump_tables()["Cases"] == []


def test_without_consent_a_failed_read_is_backend_unavailable_not_case_not_found(backend, case_id):
    backend.inject_failure("GetItem", error="ThrottlingException")
    response = backend.invoke("route_referral", _referral(case_id, consent="false"))
    assert response["status"] == "backend_unavailable"


def test_partially_failed_notifications_stay_pending_and_are_retried(backend, case_id, monkeypatch):
    from functions.dal import clients
    from functions.logic import outbox

    class Events:
        def __init__(self):
            self.sent = []

        def put_events(self, Entries):  # noqa: N803 - botocore's parameter name
            self.sent.append([json.loads(e["Detail"])["partner_id"] for e in Entries])
            # EventBridge answers per entry: the first one rejected, the second accepted
            return {"FailedEntryCount": 1, "Entries": [{"ErrorCode": "InternalFailure"}, {"EventId": "e-2"}]}

    events = Events()
    monkeypatch.setattr(clients.client("events"), "put_events", events.put_events)
    response = backend.invoke("route_referral", _referral(case_id))
    assert response["status"] == "ok" and response["referred"] == "2" and response["queued"] == "true"
    (result,) = backend.pump_streams()
    assert isinstance(result, outbox.DeliveryFailed)  # raised: the stream retries the batch
    status = {json.loads(m["detail"])["partner_id"]: m["status"] for m in backend.dump_tables()["Outbox"]}
    assert status == {"pl-med-critical": "pending", "pl-legal-aid": "delivered"}
    monkeypatch.undo()
    assert backend.pump_streams() == [{"status": "ok", "delivered": "1", "skipped": "1"}]
    assert [json.loads(e["Detail"])["partner_id"] for e in backend.published_events] == ["pl-med-critical"]


# --- contact-event payloads, exactly ---------------------------------------------------------------

QUEUE = "6f1b5c2e-1111-2222-3333-444455556666"
AGENT = "0a1b2c3d-aaaa-bbbb-cccc-ddddeeeeffff"
CONTACT = "5ca32fbd-8f92-46af-92a5-6b0f970f0efe"
BASE = {
    "channel": "VOICE",
    "initiation_method": "INBOUND",
    "initial_contact_id": CONTACT,
    "previous_contact_id": CONTACT,
    "initiation_timestamp": "2026-03-02T09:15:01.120000Z",
}


def test_contact_event_payloads_are_exact(backend):
    for name in ("contact_event_initiated", "contact_event_disconnected"):
        backend.invoke("record_contact_event", load_event(name))
    initiated, disconnected = sorted(backend.dump_tables()["Interactions"], key=lambda r: r["seq"])
    assert initiated["payload"] == {**BASE, "event_type": "INITIATED"}
    assert disconnected["payload"] == {
        **BASE,
        "event_type": "DISCONNECTED",
        "queue_id": QUEUE,
        "queue_type": "STANDARD",
        "enqueue_timestamp": "2026-03-02T09:16:40.000000Z",
        "agent_id": AGENT,
        "connected_to_agent_timestamp": "2026-03-02T09:18:02.000000Z",
        "disconnect_timestamp": "2026-03-02T09:31:55.000000Z",
        "disconnect_reason": "CUSTOMER_DISCONNECT",
    }


def test_a_long_disconnect_reason_is_cut_to_64_characters(backend):
    event = load_event("contact_event_disconnected")
    event["detail"]["disconnectReason"] = "R" * 100
    event["detail"].pop("queueInfo")
    event["detail"]["channel"] = None
    backend.invoke("record_contact_event", event)
    (record,) = backend.dump_tables()["Interactions"]
    assert record["payload"]["disconnect_reason"] == "R" * 64
    assert record["payload"]["channel"] == "" and "queue_id" not in record["payload"]
