"""The operators' guide, call by call, through the sandbox (issue 9, "Done when", backend part):
a GBV case with consent is referred to the right partner and notified once even when the first
publish fails; without consent nothing is referred; a non-supervisor cannot block; a prank call is
classified and opens no case.  Chain payloads and answers are asserted exactly."""

from __future__ import annotations

import json

from functions.logic.chain import verify_chain
from tests.integration.support import GUIDE_CONTACT, guide_event, load_event

NOTE = "Husband threatens her; she called from +48 601 234 567, wants shelter in Warsaw"


def _records(backend, chain_id: str) -> list[dict]:
    records = [r for r in backend.dump_tables()["Interactions"] if r["chain_id"] == chain_id]
    return sorted(records, key=lambda r: r["seq"])


def _caller(backend) -> str:
    return backend.invoke("identify_caller", load_event("identify_caller"))["caller_id"]


def _screen(backend, caller_id: str, **params: str) -> dict:
    values = {
        "caller_id": caller_id,
        "case_id": "none",
        "language": "uk",
        "topic": "protection",
        "needs_codes": "SV-VA",
        "region": "mazowieckie",
        "urgency": "urgent",
        "consent": "true",
        "note": NOTE,
    }
    return backend.invoke("save_screening", guide_event(**{**values, **params}))


def _refer(backend, case_id: str, **params: str) -> dict:
    values = {"case_id": case_id, "needs_codes": "SV-VA", "consent": "true", "region": "mazowieckie", "language": "uk"}
    return backend.invoke("route_referral", guide_event(**{**values, **params}))


def test_a_gbv_case_with_consent_is_referred_and_notified_once_although_the_first_publish_fails(backend):
    caller_id = _caller(backend)
    screening = _screen(backend, caller_id)
    case_id = screening["case_id"]
    assert screening == {
        "status": "ok",
        "case_id": case_id,
        "language": "uk",  # the language the case was saved in (looked up when the guide had none)
        "needs_codes": "SV-VA",
        "consent": "true",
        "urgent": "true",
        "suggested_partner_ids": "pl-gbv-safe",  # SV family partner; the others do not serve SV
        "suggested_partner_names": "Safe Space GBV",
    }
    backend.inject_failure("PutEvents", service="events", error="InternalException", times=1)
    referral = _refer(backend, case_id, partner_ids="pl-gbv-safe")
    (ref,) = referral["referral_refs"].split(",")
    assert referral == {
        "status": "ok",
        "referred": "1",
        "partner_ids": "pl-gbv-safe",
        "referral_refs": ref,
        "urgent": "true",
        "reason": "",
        "queued": "true",
    }
    (first,) = backend.pump_streams()  # the first publish fails: raised for the stream's retry
    assert type(first).__name__ == "DeliveryFailed" and backend.published_events == []
    (message,) = backend.dump_tables()["Outbox"]
    assert message["status"] == "pending" and message["pending"] == "pending" and message["attempts"] == 1
    assert backend.pump_streams() == [{"status": "ok", "delivered": "1", "skipped": "0"}]
    assert backend.pump_streams() == [] and backend.run_schedule()["delivered"] == "0"  # nothing left
    (event,) = backend.published_events  # exactly once
    referral_id = backend.dump_tables()["Referrals"][0]["referral_id"]
    detail = json.loads(event["Detail"])
    assert detail == {
        "referral_id": referral_id,
        "referral_ref": ref,
        "case_id": case_id,
        "partner_id": "pl-gbv-safe",
        "needs_codes": ["SV-VA"],
        "urgent": True,
        "language": "uk",
        "region": "mazowieckie",
        "country": "pl",
        "created_at": detail["created_at"],
    }
    assert (event["Source"], event["DetailType"]) == ("helpline.referrals", "Referral Created")
    chain = _records(backend, f"case#{case_id}")
    assert [(r["record_type"], r["payload"]) for r in chain] == [
        (
            "case_created",
            {
                "topic": "protection",
                "language": "uk",
                "priority": "normal",
                "needs_codes": "",
                "consent": "false",
                "channel_note": "",
            },
        ),
        (
            "screening_saved",
            {
                "needs_codes": "SV-VA",
                "region": "mazowieckie",
                "urgency": "urgent",
                "consent": "true",
                "note_present": "true",
            },
        ),
        ("consent_recorded", {"consent": "true"}),
        (
            "referral_created",
            {
                "referral_id": referral_id,
                "referral_ref": ref,
                "partner_id": "pl-gbv-safe",
                "needs_codes": "SV-VA",
                "urgent": "true",
            },
        ),
    ]
    assert verify_chain(chain) == []
    (case,) = backend.dump_tables()["Cases"]
    assert case["note"] == NOTE and case["status"] == "referred" and case["priority"] == "urgent"
    assert all(r["expires_at"] == case["expires_at"] for r in chain)
    assert backend.dump_tables()["PartnerLoads"] == [{"partner_id": "pl-gbv-safe", "open_referrals": 1}]


