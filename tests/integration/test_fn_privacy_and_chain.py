"""No phone number stored or logged; interaction chains detect tampering, deletion, reordering."""

from __future__ import annotations

import copy
import json
import re

from functions.logic.chain import compute_hash, verify_chain
from tests.integration.support import CONTACT_EVENT_FIXTURES, PHONE, load_event, with_params

FORMATS = ["+48 601 234 567", "0048601234567", "+48-601-234-567", PHONE]


def _forms(number: str) -> list[str]:
    digits = re.sub(r"\D", "", number)
    return [number, digits, digits[2:], "601 234 567", "601-234-567"]


def test_no_phone_number_in_items_or_logs(backend, capsys):
    for i, fmt in enumerate(FORMATS):
        contact = f"pii-contact-{i:04d}"
        for name in ("identify_caller", "create_case", "record_survey_answer"):
            event = load_event(name)
            event["Details"]["ContactData"]["ContactId"] = contact
            event["Details"]["ContactData"]["CustomerEndpoint"]["Address"] = fmt
            backend.invoke(name, event)
        case_id = backend.dump_tables()["Cases"][-1]["case_id"]
        referral = with_params(load_event("route_referral"), case_id=case_id)
        referral["Details"]["ContactData"]["ContactId"] = contact
        backend.invoke("route_referral", referral)
    # a failing call and an invalid one also log
    backend.inject_failure("GetItem")
    backend.invoke("identify_caller", load_event("identify_caller"))
    backend.clear_failures()
    backend.invoke("create_case", with_params(load_event("create_case"), channel_note="call +48601234567"))
    for name in CONTACT_EVENT_FIXTURES:
        backend.invoke("record_contact_event", load_event(name))

    stored = json.dumps(backend.dump_tables())
    logs = "\n".join(backend.logs) + capsys.readouterr().out
    events = json.dumps(backend.published_events)
    assert backend.logs, "log capture is not working"
    for form in _forms(PHONE):
        assert form not in stored, f"{form!r} stored"
        assert form not in logs, f"{form!r} logged"
        assert form not in events, f"{form!r} published"


def _records(backend) -> list[dict]:
    for name in CONTACT_EVENT_FIXTURES:
        backend.invoke("record_contact_event", load_event(name))
    records = [r for r in backend.dump_tables()["Interactions"] if r["chain_id"].startswith("contact#")]
    return sorted(records, key=lambda r: r["seq"])


def test_chain_detects_tamper_delete_reorder(backend):
    records = _records(backend)
    assert len(records) == 4 and verify_chain(records) == []

    tampered = copy.deepcopy(records)
    tampered[1]["payload"]["queue_id"] = "another-queue"
    assert [f.kind for f in verify_chain(tampered)] == ["tampered"]

    rehashed = copy.deepcopy(tampered)  # attacker also recomputes the record's own hash
    rehashed[1]["record_hash"] = compute_hash(rehashed[1])
    assert "broken_link" in {f.kind for f in verify_chain(rehashed)}

    deleted = records[:1] + records[2:]
    kinds = {f.kind for f in verify_chain(deleted)}
    assert "gap" in kinds and "broken_link" in kinds
    assert "gap" in {f.kind for f in verify_chain(records[1:])}  # first record deleted

    reordered = [records[0], records[2], records[1], records[3]]
    assert "reordered" in {f.kind for f in verify_chain(reordered)}

    assert "truncated" in {f.kind for f in verify_chain(records[:3], expected_head=(4, records[3]["record_hash"]))}
    assert verify_chain(records, expected_head=(4, records[3]["record_hash"])) == []


def test_chain_verifies_pynamodb_records_and_case_chain(backend):
    from functions.dal import repository

    case_id = backend.invoke("create_case", load_event("create_case"))["case_id"]
    chain = repository.chain_records(f"case#{case_id}")
    assert len(chain) == 1 and verify_chain(chain) == []
    _records(backend)
    contact_chain = repository.chain_records("contact#5ca32fbd-8f92-46af-92a5-6b0f970f0efe")
    assert verify_chain(contact_chain) == []
    contact_chain[2].payload["agent_id"] = "someone-else"
    assert [f.kind for f in verify_chain(contact_chain)] == ["tampered"]
