"""The sandbox's persistent state (``local_backend(state_dir=...)``) and its fake network."""

from __future__ import annotations

import json
import os
import re
import stat

import pytest

from functions.logic.chain import verify_chain
from helpline.sandbox import SandboxStateError, local_backend
from helpline.state_folder import SECRET_FILE
from tests.integration.support import PHONE, load_event, partners, with_contact, with_params

TABLES = (
    "Callers",
    "Cases",
    "Interactions",
    "Referrals",
    "Partners",
    "PartnerServices",
    "PartnerLoads",
    "Outbox",
    "SurveyResponses",
    "Idempotency",
    "SurveyCampaigns",
    "SurveyCampaignContacts",
    "SurveyOptOuts",
    "ContactLinks",
)


def _lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_consecutive_sandboxes_share_callers_and_cases(tmp_path):
    with local_backend(partners(), country="pl", state_dir=tmp_path) as b:
        first = b.invoke("identify_caller", load_event("identify_caller"))
        created = b.invoke("create_case", load_event("create_case"))
        b.invoke("route_referral", with_params(load_event("route_referral"), case_id=created["case_id"]))
    names = {p.name for p in tmp_path.iterdir()}
    assert {SECRET_FILE, *(f"{t}.jsonl" for t in TABLES)} <= names
    assert all(n.startswith("audit-") for n in names - {SECRET_FILE, *(f"{t}.jsonl" for t in TABLES)})

    with local_backend(partners(), country="pl", state_dir=tmp_path) as b:
        again = b.invoke("identify_caller", with_contact(load_event("identify_caller"), "next-contact-0001"))
        assert again["caller_id"] == first["caller_id"]  # the same pseudonym: the key persisted
        assert again["returning"] == "true" and again["open_case_id"] == created["case_id"]
        appended = b.invoke("create_case", with_contact(load_event("create_case"), "next-contact-0001"))
        assert appended["case_id"] == created["case_id"] and appended["appended"] == "true"
        tables = b.dump_tables()
        loads = {p["partner_id"]: p["open_referrals"] for p in tables["PartnerLoads"]}
    assert loads == {"pl-med-critical": 1, "pl-legal-aid": 1}  # open-referral counters kept
    records = [r for r in tables["Interactions"] if r["chain_id"] == f"case#{created['case_id']}"]
    records.sort(key=lambda r: r["seq"])
    assert verify_chain(records) == []
    assert [r["record_type"] for r in records] == [
        "case_created",
        "referral_created",
        "referral_created",
        "contact_added",
    ]
    assert len(tables["Referrals"]) == 2 and len(tables["Cases"]) == 1


def test_state_files_are_dynamodb_json_lines_without_phone_numbers(tmp_path):
    with local_backend(partners(), country="pl", state_dir=tmp_path) as b:
        b.invoke("create_case", load_event("create_case"))
        b.invoke("create_case", with_contact(load_event("create_case"), "next-contact-0001"))
    (case,) = _lines(tmp_path / "Cases.jsonl")
    assert case["case_id"]["S"].startswith("PL-") and case["chain_seq"] == {"N": "2"}
    assert case["contact_seqs"]["M"]["next-contact-0001"] == {"S": "2"}
    assert case["consent"] == {"BOOL": True} and case["needs_codes"]["L"][0] == {"S": "LP-ND"}
    records = _lines(tmp_path / "Interactions.jsonl")
    assert [r["seq"] for r in records] == [{"N": "1"}, {"N": "2"}]  # sorted by key
    everything = "".join(p.read_text() for p in tmp_path.iterdir())
    for form in (PHONE, PHONE[1:], "601234567", "601 234 567"):
        assert form not in everything
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary files left


def test_the_hash_key_is_private_and_stable(tmp_path):
    with local_backend(partners(), country="pl", state_dir=tmp_path) as b:
        caller = b.invoke("identify_caller", load_event("identify_caller"))["caller_id"]
    key_file = tmp_path / SECRET_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_text().strip()
    assert re.fullmatch(r"[0-9a-f]{64}", key)
    os.chmod(key_file, 0o644)
    with local_backend(partners(), country="pl", state_dir=tmp_path) as b:
        assert b.invoke("identify_caller", load_event("identify_caller"))["caller_id"] == caller
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600  # tightened again
    assert key_file.read_text().strip() == key


def test_without_state_every_sandbox_starts_empty(tmp_path):
    with local_backend(partners(), country="pl", state_dir=tmp_path) as b:
        b.invoke("create_case", load_event("create_case"))
    with local_backend(partners(), country="pl") as b:
        assert b.dump_tables()["Cases"] == []
    assert len(_lines(tmp_path / "Cases.jsonl")) == 1  # and the state folder was not touched