def test_the_note_is_stored_on_the_case_only(backend):
    caller_id = _caller(backend)
    case_id = _screen(backend, caller_id)["case_id"]
    _refer(backend, case_id)
    backend.pump_streams()
    tables = backend.dump_tables()
    (case,) = tables["Cases"]
    assert case["note"] == NOTE
    elsewhere = json.dumps({k: v for k, v in tables.items() if k != "Cases"}) + json.dumps(backend.published_events)
    logs = "\n".join(backend.logs)
    for fragment in ("Husband", "shelter", "601 234 567"):
        assert fragment not in elsewhere and fragment not in logs
    keys = {k for r in tables["Interactions"] for k in r["payload"]}
    assert "note" not in keys and "note_present" in keys


def test_without_consent_nothing_is_referred(backend):
    caller_id = _caller(backend)
    screening = _screen(backend, caller_id, consent="false")
    assert screening["consent"] == "false" and screening["suggested_partner_ids"] == "pl-gbv-safe"
    before = backend.dump_tables()
    answer = _refer(backend, screening["case_id"], consent="false")
    assert answer == {
        "status": "ok",
        "referred": "0",
        "partner_ids": "",
        "referral_refs": "",
        "urgent": "true",
        "reason": "no_consent",
        "queued": "false",
    }
    assert backend.dump_tables() == before
    assert before["Referrals"] == [] and before["Outbox"] == [] and before["PartnerLoads"] == []
    assert backend.pump_streams() == [] and backend.published_events == []
    chain = _records(backend, f"case#{screening['case_id']}")
    assert [r["record_type"] for r in chain] == ["case_created", "screening_saved"]  # consent unchanged: false


def test_a_block_by_a_non_supervisor_is_refused_and_writes_nothing(backend):
    caller_id = _caller(backend)
    agent = backend.add_agent("agent-0001", supervisor=False)
    before = backend.dump_tables()
    backend.reset_calls()
    answer = backend.invoke("block_caller", guide_event(caller_id=caller_id, hours="24", agent_arn=agent))
    assert answer == {"status": "forbidden", "blocked_until": ""}
    assert backend.dump_tables() == before
    assert [(c.service, c.operation, c.params) for c in backend.calls] == [
        ("connect", "DescribeUser", {"InstanceId": "9e2b2a1c-4b7f-4a8e-8d3c-0f1e2d3c4b5a", "UserId": "agent-0001"})
    ]
    unknown = agent.replace("agent-0001", "nobody-0001")  # Connect answers ResourceNotFoundException
    assert (
        backend.invoke("block_caller", guide_event(caller_id=caller_id, hours="24", agent_arn=unknown))["status"]
        == "forbidden"
    )
    other_instance = backend.add_agent("super-0001", supervisor=True).replace("9e2b2a1c", "00000000")
    assert (
        backend.invoke("block_caller", guide_event(caller_id=caller_id, hours="24", agent_arn=other_instance))["status"]
        == "forbidden"
    )
    assert backend.dump_tables() == before
    assert backend.invoke("identify_caller", load_event("identify_caller"))["blocked"] == "false"


