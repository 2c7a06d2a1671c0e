"""``helpline survey-campaign start|status|pause|resume|opt-out --format text|json``: the JSON document holds
the facts of the text line, never a whole number; exit 0 done, 1 refused, 2 bad input (a ``--state`` folder)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from helpline.cli import app

runner = CliRunner()
PEOPLE = ("+48600700801", "+48600700802", "+48600700801")  # one person twice


def _cli(*args: object, code: int = 0):
    result = runner.invoke(app, ["survey-campaign", *(str(a) for a in args)])
    assert result.exit_code == code, result.output
    for number in PEOPLE:
        assert number[3:] not in result.output  # a number only ever masked
    return result


def _list(tmp_path: Path) -> Path:
    path = tmp_path / "people.csv"
    path.write_text("phone,language,consent\n" + "".join(f"{n},uk,hotline call 2026-03-01\n" for n in PEOPLE))
    return path


def _json(*args: object, code: int = 0) -> dict:
    return json.loads(_cli(*args, "--format", "json", code=code).stdout)  # one document, nothing else on stdout


def test_start_prints_the_same_counts_in_text_and_json(tmp_path):
    text = _cli("start", "pl", "--campaign", "c-text", "--list", _list(tmp_path), "--state", tmp_path / "a").stdout
    report = _json("start", "pl", "--campaign", "c-json", "--list", _list(tmp_path), "--state", tmp_path / "b")
    assert report["source"] == f"state folder {tmp_path / 'b'}" and report["campaign_id"] == "c-json"
    assert (report["loaded"], report["duplicates"], report["opted_out_skipped"]) == (2, 1, 0)
    started = f"(survey {report['survey_id']}) started: {report['loaded']} to call, {report['duplicates']} duplicate"
    assert started in text and f"{report['opted_out_skipped']} on the opt-out list skipped" in text
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", report["list_expires_at"])
    assert report["list_expires_at"][:10] in text


@pytest.fixture
def state(tmp_path) -> Path:
    folder = tmp_path / "state"
    _cli("start", "pl", "--campaign", "c-1", "--list", _list(tmp_path), "--state", folder)
    return folder


def test_status_json_holds_the_text_facts_and_an_unknown_campaign_exits_1(state):
    text = _cli("status", "pl", "--campaign", "c-1", "--state", state).stdout
    report = _json("status", "pl", "--campaign", "c-1", "--state", state)
    assert report["source"] == f"state folder {state}" and report["counts"]["pending"] == 2
    assert (
        f"campaign c-1 (survey {report['survey_id']}): {report['status']}, {report['contacts_loaded']} loaded" in text
    )
    assert f"the list expires {report['list_expires_at']}" in text
    for name, count in report["counts"].items():
        assert f"  {name:<10} {count}\n" in text
    missing = _cli("status", "pl", "--campaign", "c-9", "--state", state, "--format", "json", code=1)
    assert missing.stdout == "" and "no campaign c-9" in missing.stderr


def test_pause_and_resume_say_in_json_what_changed(state):
    assert _json("pause", "pl", "--campaign", "c-1", "--state", state) == {
        "source": f"state folder {state}",
        "campaign_id": "c-1",
        "status": "paused",
        "previous": "active",
        "changed": True,
    }
    again = _json("pause", "pl", "--campaign", "c-1", "--state", state)
    assert (
        again["changed"] is False
        and "is already paused" in _cli("pause", "pl", "--campaign", "c-1", "--state", state).stdout
    )
    assert _json("resume", "pl", "--campaign", "c-1", "--state", state)["status"] == "active"
    assert _cli("resume", "pl", "--campaign", "c-2", "--state", state, "--format", "json", code=1).stdout == ""


def test_opt_out_json_masks_the_number_and_counts_the_lists(state):
    report = _json("opt-out", "pl", "--caller", PEOPLE[0], "--state", state)
    assert report == {
        "source": f"state folder {state}",
        "caller": "+48******801",
        "added": True,
        "pending_lists_left": 1,
    }
    text = _cli("opt-out", "pl", "--caller", PEOPLE[0], "--state", state).stdout
    assert "+48******801 was already on the survey opt-out list; taken off 0 pending list(s)" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["status", "pl", "--campaign", "c-1", "--format", "table"], "Invalid value for '--format'"),
        (["status", "zz", "--campaign", "c-1"], "zz"),
        (["pause", "pl", "--campaign", "C 1"], "--campaign 'C 1'"),
        (["opt-out", "pl", "--caller", "600 700"], "--caller is not an E.164 phone number"),
        (["resume", "pl", "--campaign", "c-1", "--stack", "x"], "give exactly one of --state DIR or --stack NAME"),
    ],
)
def test_bad_input_exits_2_with_one_line(state, args, message):
    result = _cli(*args, "--state", state, code=2)
    assert message in result.stderr and result.stdout == "" and "Traceback" not in result.output


def test_a_bad_list_is_exit_2_and_nothing_on_stdout(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("phone,language,consent\nnot a number,uk,ok\n")
    result = _cli(
        "start", "pl", "--campaign", "c-1", "--list", bad, "--state", tmp_path / "s", "--format", "json", code=2
    )
    assert result.stdout == "" and "line 2: phone is not an E.164 number" in result.stderr
