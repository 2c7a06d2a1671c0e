"""``helpline erase`` on a state folder written by real simulated calls: nothing of the caller is
left (pseudonym, note, survey answers), other callers are untouched, the tombstone verifies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from functions.logic.common import sha256_hex
from helpline.cli import app
from helpline.config import load_country
from helpline.flows.simulate import backend_for
from tests.integration.support import load_event, with_contact

runner = CliRunner()
DAY = "2026-03-02T10:30"
CALLER, OTHER = "+48600700900", "+48600700901"
NOTE = "Olena, two children, lives at Kwiatowa 5"


def _run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.stdout + result.stderr
    return result.stdout


def _items(state: Path, table: str) -> list[dict]:
    return [json.loads(line) for line in (state / f"{table}.jsonl").read_text().splitlines() if line]


def _everything(state: Path) -> str:
    return "".join(p.read_text(errors="replace") for p in sorted(state.rglob("*")) if p.is_file())


@pytest.fixture
def state(tmp_path) -> Path:
    folder = tmp_path / "state"
    for caller in (CALLER, CALLER, OTHER):
        _run("call", "pl", "--lang", "uk", "--press", "-", "2", "--at", DAY, "--caller", caller, "--state", str(folder))
    cases = {c["caller_id"]["S"]: c for c in _items(folder, "Cases")}
    assert len(cases) == 2
    # the operator's screening note and a post-call survey answer of each contact of both cases
    with backend_for(load_country("pl"), state_dir=folder) as backend:
        ddb = backend._client("dynamodb")
        for case in cases.values():
            ddb.update_item(
                TableName=backend.env["CASES_TABLE"],
                Key={"case_id": case["case_id"]},
                UpdateExpression="SET note = :n",
                ExpressionAttributeValues={":n": {"S": NOTE}},
            )
            for contact in case["contact_seqs"]["M"]:
                answer = backend.invoke(
                    "record_survey_answer", with_contact(load_event("record_survey_answer"), contact)
                )
                assert answer["status"] == "ok", answer
    return folder


def _pseudonym(state: Path, number: str) -> str:
    from helpline.audit.sources import pseudonym_for

    return pseudonym_for(number, (state / "caller-hash-key.secret").read_text().strip())


def test_erase_removes_the_caller_everywhere_and_the_tombstone_verifies(state):
    pseudonym, other = _pseudonym(state, CALLER), _pseudonym(state, OTHER)
    (case,) = [c for c in _items(state, "Cases") if c["caller_id"]["S"] == pseudonym]
    contacts = set(case["contact_seqs"]["M"])
    assert len(contacts) == 2 and pseudonym in _everything(state) and NOTE in _everything(state)
    surveys_before = len(_items(state, "SurveyResponses"))

    out = _run("erase", "--caller", CALLER, "--state", str(state), "--actor", "dpo@example.org")
    assert "1 caller item, 2 field(s) on 1 case(s)" in out and "1 tombstone record(s)" in out

    everything = _everything(state)
    assert pseudonym not in everything and CALLER not in everything and CALLER[1:] not in everything
    assert everything.count(NOTE) == 1  # only the other caller's case keeps its note
    assert other in everything
    keys = {s["response_key"]["S"] for s in _items(state, "SurveyResponses")}
    assert not keys & {sha256_hex(f"survey:{c}") for c in contacts}
    assert len(_items(state, "SurveyResponses")) < surveys_before and keys  # the other caller's answers stay
    chain = sorted(
        (r for r in _items(state, "Interactions") if r["chain_id"]["S"] == f"case#{case['case_id']['S']}"),
        key=lambda r: int(r["seq"]["N"]),
    )
    tomb = chain[-1]
    assert [int(r["seq"]["N"]) for r in chain] == [1, 2, 3] and tomb["record_type"]["S"] == "erased"
    assert {k: v["S"] for k, v in tomb["payload"]["M"].items()} == {
        "callers_removed": "1",
        "fields_removed": "2",
        "survey_answers_removed": "2",
    }
    assert tomb["actor"]["S"] == "dpo@example.org"
    (after,) = [c for c in _items(state, "Cases") if c["case_id"] == case["case_id"]]
    assert "caller_id" not in after and "note" not in after and after["chain_seq"] == {"N": "3"}
    assert after["chain_head"] == tomb["record_hash"]
    result = runner.invoke(app, ["audit", "verify", "--state", str(state), "--format", "json"])
    assert result.exit_code == 0, result.stdout
    checkpoints = (state / "audit-checkpoints.jsonl").read_text().splitlines()
    heads = json.loads(checkpoints[-1])["checkpoint"]["heads"]
    assert heads[f"case#{case['case_id']['S']}"] == [3, tomb["record_hash"]["S"]]  # signed at once


def test_erase_by_pseudonym_is_idempotent_and_leaves_the_next_call_a_new_caller(state):
    pseudonym = _pseudonym(state, CALLER)
    assert "erased caller" in _run("erase", "--pseudonym", pseudonym, "--state", str(state))
    assert "no data of this caller" in _run("erase", "--pseudonym", pseudonym, "--state", str(state))
    out = _run(
        "call", "pl", "--lang", "uk", "--press", "-", "2", "--at", DAY, "--caller", CALLER, "--state", str(state)
    )
    assert "returning=false" in out
    assert runner.invoke(app, ["audit", "verify", "--state", str(state)]).exit_code == 0


def test_erase_refuses_bad_input(state):
    for args, message in (
        ([], "give exactly one of --caller"),
        (["--caller", CALLER, "--pseudonym", "a" * 64], "give exactly one of --caller"),
        (["--pseudonym", "xyz"], "--pseudonym must be 64"),
    ):
        result = runner.invoke(app, ["erase", *args, "--state", str(state)])
        assert result.exit_code == 2 and message in result.stderr
    result = runner.invoke(app, ["erase", "--caller", "not-a-number", "--state", str(state)])
    assert result.exit_code == 2 and "is not an E.164 phone number" in result.stderr


OPERATOR = """\
agent: operator-1
supervisor: false
screens:
  context-view: ActionSelected
  calltype-view: {action: Next, data: {call_type: real}}
  needs-view: {action: Next, data: {need: SV}}
  screening-view:
    action: Next
    data: {region: mazowieckie, urgency: urgent, consent: true, note: "NOTE"}
  referral-view: ActionSelected
  referral-done-view: Next
  closing-view: {action: Next, data: {outcome: referred, follow_up: true, callback_requested: false}}
  failed-view: ActionSelected
  guide-done: Next