def test_a_supervisor_blocks_a_caller_and_the_block_is_chained(backend):
    caller_id = _caller(backend)
    case_id = backend.invoke("create_case", load_event("create_case"))["case_id"]
    supervisor = backend.add_agent("super-0001", supervisor=True)
    answer = backend.invoke("block_caller", guide_event(caller_id=caller_id, hours="48", agent_arn=supervisor))
    assert answer["status"] == "ok"
    assert backend.invoke("identify_caller", load_event("identify_caller"))["blocked"] == "true"
    payload = {"hours": "48", "blocked_until": answer["blocked_until"], "agent_id": "super-0001"}
    (contact_record,) = _records(backend, f"contact#{GUIDE_CONTACT}")
    assert contact_record["record_type"] == "caller_blocked"
    assert contact_record["payload"] == {**payload, "case_id": case_id}
    case_chain = _records(backend, f"case#{case_id}")
    assert [(r["record_type"], r["payload"]) for r in case_chain[1:]] == [("caller_blocked", payload)]
    assert caller_id not in json.dumps(contact_record) + json.dumps(case_chain)  # no pseudonym in records
    context = backend.invoke("get_caller_context", guide_event(caller_id=caller_id, case_id=""))
    assert context["blocked"] == "true" and context["blocked_until"] == answer["blocked_until"]


def test_a_prank_call_is_classified_and_opens_no_case(backend):
    answer = backend.invoke("classify_call", guide_event(call_type="Prank", case_id="none"))
    assert answer == {"status": "ok", "call_type": "prank"}
    tables = backend.dump_tables()
    assert tables["Cases"] == [] and tables["Callers"] == []
    (record,) = tables["Interactions"]
    assert record["chain_id"] == f"contact#{GUIDE_CONTACT}" and record["seq"] == 1
    assert record["record_type"] == "call_classified" and record["payload"] == {"call_type": "prank", "case_id": ""}
    assert record["actor"] == "operator" and verify_chain([record]) == []


def test_classifying_a_call_with_a_case_writes_both_chains(backend):
    backend.invoke("record_contact_event", load_event("contact_event_initiated"))  # contact chain seq 1
    case_id = backend.invoke("create_case", load_event("create_case"))["case_id"]
    assert backend.invoke("classify_call", guide_event(call_type="abusive", case_id=case_id))["status"] == "ok"
    contact = _records(backend, f"contact#{GUIDE_CONTACT}")
    assert [r["record_type"] for r in contact] == ["contact_initiated", "call_classified"]
    assert contact[1]["expires_at"] == contact[0]["expires_at"] and verify_chain(contact) == []
    chain = _records(backend, f"case#{case_id}")
    assert [(r["record_type"], r["payload"]) for r in chain][1:] == [
        ("call_classified", {"call_type": "abusive", "case_id": case_id})
    ]
    assert backend.dump_tables()["Cases"][0]["call_type"] == "abusive"


def test_the_caller_context_shows_the_open_case_and_its_last_interactions(backend):
    caller_id = _caller(backend)
    empty = backend.invoke("get_caller_context", guide_event(caller_id=caller_id, case_id="none", topic="legal"))
    keys = "status returning case_id case_status case_priority needs_codes consent last_interactions blocked"
    path = {"language": "", "language_name": "", "topic": "legal", "priority": "", "callback": ""}
    assert empty == {**dict.fromkeys(keys.split(), ""), "blocked_until": ""} | path | {
        "status": "ok",
        "returning": "false",
        "consent": "false",
        "blocked": "false",
    }  # every key, always: the flow reads $.External.<key>
    case_id = backend.invoke("create_case", load_event("create_case"))["case_id"]
    for call_type in ("silent", "prank", "abusive", "wrong_number", "information", "real"):
        backend.invoke("classify_call", guide_event(call_type=call_type, case_id=case_id))
    later = guide_event(contact_id="later-contact-0001", caller_id=caller_id, case_id="")
    context = backend.invoke("get_caller_context", later)
    day = backend.dump_tables()["Cases"][0]["created_at"][:10]
    assert context == dict.fromkeys(("language", "language_name", "topic", "priority", "callback"), "") | {
        "status": "ok",
        "returning": "true",
        "case_id": case_id,
        "case_status": "open",
        "case_priority": "urgent",
        "needs_codes": "LP-ND,SM-CC",
        "consent": "true",
        "last_interactions": "; ".join([f"{day} call_classified"] * 5),  # 7 records: the newest 5 (a test below
        # checks their order)
        "blocked": "false",
        "blocked_until": "",
    }


