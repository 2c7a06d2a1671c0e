"""`helpline verify-live` on the command line: ``--format text|json`` tell the same checks, exit 0 when
nothing failed (UNKNOWN alone included), 1 on a FAIL, 2 on bad input; offline with Stubber."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from helpline.cli import app
from helpline.live_assumptions import ASSUMPTIONS
from tests.unit.deploy.test_verify_live import STACK, _clients, _healthy


def _cli(monkeypatch, *args: str, **answers):
    """``helpline verify-live pl ARGS`` against a deployment answering as ``_healthy(**answers)``."""
    clients = _clients()
    stubbers = _healthy(clients, **answers)
    for stubber in stubbers:
        stubber.activate()
    with monkeypatch.context() as patch:  # boto3.client() itself goes through Session.client: undo after
        patch.setattr("boto3.Session.client", lambda self, name, **kw: clients[name])
        result = CliRunner().invoke(app, ["verify-live", "pl", *args])
    for stubber in stubbers:
        stubber.assert_no_pending_responses()
    return result


def _lines(text: str) -> dict[str, str]:
    """assumption id -> its status in the text output."""
    return {line.split()[1].rstrip(":"): line.split()[0] for line in text.splitlines() if line[:1].isupper()}


def test_json_holds_the_same_checks_as_the_text_and_a_fail_exits_1(monkeypatch):
    text = _cli(monkeypatch, flow_logs="false")
    result = _cli(monkeypatch, "--format", "json", flow_logs="false")
    assert text.exit_code == result.exit_code == 1, text.output + result.output
    report = json.loads(result.stdout)  # one JSON document, nothing else on standard output
    assert report["stack"] == STACK and report["total"] == len(ASSUMPTIONS)
    statuses = {row["id"]: row["status"] for row in report["assumptions"]}
    assert statuses == _lines(text.stdout) and statuses["flow-log-group"] == "FAIL"
    counts = f"{report['passed']} passed, {report['failed']} failed, {report['unknown']} unknown"
    assert text.stdout.splitlines()[-1] == f"{counts} (of {len(ASSUMPTIONS)})" and report["failed"] == 1
    fix = next(row["fix"] for row in report["assumptions"] if row["id"] == "flow-log-group")
    assert f"fix: {fix}" in text.stdout


def test_a_healthy_deployment_exits_0(monkeypatch):
    result = _cli(monkeypatch, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["passed"] == len(ASSUMPTIONS)


def test_unknown_alone_is_not_a_failure_exit_0(monkeypatch):
    result = _cli(monkeypatch, p99=())  # no call yet: the pseudonym latency cannot be measured
    assert result.exit_code == 0, result.output
    assert _lines(result.stdout)["pseudonym-latency"] == "UNKNOWN"
    assert result.stdout.splitlines()[-1].endswith(f"0 failed, 1 unknown (of {len(ASSUMPTIONS)})")


@pytest.mark.parametrize(
    ("args", "message"),
    [(["zz"], "zz"), (["pl", "--format", "table"], "--format"), (["pl", "--profile", "no-such-profile"], "profile")],
)
def test_bad_input_is_one_line_exit_2(args, message):
    result = CliRunner().invoke(app, ["verify-live", *args])
    assert result.exit_code == 2 and message in result.stderr and result.stdout == ""
    assert "Traceback" not in result.output


def test_the_progress_bar_advances_once_per_assumption():
    from helpline.verify_live import LiveContext, verify
    from tests.unit.deploy.test_verify_live import NOW, TESTS

    clients = _clients()
    stubbers = _healthy(clients)
    for stubber in stubbers:
        stubber.activate()
    seen: list[str] = []
    results = verify(LiveContext(clients, STACK, TESTS, now=NOW), done=lambda a: seen.append(a.id))
    assert seen == [a.id for a, _ in results] == [a.id for a in ASSUMPTIONS]
