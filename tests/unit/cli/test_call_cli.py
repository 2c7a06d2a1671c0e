"""`helpline call`: --format json says what the text says (numbers masked alike), the default caller is a
number of the country called, --tables shows only the rows the call wrote or changed, exit 0 / 1 / 2."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from helpline.cli import app
from tests.flows.test_cli import OPERATOR_SCRIPT

runner = CliRunner()
DAY = "2026-03-02T10:30"  # Monday morning: every shipped country is open
SEEDED = ("Partners", "PartnerServices")  # the partner directory every sandbox starts with


def _call(*args, code: int = 0):
    result = runner.invoke(app, ["call", *map(str, args)])
    assert result.exit_code == code, result.output
    return result


# what differs from one run to the next: contact and case ids, referral references, pseudonyms, times
RUN_VALUES = re.compile(
    r"[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}|\b[A-Z]{2}-[A-Z0-9]{12}\b|\b[A-Z0-9]{3}-[A-Z0-9]{3}\b|[0-9a-f]{32,}"
    r"|\d{4}-\d\d-\d\dT[\d:.+Z]+|(?<=expires_at=)\d+"
)


def _stable(text: str) -> str:
    return RUN_VALUES.sub("<varies>", text)


def _tables(text: str) -> dict[str, int]:
    """'table Cases: 1 item(s) written or changed by this call' lines -> {table: count}."""
    lines = [line.split(" ", 2) for line in text.splitlines() if line.startswith("table ")]
    return {name.rstrip(":"): int(rest.split(" ", 1)[0]) for _, name, rest in lines}


def test_json_holds_every_fact_of_the_text_output(tmp_path):
    script = tmp_path / "operator.yaml"
    script.write_text(OPERATOR_SCRIPT, encoding="utf-8")
    args = ("pl", "--lang", "uk", "--at", DAY, "--operator", script, "--press", "-", "0", "--caller", "+48601234567")
    text = _call(*args).stdout
    data = json.loads(_call(*args, "--format", "json").stdout)
    assert f"Poland call at {DAY} from +48******567" in text and data["caller"] == "+48******567"
    shown = text.split("\n\noutcome:")[0].splitlines()[1:]  # the transcript, between the heading and the facts
    assert len(shown) == len(data["transcript"])
    for line, printed in zip(data["transcript"], shown, strict=True):
        assert _stable(line["line"]) == _stable(printed)
    assert [line["speaker"] for line in data["transcript"]].count("operator") >= 5
    assert f"outcome: {data['outcome_text']}" in text and data["outcome"] == "queue"
    assert f"safe end: {data['safe_end']}" in text and data["safe"] is True
    assert "attributes: " + ", ".join(f"{k}={v}" for k, v in data["attributes"].items()) in text
    steps = ", ".join(f"{s['screen']}:{s['action']}" for s in data["guide"]["steps"])
    assert f"guide (agent {data['guide']['agent']}): {steps}" in text
    assert {t: len(rows) for t, rows in data["tables"].items()} == _tables(text)
    assert data["tables"]["Referrals"] and data["tables"]["Cases"]
    case = data["tables"]["Cases"][0]
    assert case["note"].startswith("[note: ") and "lives with her aunt" not in json.dumps(data)  # by its length
    assert "601234567" not in text and "601234567" not in json.dumps(data)


@pytest.mark.parametrize(("country", "shown"), [("pl", "+48******200"), ("hu", "+36******200"), ("ro", "+40******200")])
def test_the_default_caller_is_a_made_up_number_of_the_country_called(country, shown):
    text = _call(country, "--lang", "uk", "--press", "-", "2", "--at", DAY, "--no-tables").stdout
    assert text.splitlines()[0].endswith(f"call at {DAY} from {shown}")


def test_tables_show_the_rows_this_call_wrote_not_seeded_ones_nor_earlier_calls(tmp_path):
    state = tmp_path / "state"
    base = ("ro", "--lang", "uk", "--press", "-", "2", "--at", DAY, "--state", state)
    first = _tables(_call(*base, "--caller", "+40700000001").stdout)
    assert first == {"Callers": 1, "Cases": 1, "Interactions": 1, "ContactLinks": 1}
    assert not set(SEEDED) & set(first)
    # another caller: the first caller's rows stay in the folder and are not shown again
    second = json.loads(_call(*base, "--caller", "+40700000002", "--format", "json").stdout)["tables"]
    assert {t: len(rows) for t, rows in second.items()} == first
    assert len({row["caller_id"] for row in second["Callers"]}) == 1
    # the first caller again: the rows this call changed (caller, case) and added (interaction, link)
    again = json.loads(_call(*base, "--caller", "+40700000001", "--format", "json").stdout)["tables"]
    assert {t: len(rows) for t, rows in again.items()} == first
    assert again["Interactions"][0]["seq"] == 2  # the case's second record; the first is not shown


def test_no_tables_leaves_them_out_of_both_forms():
    args = ("ro", "--lang", "uk", "--press", "-", "2", "--at", DAY, "--no-tables")
    assert "table " not in _call(*args).stdout
    assert json.loads(_call(*args, "--format", "json").stdout)["tables"] is None


def test_a_survey_call_never_prints_the_number_whole():
    args = ("pl", "--lang", "ru", "--at", DAY, "--outbound", "1 1 1 2 4# 3")
    text, as_json = _call(*args).stdout, _call(*args, "--format", "json").stdout
    data = json.loads(as_json)
    assert data["direction"] == "outbound" and data["caller"] == "+48******200"
    assert "survey call placed to +48******200" in data["transcript"][0]["line"]
    assert data["transcript"][0]["line"] in text
    assert "500100200" not in text and "500100200" not in as_json


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--at", "2026-13-02T10:30"], "--at '2026-13-02T10:30' is not a date and time like 2026-03-02T18:30"),
        (["--at", "tomorrow"], "--at 'tomorrow' is not a date and time like 2026-03-02T18:30"),
        (["--wait", "-5"], "--wait -5: seconds in the queue cannot be negative"),
    ],
)
def test_a_bad_option_value_is_one_line_exit_2(args, says):
    result = _call("pl", "--lang", "uk", "--press", "-", "2", *args, code=2)
    assert result.stderr.strip() == says and result.stdout == ""


def test_an_unreadable_state_folder_is_bad_input(tmp_path):
    state = tmp_path / "state"
    state.mkdir()
    (state / "Cases.jsonl").write_text("{not json\n", encoding="utf-8")
    result = _call("pl", "--lang", "uk", "--press", "-", "2", "--at", DAY, "--state", state, code=2)
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"--state: {state / 'Cases.jsonl'}:1: ") and "Traceback" not in result.output


def test_a_flow_file_walk_that_stops_exits_1_in_both_forms(tmp_path):
    path = tmp_path / "f.json"
    path.write_text("[]", encoding="utf-8")
    text = _call(path, code=1).stdout
    data = json.loads(_call(path, "--format", "json", code=1).stdout)
    assert data["outcome"].startswith("stopped") and f"outcome: {data['outcome']}" in text
    assert f"flows: {' -> '.join(data['flows']) or '-'}" in text


def test_a_flow_file_walk_that_ends_exits_0_with_json(tmp_path):
    path = tmp_path / "bye.json"
    flow = {"Version": "2019-10-30", "StartAction": "say", "Actions": [
        {"Identifier": "say", "Type": "MessageParticipant", "Parameters": {"Text": "Goodbye"},
         "Transitions": {"NextAction": "end"}},
        {"Identifier": "end", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}},
    ]}  # fmt: skip
    path.write_text(json.dumps(flow), encoding="utf-8")
    data = json.loads(_call(path, "--format", "json").stdout)
    assert data["flows"] == ["bye.json"] and "system: Goodbye" in data["transcript"]
    assert not data["outcome"].startswith("stopped")


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_a_call_that_leaves_the_caller_without_a_way_forward_exits_1(monkeypatch, fmt):
    """The shipped flows always end safely (exit 0 above); a flow change that leaves a caller in a queue nobody
    answers, with no emergency number, is a finding a script can see: 'safe end: NO' and exit 1."""
    from helpline.flows.simulate import CallResult

    monkeypatch.setattr(CallResult, "safe", property(lambda self: False))
    result = _call("ro", "--lang", "uk", "--press", "0", "--at", DAY, "--format", fmt, code=1)
    if fmt == "json":
        assert json.loads(result.stdout)["safe"] is False
    else:
        assert "safe end: NO" in result.stdout


def test_any_country_gets_a_made_up_number_of_its_own_not_only_the_shipped_ones(tmp_path, monkeypatch):
    """Chad (+235), written from the docs: the default caller comes from the phonenumbers metadata of every
    country, so `helpline call td` needs no --caller (found writing Chad from the docs alone)."""
    from helpline.config import load_country
    from helpline.flows.call_output import default_caller
    from tests.unit.written_countries import chad

    folder = chad(tmp_path).parent
    assert default_caller(load_country("td", countries_dir=folder)) == "+235500100200"
    monkeypatch.setenv("HELPLINE_COUNTRIES_DIR", str(folder))  # how every command finds a countries folder
    text = _call("td", "--lang", "fr", "--press", "-", "2", "--at", DAY, "--no-tables").stdout
    assert text.splitlines()[0].endswith(f"call at {DAY} from +23*******200")  # shown masked, as always