def test_closing_the_case_closes_its_referrals_and_gives_capacity_back(backend):
    case_id = _screen(backend, _caller(backend))["case_id"]
    _refer(backend, case_id)
    follow = backend.invoke("record_outcome", guide_event(case_id=case_id, outcome="referred", follow_up="true"))
    assert follow == {"status": "ok", "case_status": "referred"}
    assert backend.dump_tables()["PartnerLoads"] == [{"partner_id": "pl-gbv-safe", "open_referrals": 1}]
    closed = backend.invoke(
        "record_outcome",
        guide_event(case_id=case_id, outcome="resolved", follow_up="false", callback_requested="false"),
    )
    assert closed == {"status": "ok", "case_status": "closed"}
    tables = backend.dump_tables()
    assert tables["PartnerLoads"] == [{"partner_id": "pl-gbv-safe", "open_referrals": 0}]
    (referral,) = tables["Referrals"]
    assert referral["status"] == "closed"
    chain = _records(backend, f"case#{case_id}")
    assert [(r["record_type"], r["payload"]) for r in chain[-3:]] == [
        (
            "outcome_recorded",
            {"outcome": "referred", "follow_up": "true", "callback_requested": "false", "status": "referred"},
        ),
        (
            "outcome_recorded",
            {"outcome": "resolved", "follow_up": "false", "callback_requested": "false", "status": "closed"},
        ),
        ("referral_closed", {"referral_id": referral["referral_id"], "partner_id": "pl-gbv-safe"}),
    ]
    assert verify_chain(chain) == []
    later = {"case_id": case_id, "needs_codes": "SV-VA", "consent": "true", "region": "mazowieckie", "language": "uk"}
    answer = backend.invoke("route_referral", guide_event(contact_id="later-contact-0001", **later))
    assert answer["status"] == "case_closed" and len(backend.dump_tables()["Referrals"]) == 1


def test_the_last_interactions_are_newest_first(backend):
    from functions.dal.models import Interaction

    case_id = backend.invoke("create_case", load_event("create_case"))["case_id"]
    backend.invoke("classify_call", guide_event(call_type="silent", case_id=case_id))
    first = Interaction.get(f"case#{case_id}", 1)
    first.update(actions=[Interaction.occurred_at.set("2026-01-02T10:00:00.000000Z")])  # an older day
    context = backend.invoke("get_caller_context", guide_event(case_id=case_id))
    day = backend.dump_tables()["Cases"][0]["created_at"][:10]
    assert context["last_interactions"] == f"{day} call_classified; 2026-01-02 case_created"


VOICE_CONTACT = "0f4c8a1e-2b7d-4e55-9a61-3c2e7b9d4f10"


def _linked(**params: str) -> dict:
    """A guide event from the chat contact related to the call ``VOICE_CONTACT``."""
    event = guide_event(**params)
    event["Details"]["ContactData"]["RelatedContactId"] = VOICE_CONTACT
    return event


def test_the_guides_records_name_the_voice_contact_they_belong_to(backend):
    """The guide runs as a chat contact; each record it appends carries the call's ContactId
    (RelatedContactId) as voice_contact_id, so an auditor finds the recording and contact record."""
    call = load_event("identify_caller")
    call["Details"]["ContactData"]["ContactId"] = VOICE_CONTACT  # the call the guide belongs to
    caller_id = backend.invoke("identify_caller", call)["caller_id"]
    screening = {"caller_id": caller_id, "case_id": "none", "language": "uk", "topic": "protection"}
    screening |= {"needs_codes": "SV-VA", "region": "mazowieckie", "consent": "true", "note": NOTE}
    case_id = backend.invoke("save_screening", _linked(**screening))["case_id"]
    referral = {"case_id": case_id, "needs_codes": "SV-VA", "consent": "true", "region": "mazowieckie"}
    assert backend.invoke("route_referral", _linked(**referral, language="uk"))["referred"] == "1"
    assert backend.invoke("classify_call", _linked(call_type="real", case_id=case_id))["status"] == "ok"
    outcome = _linked(case_id=case_id, outcome="resolved", follow_up="false", callback_requested="false")
    assert backend.invoke("record_outcome", outcome)["case_status"] == "closed"
    supervisor = backend.add_agent("super-0002", supervisor=True)
    blocked = backend.invoke("block_caller", _linked(caller_id=caller_id, hours="1", agent_arn=supervisor))
    assert blocked["status"] == "ok"
    case_chain, contact_chain = _records(backend, f"case#{case_id}"), _records(backend, f"contact#{GUIDE_CONTACT}")
    assert [r["record_type"] for r in case_chain] == [
        "case_created",
        "screening_saved",
        "consent_recorded",
        "referral_created",
        "call_classified",
        "outcome_recorded",
        "referral_closed",
    ]
    assert [r["record_type"] for r in contact_chain] == ["call_classified", "caller_blocked"]
    for record in case_chain + contact_chain:
        assert record["contact_id"] == GUIDE_CONTACT and record["payload"]["voice_contact_id"] == VOICE_CONTACT
    assert verify_chain(case_chain) == [] and verify_chain(contact_chain) == []


