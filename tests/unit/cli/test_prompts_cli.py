"""`helpline prompts --format text|json` (text replaced 'table'): both say the same, exit 1 while a recording is
missing or invalid, 2 on bad input; --placeholders keeps its progress bar on standard error."""

from __future__ import annotations

import io
import json
import shutil

import pytest
from rich.console import Console
from typer.testing import CliRunner

from helpline import cli
from helpline.cli import app
from helpline.config import COUNTRIES_DIR, load_country
from tests.unit.test_prompts import recorded

runner = CliRunner()


@pytest.fixture
def ro(tmp_path):
    """ro's file in a folder of its own, every recording made (a short tone); returns (file, specs)."""
    for path in COUNTRIES_DIR.glob("*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path / "ro.yaml", recorded(load_country("ro", countries_dir=tmp_path))


def test_text_and_json_say_the_same_and_exit_1_while_a_recording_is_missing(ro):
    path, specs = ro
    specs[0].path.unlink()
    text = runner.invoke(app, ["prompts", str(path), "--format", "text"])
    as_json = runner.invoke(app, ["prompts", str(path), "--format", "json"])
    assert text.exit_code == as_json.exit_code == 1, text.output
    data = json.loads(as_json.stdout)
    assert data["ok"] is False and text.stdout.strip().splitlines()[-1] == data["summary"]
    for prompt in data["prompts"]:
        row = next(line for line in text.stdout.splitlines() if prompt["file"].rsplit("/", 1)[-1] in line)
        assert prompt["status"] in row
    assert {p["status"] for p in data["prompts"]} == {"ok", "missing"}


def test_every_recording_there_exits_0(ro):
    path, _ = ro
    assert runner.invoke(app, ["prompts", str(path)]).exit_code == 0
    assert json.loads(runner.invoke(app, ["prompts", str(path), "--format", "json"]).stdout)["ok"] is True


def test_the_old_table_format_and_an_unknown_country_are_bad_input():
    said = runner.invoke(app, ["prompts", "pl", "--format", "table"])
    assert said.exit_code == 2 and "'table' is not one of 'text', 'json'" in " ".join(
        said.output.replace("│", " ").split()
    )
    unknown = runner.invoke(app, ["prompts", "zz", "--format", "json"])
    assert unknown.exit_code == 2 and unknown.stdout == "" and "zz.yaml: file not found" in unknown.stderr


def test_placeholders_show_progress_on_stderr_and_json_lists_what_was_written(ro, monkeypatch):
    path, specs = ro
    specs[0].path.unlink()
    screen = io.StringIO()
    monkeypatch.setattr(cli, "err", Console(file=screen, force_terminal=True, width=100))  # a terminal
    result = runner.invoke(app, ["prompts", str(path), "--placeholders", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["written"] == [str(specs[0].path)] and data["ok"] is True
    assert "ro: " in screen.getvalue() and "1/1" in screen.getvalue()  # the bar, on the stderr console