def test_the_partner_directory_comes_from_the_country_file(tmp_path):
    with local_backend(partners(), country="pl", state_dir=tmp_path) as b:
        created = b.invoke("create_case", load_event("create_case"))
        b.invoke("route_referral", with_params(load_event("route_referral"), case_id=created["case_id"]))
    changed = [dict(p, capacity=p["capacity"] + 5) for p in partners() if p["id"] != "pl-legal-aid"]
    with local_backend(changed, country="pl", state_dir=tmp_path) as b:
        stored = {p["partner_id"]: p for p in b.dump_tables()["Partners"]}
        services = {(s["service_code"], s["partner_id"]) for s in b.dump_tables()["PartnerServices"]}
        loads = {p["partner_id"]: p["open_referrals"] for p in b.dump_tables()["PartnerLoads"]}
        again = b.invoke("route_referral", with_params(load_event("route_referral"), case_id=created["case_id"]))
    assert "pl-legal-aid" not in stored  # removed from the country file: gone
    assert ("LP-ND", "pl-legal-aid") not in services and ("SM-CC", "pl-med-critical") in services
    original = {p["id"]: p["capacity"] for p in partners()}
    assert stored["pl-med-critical"]["capacity"] == original["pl-med-critical"] + 5
    assert loads["pl-med-critical"] == 1  # the open referral still counts
    assert again["reason"] == "replay"


def test_state_is_written_even_when_the_body_fails(tmp_path):
    with (
        pytest.raises(RuntimeError, match="scenario failed"),
        local_backend(partners(), country="pl", state_dir=tmp_path) as b,
    ):
        b.invoke("create_case", load_event("create_case"))
        raise RuntimeError("scenario failed")
    assert len(_lines(tmp_path / "Cases.jsonl")) == 1


def test_a_failed_save_keeps_the_previous_file(tmp_path, monkeypatch):
    with local_backend(partners(), country="pl", state_dir=tmp_path) as b:
        b.invoke("create_case", load_event("create_case"))
    before = (tmp_path / "Cases.jsonl").read_text()

    def broken_replace(src, dst):
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"), local_backend(partners(), country="pl", state_dir=tmp_path) as b:
        b.invoke("create_case", with_contact(load_event("create_case"), "next-contact-0001"))
        monkeypatch.setattr(os, "replace", broken_replace)
    monkeypatch.undo()
    assert (tmp_path / "Cases.jsonl").read_text() == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_fail_dynamodb_with_state_keeps_the_state(tmp_path):
    with local_backend(partners(), country="pl", state_dir=tmp_path) as b:
        b.invoke("create_case", load_event("create_case"))
    with local_backend(partners(), country="pl", state_dir=tmp_path, fail_dynamodb=True) as b:
        event = with_contact(load_event("create_case"), "next-contact-0001")
        assert b.invoke("create_case", event)["status"] == "backend_unavailable"
    (case,) = _lines(tmp_path / "Cases.jsonl")
    assert case["chain_seq"] == {"N": "1"}


@pytest.mark.parametrize(
    ("content", "line", "reason"),
    [
        ('{"case_id": {"S": "PL-AAAAAAAAAAAA"}}\nnot json\n', 2, "Expecting value"),
        ("[1, 2]\n", 1, "one JSON object"),
        ('{"country": {"S": "pl"}}\n', 1, "key attribute 'case_id'"),
        ('{"case_id": {"N": "1"}}\n', 1, "key attribute 'case_id'"),
        ('{"case_id": {"S": "PL-A"}, "chain_seq": {"N": "two"}}\n', 1, "not a number"),
        ('{"case_id": {"S": "PL-A"}, "consent": {"BOOL": "yes"}}\n', 1, "wrong JSON type"),
        ('{"case_id": {"S": "PL-A"}, "country": "pl"}\n', 1, "DynamoDB JSON value"),
        ('{"case_id": {"S": "PL-A"}, "x": {"Q": "1"}}\n', 1, "unknown DynamoDB type"),
        ('{"case_id": {"S": "PL-A"}}\n\n{"case_id": {"S": "PL-A"}}\n', 3, "duplicate key"),
    ],
)
def test_a_corrupt_state_file_is_one_clear_error_naming_file_and_line(tmp_path, content, line, reason):
    (tmp_path / "Cases.jsonl").write_text(content)
    with pytest.raises(SandboxStateError) as excinfo, local_backend(partners(), country="pl", state_dir=tmp_path):
        pytest.fail("the sandbox must not start")
    message = str(excinfo.value)
    assert message.startswith(f"{tmp_path / 'Cases.jsonl'}:{line}: ") and reason in message, message
    assert excinfo.value.__cause__ is None and excinfo.value.__suppress_context__
    with local_backend(partners(), country="pl") as b:  # no sandbox was left active
        assert b.dump_tables()["Cases"] == []


def test_an_item_dynamodb_rejects_names_its_line(tmp_path):
    item = {"chain_id": {"S": "case#X"}, "seq": {"N": "1"}, "payload": {"SS": []}}  # empty sets are invalid
    (tmp_path / "Interactions.jsonl").write_text(json.dumps(item) + "\n")
    with (
        pytest.raises(SandboxStateError, match=r"Interactions\.jsonl:1: DynamoDB rejected the item"),
        local_backend(partners(), country="pl", state_dir=tmp_path),
    ):
        pytest.fail("the sandbox must not be usable")


def test_a_short_hash_key_is_rejected(tmp_path):
    (tmp_path / SECRET_FILE).write_text("short\n")
    with (
        pytest.raises(SandboxStateError, match=f"{SECRET_FILE}:1: the hash key must be at least 32"),
        local_backend(partners(), country="pl", state_dir=tmp_path),
    ):
        pass


def test_the_state_folder_must_be_a_folder(tmp_path):
    target = tmp_path / "state"
    target.write_text("")
    with pytest.raises(SandboxStateError, match="is a file"), local_backend(partners(), country="pl", state_dir=target):
        pass