def test_without_a_related_contact_no_voice_contact_id_is_written(backend):
    for related in ("", None):
        event = guide_event(call_type="prank", case_id="none")
        event["Details"]["ContactData"]["RelatedContactId"] = related
        assert backend.invoke("classify_call", event) == {"status": "ok", "call_type": "prank"}
    event = guide_event(call_type="silent", case_id="none")
    event["Details"]["ContactData"].pop("RelatedContactId", None)
    assert backend.invoke("classify_call", event)["status"] == "ok"
    chain = _records(backend, f"contact#{GUIDE_CONTACT}")
    assert [r["payload"] for r in chain] == [
        {"call_type": "prank", "case_id": ""},  # the replay ("" then null: same contact, same parameters)
        {"call_type": "silent", "case_id": ""},
    ]


def test_a_malformed_related_contact_id_is_an_invalid_event_and_writes_nothing(backend):
    event = guide_event(call_type="prank", case_id="none")
    event["Details"]["ContactData"]["RelatedContactId"] = "not a contact id"
    assert backend.invoke("classify_call", event)["status"] == "invalid_event"
    assert backend.dump_tables()["Interactions"] == []


def test_the_guide_contact_needs_nothing_but_the_link_to_its_call(backend):
    """ShowView's chat contact carries only what the docs promise (RelatedContactId): with no
    caller, case or language parameter and no contact attribute, the guide's Lambdas find the
    caller and the case through the call's ContactLinks item and the call's language through
    GetContactAttributes; a block reaches the call's caller."""
    call = load_event("identify_caller")
    caller_id = backend.invoke("identify_caller", call)["caller_id"]
    voice = call["Details"]["ContactData"]["ContactId"]
    report = load_event("create_case")
    report["Details"]["ContactData"]["ContactId"] = voice
    case_id = backend.invoke("create_case", report)["case_id"]
    backend.connect_contacts[voice] = {"language": "uk", "language_name": "українська", "topic": "legal"}

    def related(**params: str) -> dict:
        event = guide_event(**params)
        event["Details"]["ContactData"]["RelatedContactId"] = voice
        return event

    context = backend.invoke("get_caller_context", related())
    assert (context["case_id"], context["language"], context["topic"]) == (case_id, "uk", "legal")
    screened = backend.invoke("save_screening", related(case_id="", language="", needs_codes="SV", consent="true"))
    assert (screened["status"], screened["case_id"], screened["language"]) == ("ok", case_id, "uk")
    arn = backend.add_agent("super-9", supervisor=True)
    blocked = backend.invoke("block_caller", related(hours="2", agent_arn=arn))
    assert blocked["status"] == "ok"
    caller = next(c for c in backend.dump_tables()["Callers"] if c["caller_id"] == caller_id)
    assert caller.get("blocked_until")
    # a guide whose call has no identified caller (withheld number): nothing to block
    other = guide_event(hours="2", agent_arn=arn)
    other["Details"]["ContactData"]["RelatedContactId"] = "0f4c8a1e-2b7d-4e55-9a61-3c2e7b9d4f10"
    assert backend.invoke("block_caller", other)["status"] == "no_caller"
