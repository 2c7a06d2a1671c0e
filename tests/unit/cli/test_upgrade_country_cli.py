"""`helpline upgrade-country --format json`: the changes a file of an older format needs, as the text lists
them; exit 0 nothing to do, 1 changes remain, 2 bad input."""

from __future__ import annotations

import json
import shutil

import pytest
import yaml
from typer.testing import CliRunner

from helpline.cli import app
from helpline.config import COUNTRIES_DIR
from tests.unit.config.test_format_version import _old

runner = CliRunner()
WRITE_DOES = " [upgrade-country --write does this]"


@pytest.fixture
def countries(tmp_path, monkeypatch):
    folder = shutil.copytree(COUNTRIES_DIR, tmp_path / "countries", ignore=shutil.ignore_patterns("prompts"))
    monkeypatch.setenv("HELPLINE_COUNTRIES_DIR", str(folder))
    return folder


def test_json_lists_the_changes_the_text_lists_and_exits_1(countries):
    path = _old(countries)
    text = runner.invoke(app, ["upgrade-country", "ro"])
    as_json = runner.invoke(app, ["upgrade-country", "ro", "--format", "json"])
    assert text.exit_code == as_json.exit_code == 1, as_json.output
    data = json.loads(as_json.stdout)
    lines = text.stdout.splitlines()
    assert len(data["changes"]) == len(lines) and data["written"] is False
    for change, line in zip(data["changes"], lines, strict=True):
        tag = WRITE_DOES if change["mechanical"] else " [a person must write this]"
        assert line == f"{path}: {change['field']}: {change['message']}; fix: {change['fix']}{tag}"
        assert change["done"] is False
    assert data["left_to_do"] == len(lines)
    assert {"format", "recordings.bucket", "emergency.number"} <= {c["field"] for c in data["changes"]}
    assert "format:" not in path.read_text(encoding="utf-8")  # nothing written without --write


def test_write_makes_the_mechanical_changes_and_lists_what_a_person_must_still_do(countries):
    path = _old(countries)
    result = runner.invoke(app, ["upgrade-country", "ro", "--write", "--format", "json"])
    assert result.exit_code == 1, result.output  # texts and the number: a person's work
    data = json.loads(result.stdout)
    done = [c["field"] for c in data["changes"] if c["done"]]
    assert data["written"] is True and "format" in done and "recordings.bucket" in done
    assert data["left_to_do"] == sum(not c["mechanical"] for c in data["changes"]) > 0
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["format"] == data["format"]


def test_a_current_file_needs_nothing_exit_0(countries):
    result = runner.invoke(app, ["upgrade-country", "pl", "--format", "json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) | {"file": ""} == {
        "file": "",
        "format": yaml.safe_load((countries / "pl.yaml").read_text(encoding="utf-8"))["format"],
        "changes": [],
        "written": False,
        "left_to_do": 0,
    }


def test_a_file_missing_only_the_format_key_is_done_by_write_exit_0(countries):
    path = countries / "hu.yaml"
    path.write_text(
        "\n".join(ln for ln in path.read_text(encoding="utf-8").splitlines() if not ln.startswith("format:"))
    )
    listed = runner.invoke(app, ["upgrade-country", "hu", "--format", "json"])
    assert listed.exit_code == 1 and [c["field"] for c in json.loads(listed.stdout)["changes"]] == ["format"]
    written = runner.invoke(app, ["upgrade-country", "hu", "--write", "--format", "json"])
    assert written.exit_code == 0 and json.loads(written.stdout)["left_to_do"] == 0


def test_bad_input_is_one_line_exit_2_with_nothing_on_stdout(countries):
    (countries / "pl.yaml").write_text("code: pl\nname: [Poland\n", encoding="utf-8")
    for code, says in (("zz", "file not found"), ("pl", "YAML syntax error")):
        result = runner.invoke(app, ["upgrade-country", code, "--format", "json"])
        assert result.exit_code == 2 and result.stdout == "" and says in result.stderr
        assert result.stderr.count("\n") == 1
