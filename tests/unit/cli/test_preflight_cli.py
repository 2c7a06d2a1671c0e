"""`helpline preflight --format json`: each check with its status, message and fix, as the text lines say;
exit 1 on a FAIL, 2 on bad input (stubbed AWS answers, as in tests/unit/test_preflight.py)."""

from __future__ import annotations

import json

import boto3
import pytest
from typer.testing import CliRunner

from helpline.cli import app
from tests.unit.test_preflight import INSTANCE_ARN, FakeSession, Stubs, fake_prompts, inst, queue_green_run

runner = CliRunner()


@pytest.fixture
def stubs(monkeypatch):
    s = Stubs()
    monkeypatch.setattr(boto3, "Session", lambda **kw: FakeSession(s))
    yield s
    s.done()


def _run(stubs, monkeypatch, fmt: str, *, failing: bool):
    """One preflight run; ``failing``: the instance quota is used up and a recording is a placeholder."""
    if failing:
        fake_prompts(monkeypatch, placeholders=["uk/welcome.wav"])
        queue_green_run(stubs, [inst(), inst(INSTANCE_ARN, "second")], quota_value=2.0, stack="Helpline-PL-dev")
        return runner.invoke(app, ["preflight", "pl", "--stage", "dev", "--format", fmt])
    fake_prompts(monkeypatch)
    queue_green_run(stubs, [inst()])
    return runner.invoke(app, ["preflight", "pl", "--format", fmt])


@pytest.mark.parametrize("failing", [False, True], ids=["all pass", "a fail"])
def test_json_lists_each_check_as_the_text_lines_do(stubs, monkeypatch, failing):
    text = _run(stubs, monkeypatch, "text", failing=failing)
    as_json = _run(stubs, monkeypatch, "json", failing=failing)
    assert text.exit_code == as_json.exit_code == (1 if failing else 0), text.output
    data = json.loads(as_json.stdout)
    lines = text.stdout.splitlines()
    assert len(data["checks"]) == len(lines) == 8
    for check, line in zip(data["checks"], lines, strict=True):
        assert line.startswith(f"{check['status']:<4}  {check['name']:<14} {check['message']}")
        assert line.endswith(f"; fix: {check['fix']}") if check["fix"] else "; fix:" not in line
    statuses = [c["status"] for c in data["checks"]]
    assert (data["failed"], data["warnings"]) == (statuses.count("FAIL"), statuses.count("WARN"))
    if failing:
        instance = next(c for c in data["checks"] if c["name"] == "instance")
        assert (
            instance["status"] == "FAIL"
            and "2 of 2" in instance["message"]
            and "request an increase" in instance["fix"]
        )
        assert data["stack"] == "Helpline-PL-dev"
    assert f"{data['failed']} failed" in as_json.stderr  # the summary: on stderr in both forms


def test_rejected_credentials_are_bad_input_with_nothing_on_stdout(stubs):
    stubs.err("sts", "get_caller_identity", "InvalidClientTokenId", "The security token is invalid", 403)
    result = runner.invoke(app, ["preflight", "pl", "--format", "json"])
    assert result.exit_code == 2 and result.stdout == "" and "InvalidClientTokenId" in result.stderr


def test_an_unknown_country_or_format_is_bad_input():
    unknown = runner.invoke(app, ["preflight", "zz", "--format", "json"])
    assert unknown.exit_code == 2 and unknown.stdout == "" and unknown.stderr.count("\n") == 1
    assert runner.invoke(app, ["preflight", "pl", "--format", "table"]).exit_code == 2
