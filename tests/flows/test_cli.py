"""The helpline CLI: validate, lint, call, diagram."""

from __future__ import annotations

import shutil

import pytest
from typer.testing import CliRunner

from helpline.cli import app

runner = CliRunner()
pytestmark = pytest.mark.usefixtures("free_sandbox")  # `helpline call` starts its own sandbox


def test_validate_ok():
    r = runner.invoke(app, ["validate", "pl", "ro"])
    assert r.exit_code == 0 and "pl: ok" in r.stdout


def test_validate_error_is_one_line_exit_2(tmp_path, monkeypatch):
    r = runner.invoke(app, ["validate", "zz"])
    assert r.exit_code == 2
    assert r.stderr.strip().count("\n") == 0 and "zz.yaml" in r.stderr and "Traceback" not in r.stderr


def test_lint_countries_clean():
    r = runner.invoke(app, ["lint"])
    assert r.exit_code == 0, r.stdout


def test_lint_broken_file_exits_1(tmp_path):
    p = tmp_path / "bad.json"
    p.write_text(
        '{"Version": "2019-10-30", "StartAction": "a", "Actions": [{"Identifier": "a", "Type": "MessageParticipant", "Parameters": {}, "Transitions": {"NextAction": "b"}}]}'
    )
    r = runner.invoke(app, ["lint", str(p)])
    assert r.exit_code == 1 and "bad.json:a: next-action:" in r.stdout


def test_call_prints_transcript_outcome_and_tables():
    r = runner.invoke(app, ["call", "pl", "--lang", "uk", "--press", "-", "2", "--at", "2026-03-02T10:30"])
    assert r.exit_code == 0, r.stdout + r.stderr
    assert "outcome: queued in PL priority" in r.stdout
    assert "priority=urgent" in r.stdout and "table Cases: 1 item(s)" in r.stdout


def test_call_rejects_bad_key():
    r = runner.invoke(app, ["call", "pl", "--press", "x"])
    assert r.exit_code == 2


def test_diagram_writes_svg_and_png(tmp_path):
    r = runner.invoke(app, ["diagram", "pl", "--lang", "ru", "--out", str(tmp_path)])
    assert r.exit_code == 0, r.stdout + r.stderr
    svg = (tmp_path / "pl" / "inbound_ru.svg").read_text(encoding="utf-8")
    assert "Соединяем вас с оператором" in svg  # the words callers hear, in Russian
    assert (tmp_path / "pl" / "inbound_ru.png").stat().st_size > 1000
    assert not (tmp_path / "pl" / "inbound_uk.svg").exists()


def test_diagram_without_dot_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    r = runner.invoke(app, ["diagram", "pl", "--out", str(tmp_path)])
    assert r.exit_code == 1 and "graphviz 'dot' is not installed" in r.stderr
