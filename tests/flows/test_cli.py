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
    assert r.exit_code == 1 and "bad.json:a: FL003 next-action:" in r.stdout


def test_call_prints_transcript_outcome_and_tables():
    r = runner.invoke(app, ["call", "pl", "--lang", "uk", "--press", "-", "2", "--at", "2026-03-02T10:30"])
    assert r.exit_code == 0, r.stdout + r.stderr
    assert "outcome: queued in PL priority" in r.stdout
    assert "priority=urgent" in r.stdout and "table Cases: 1 item(s)" in r.stdout


def test_call_rejects_bad_key():
    r = runner.invoke(app, ["call", "pl", "--press", "x"])
    assert r.exit_code == 2


def test_diagram_writes_svg_and_png_where_graphviz_is_installed(tmp_path):
    r = runner.invoke(app, ["diagram", "pl", "--lang", "ru", "--out", str(tmp_path)])
    assert r.exit_code == 0, r.stdout + r.stderr
    if shutil.which("dot") is None:  # a machine without Graphviz: the sources and the note instead
        assert "note: graphviz 'dot' is not installed" in r.stderr
        assert "Соединяем вас с оператором" in (tmp_path / "pl" / "inbound_ru.dot").read_text(encoding="utf-8")
        return
    svg = (tmp_path / "pl" / "inbound_ru.svg").read_text(encoding="utf-8")
    assert "Соединяем вас с оператором" in svg  # the words callers hear, in Russian
    assert (tmp_path / "pl" / "inbound_ru.png").stat().st_size > 1000
    assert not (tmp_path / "pl" / "inbound_uk.svg").exists()


def test_diagram_without_dot_writes_the_dot_sources_with_a_note(monkeypatch, tmp_path):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    r = runner.invoke(app, ["diagram", "pl", "--out", str(tmp_path)])
    assert r.exit_code == 0 and "note: graphviz 'dot' is not installed" in r.stderr
    dot = (tmp_path / "pl" / "inbound.dot").read_text(encoding="utf-8")
    assert dot.startswith("digraph inbound {") and "__start ->" in dot
    assert not list(tmp_path.glob("pl/*.svg"))


OPERATOR_SCRIPT = """
agent: operator-1
screens:
  context-view: ActionSelected
  calltype-view: {action: Next, data: {call_type: real}}
  needs-view: {action: Next, data: {need: SV}}
  screening-view: {action: Next, data: {region: mazowieckie, urgency: urgent, consent: true, note: "lives with her aunt"}}
  referral-view: ActionSelected
  referral-done-view: Next
  closing-view: {action: Next, data: {outcome: referred, follow_up: true, callback_requested: false}}
  guide-done: Next
"""


def test_call_with_an_operator_script_runs_the_guide(tmp_path):
    script = tmp_path / "script.yaml"
    script.write_text(OPERATOR_SCRIPT, encoding="utf-8")
    r = runner.invoke(
        app, ["call", "pl", "--lang", "uk", "--at", "2026-03-02T10:30", "--operator", str(script), "--press", "-", "0"]
    )
    assert r.exit_code == 0, r.stdout + r.stderr
    assert "screen [calltype-view]" in r.stdout and "operator: Next call_type=real" in r.stdout
    assert "Lambda route_referral(" in r.stdout and "referral_refs=" in r.stdout
    assert "table Referrals: 1 item(s)" in r.stdout and "table Outbox: 1 item(s)" in r.stdout
    assert "guide (agent operator-1): context-view:ActionSelected, calltype-view:Next" in r.stdout
    transcript = r.stdout.split("outcome:")[0]
    assert "lives with her aunt" not in transcript  # the note: only on the case item


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("agent: [x]\n", "agent: "),
        ("screens:\n  calltype-view: {action: Next, data: {call_type: spam}}\n", "has no option 'spam'"),
        ("screens: {nowhere: Next}\n", "the guide has no such screen"),
    ],
)
def test_call_with_a_bad_operator_script_is_one_line_exit_2(tmp_path, text, message):
    script = tmp_path / "script.yaml"
    script.write_text(text, encoding="utf-8")
    r = runner.invoke(
        app, ["call", "pl", "--lang", "uk", "--at", "2026-03-02T10:30", "--operator", str(script), "--press", "-", "0"]
    )
    assert r.exit_code == 2, r.stdout
    assert r.stderr.strip().count("\n") == 0 and message in r.stderr and "Traceback" not in r.stderr
    assert r.stderr.startswith(f"--operator: {script}")