"""


def test_a_caller_screened_and_referred_through_the_operators_guide_is_erased_and_the_chains_verify(tmp_path):
    folder, script = tmp_path / "state", tmp_path / "operator.yaml"
    script.write_text(OPERATOR.replace("NOTE", NOTE))
    call = ["call", "pl", "--lang", "uk", "--press", "-", "0", "--at", DAY, "--caller", CALLER]
    _run(*call, "--operator", str(script), "--state", str(folder), "--no-tables")
    types = [r["record_type"]["S"] for r in _items(folder, "Interactions")]
    assert {"screening_saved", "consent_recorded", "referral_created", "outcome_recorded"} <= set(types)
    assert NOTE in (folder / "Cases.jsonl").read_text() and len(_items(folder, "Referrals")) == 1
    pseudonym = _pseudonym(folder, CALLER)
    assert runner.invoke(app, ["audit", "verify", "--state", str(folder)]).exit_code == 0

    out = _run("erase", "--caller", CALLER, "--state", str(folder))
    assert "1 tombstone record(s) appended" in out and "Amazon Connect" not in out  # no Connect behind a folder
    everything = _everything(folder)
    assert pseudonym not in everything and NOTE not in everything
    assert len(_items(folder, "Referrals")) == 1  # the referral stays, with no way back to the caller
    result = runner.invoke(app, ["audit", "verify", "--state", str(folder), "--format", "json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["records"] == len(types) + 1


SURVEY = "1 1 2 3#"  # take part, helped yes, satisfied, household 3


@pytest.fixture
def surveyed(tmp_path) -> Path:
    """One caller, three calls to an operator (no case: the Callers item keeps only the first and the
    last contact), each with the post-call survey (3 answers each)."""
    folder = tmp_path / "state"
    for day in ("2026-03-02T10:30", "2026-03-03T11:00", "2026-03-04T12:15"):
        call = ["call", "pl", "--lang", "uk", "--press", "-", "0", "--at", day, "--caller", CALLER]
        _run(*call, "--survey", SURVEY, "--state", str(folder), "--no-tables")
    assert len(_items(folder, "SurveyResponses")) == 9 and len(_items(folder, "ContactLinks")) == 3
    return folder


def _tables(state: Path) -> dict[str, str]:
    return {p.stem: p.read_text() for p in sorted(state.glob("*.jsonl")) if p.name != "audit-checkpoints.jsonl"}


def test_three_calls_with_surveys_then_erase_leaves_nothing_of_the_caller_in_any_table(surveyed):
    pseudonym = _pseudonym(surveyed, CALLER)
    contacts = sorted(link["contact_id"]["S"] for link in _items(surveyed, "ContactLinks"))
    before = _tables(surveyed)

    dry = _run("erase", "--caller", CALLER, "--state", str(surveyed), "--dry-run")
    assert "dry run, nothing changed: would erase" in dry and "9 survey answer(s), 3 contact link(s)" in dry
    assert f"contacts (3): {', '.join(contacts)}" in dry
    assert _tables(surveyed) == before  # nothing changed

    out = _run("erase", "--caller", CALLER, "--state", str(surveyed))
    assert "9 survey answer(s), 3 contact link(s)" in out and f"contacts (3): {', '.join(contacts)}" in out
    tables = _tables(surveyed)
    holding = {name for name, text in tables.items() if pseudonym in text}
    assert holding == set(), f"the pseudonym is still in {holding}"
    for contact in contacts:  # a contact id stays only where it is hashed into the case chain
        assert {name for name, text in tables.items() if contact in text} <= {"Interactions", "Cases"}, contact
    assert tables["SurveyResponses"] == tables["ContactLinks"] == tables["Callers"] == ""
    again = _run("erase", "--caller", CALLER, "--state", str(surveyed), "--dry-run")
    assert "no data of this caller" in again
