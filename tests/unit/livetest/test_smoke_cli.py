"""`helpline smoke-test` on the command line: ``--format text|json`` tell the same pass/fail table, the
exit codes 0 / 1 / 2, and the progress bar counting finished runs on standard error (offline, Stubber)."""

from __future__ import annotations

import io
import json

import boto3
import pytest
from rich.console import Console
from typer.testing import CliRunner

from helpline.cli import app
from helpline.livetest import smoke
from tests.unit.livetest.test_smoke import COUNTRY_STACK, STACK, Clock, FakeSession


@pytest.fixture
def aws(monkeypatch):
    fake = FakeSession()
    monkeypatch.setattr(boto3.session, "Session", lambda *a, **k: fake)
    monkeypatch.setattr(smoke, "POLL_FIRST", 0.0)  # the CLI sleeps for real: no waiting
    with fake.cfn_stub, fake.connect_stub:
        yield fake
        fake.cfn_stub.assert_no_pending_responses()
        fake.connect_stub.assert_no_pending_responses()


def _one_passes_one_diverges(aws: FakeSession) -> None:
    aws.stack("alpha", "beta")
    aws.start("alpha", "x-alpha")
    aws.start("beta", "x-beta")
    aws.summary("alpha", "x-alpha", "PASSED", 6, 6)
    aws.summary("beta", "x-beta", "FAILED", 2, 5)
    aws.records("beta", "x-beta", {"step-01-start": "PASSED", "step-02-main_menu": "FAILED"})


def _cli(*args: str):
    return CliRunner().invoke(app, ["smoke-test", "pl", "--stack", COUNTRY_STACK, "--timeout", "60", *args])


def test_json_holds_the_same_table_as_the_text_and_a_failed_case_exits_1(aws):
    _one_passes_one_diverges(aws)
    text = _cli()
    _one_passes_one_diverges(aws)
    result = _cli("--format", "json")
    assert text.exit_code == result.exit_code == 1, text.output + result.output
    report = json.loads(result.stdout)  # one JSON document, nothing else on standard output
    assert (report["stack"], report["region"]) == (STACK, "eu-central-1")
    assert (report["passed"], report["not_passed"], report["total"]) == (1, 1, 2)
    assert "1 passed, 1 not passed, of 2" in text.stdout
    cases = {c["name"]: c for c in report["test_cases"]}
    assert cases["PL uk-beta"] == {
        "name": "PL uk-beta",
        "status": "FAILED",
        "passed": False,
        "diverged_at": "step 2: main_menu (failed)",
        "steps_passed": 2,
        "steps_total": 5,
        "execution_id": "x-beta",
    }
    assert cases["PL uk-alpha"]["passed"] and cases["PL uk-alpha"]["diverged_at"] is None
    for case in report["test_cases"]:  # every fact of the JSON is in the text table
        row = next(line for line in text.stdout.splitlines() if case["name"] in line)
        assert case["status"] in row and f"{case['steps_passed']}/{case['steps_total']}" in row
        assert (case["diverged_at"] or "-") in row


def test_every_case_passing_exits_0_in_json(aws):
    aws.stack("alpha")
    aws.start("alpha", "x-alpha")
    aws.summary("alpha", "x-alpha", "PASSED", 3, 3)
    result = _cli("--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["passed"] == report["total"] == 1 and report["test_cases"][0]["status"] == "PASSED"


def test_a_stack_the_credentials_cannot_read_is_one_line_exit_2(aws):
    aws.cfn_stub.add_client_error("list_stack_resources", "AccessDenied", "not authorized", 403)
    result = _cli("--format", "json")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "AccessDenied" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["smoke-test", "zz"], "zz"),
        (["smoke-test", "pl", "--format", "table"], "--format"),
        (["smoke-test", "pl", "--timeout", "0"], "--timeout"),
    ],
)
def test_bad_input_exits_2_without_a_traceback(args, message):
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2 and message in result.stderr and "Traceback" not in result.output


def test_records_that_cannot_be_read_leave_the_run_failed_with_the_reason(aws):
    aws.stack("alpha")
    aws.start("alpha", "x-alpha")
    aws.summary("alpha", "x-alpha", "FAILED", 1, 3)
    aws.connect_stub.add_client_error("list_test_case_execution_records", "AccessDeniedException", "no", 403)
    result = _cli("--format", "json")
    assert result.exit_code == 1, result.output
    (case,) = json.loads(result.stdout)["test_cases"]
    assert case["status"] == "FAILED" and case["diverged_at"].startswith("records not read: AccessDeniedException")


def test_a_terminal_sees_a_progress_bar_on_stderr_and_stdout_keeps_only_the_json(aws, capsys):
    aws.stack("alpha", "beta")
    for tc in ("alpha", "beta"):
        aws.start(tc, f"x-{tc}")
    for tc in ("alpha", "beta"):
        aws.summary(tc, f"x-{tc}", "PASSED", 2, 2)
    terminal, clock = io.StringIO(), Clock()
    err = Console(file=terminal, force_terminal=True, width=120)
    code = smoke.smoke("pl", fmt=smoke.Format.json, session=aws, err=err, sleep=clock.sleep, clock=clock)
    assert code == 0
    assert "live test runs finished" in terminal.getvalue() and "2/2" in terminal.getvalue()
    assert json.loads(capsys.readouterr().out)["passed"] == 2
