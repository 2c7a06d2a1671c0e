"""`helpline validate`: exit 1 for a country file's content, 2 for a file that cannot be read as YAML at all,
and `--format json` with each problem's file, field, message, fix and severity (the same as the text lines)."""

from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

from helpline.cli import app
from helpline.config import COUNTRIES_DIR
from tests.unit.config.test_country_files import _edit

runner = CliRunner()


@pytest.fixture
def countries(tmp_path, monkeypatch):
    """A private copy of countries/ that `helpline validate` reads."""
    folder = shutil.copytree(COUNTRIES_DIR, tmp_path / "countries", ignore=shutil.ignore_patterns("prompts"))
    monkeypatch.setenv("HELPLINE_COUNTRIES_DIR", str(folder))
    return folder


def _overlapping_holiday(d: dict) -> None:  # a warning: the same day closed twice
    d["hours"]["closures"].append({"name": "Holiday again", "date": d["hours"]["closures"][0]["date"]})


def _no_emergency_number(d: dict) -> None:  # an error
    d.pop("emergency")


def test_json_lists_each_problem_with_its_parts_and_says_what_the_text_says(countries):
    _edit(countries, "pl", _no_emergency_number)
    _edit(countries, "ro", _overlapping_holiday)
    text = runner.invoke(app, ["validate", "pl", "ro", "hu"])
    as_json = runner.invoke(app, ["validate", "pl", "ro", "hu", "--format", "json"])
    assert text.exit_code == as_json.exit_code == 1, text.output
    data = json.loads(as_json.stdout)
    by_code = {c["country"]: c for c in data["countries"]}
    assert [by_code[c]["status"] for c in ("pl", "ro", "hu")] == ["errors", "ok", "ok"]
    assert (data["errors"], data["warnings"]) == (1, 1)

    (error,) = by_code["pl"]["problems"]
    assert error["severity"] == "error" and error["file"].endswith("pl.yaml") and error["field"] == "emergency.number"
    assert error["message"] == "required field is missing" and error["fix"].startswith('add emergency: {number: "')
    (warning,) = by_code["ro"]["problems"]
    assert warning["severity"] == "warning" and warning["field"].startswith("hours.closures[")
    assert "overlaps hours.closures[0]" in warning["message"] and warning["fix"].startswith("remove one")

    # the text form: the same lines (errors as they are, warnings prefixed), the ok countries on stdout
    assert text.stderr.splitlines() == [error["line"], f"warning: {warning['line']}"]
    assert error["line"] == f"{error['file']}: {error['field']}: {error['message']}; fix: {error['fix']}"
    assert "pl: ok" not in text.stdout
    for code in ("ro", "hu"):
        ok = by_code[code]
        assert f"{code}: ok ({ok['name']}, {', '.join(ok['languages'])}, {ok['region']})" in text.stdout
    assert "pl" not in as_json.stderr and not as_json.stderr.strip()  # json: nothing else on any stream


def test_shipped_countries_exit_0_in_both_formats():
    assert runner.invoke(app, ["validate", "pl", "hu", "ro"]).exit_code == 0
    data = json.loads(runner.invoke(app, ["validate", "--format", "json"]).stdout)
    assert {c["status"] for c in data["countries"]} == {"ok"} and data["errors"] == 0


def test_warnings_alone_exit_0(countries):
    _edit(countries, "ro", _overlapping_holiday)
    result = runner.invoke(app, ["validate", "ro"])
    assert result.exit_code == 0 and "ro: ok" in result.stdout and result.stderr.startswith("warning: ")


def _tab(folder) -> None:
    path = folder / "pl.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("\n  time_zone:", "\n\ttime_zone:"), encoding="utf-8")


def _not_a_mapping(folder) -> None:
    (folder / "pl.yaml").write_text("- pl\n- hu\n", encoding="utf-8")


def _syntax_error(folder) -> None:
    (folder / "pl.yaml").write_text("code: pl\nname: [Poland\n", encoding="utf-8")


@pytest.mark.parametrize(
    ("spoil", "says"),
    [
        (_tab, "indented with a tab"),
        (_not_a_mapping, "top level is not a mapping"),
        (_syntax_error, "YAML syntax error"),
    ],
)
def test_a_file_that_is_not_yaml_at_all_is_bad_input_exit_2(countries, spoil, says):
    spoil(countries)
    result = runner.invoke(app, ["validate", "pl"])
    assert result.exit_code == 2 and result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert "pl.yaml" in line and says in line and "Traceback" not in result.output
    data = json.loads(runner.invoke(app, ["validate", "pl", "--format", "json"]).stdout)
    assert data["countries"][0]["status"] == "unreadable" and data["countries"][0]["problems"][0]["line"] == line


def test_an_unknown_country_is_exit_2_even_beside_a_file_with_errors(countries):
    _edit(countries, "pl", _no_emergency_number)
    result = runner.invoke(app, ["validate", "pl", "zz", "ro"])
    assert result.exit_code == 2 and "ro: ok" in result.stdout
    assert any("zz.yaml: file not found" in line for line in result.stderr.splitlines())
    assert any("pl.yaml: emergency.number" in line for line in result.stderr.splitlines())
