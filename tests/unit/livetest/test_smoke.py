"""`helpline smoke-test`: the deployed test cases started, polled and reported, offline.

CloudFormation and Amazon Connect are botocore clients answered by botocore's Stubber, which
checks every request against the service model (connect-2017-08-08: ListTestCases,
StartTestCaseExecution, GetTestCaseExecutionSummary, ListTestCaseExecutionRecords,
StopTestCaseExecution); time is a fake clock, so polling and backoff cost nothing.
"""

from __future__ import annotations

import datetime as dt

import boto3
import pytest
import typer
from botocore.config import Config
from botocore.stub import ANY, Stubber
from rich.console import Console
from typer.testing import CliRunner

from helpline.livetest import smoke
from helpline.livetest.smoke import first_divergence

COUNTRY_STACK = "Helpline-PL-prod"
STACK = "Helpline-PL-prod-tests"  # the test cases live in the country's test stack
INSTANCE = "0a1b2c3d-0000-4000-8000-000000000001"
ACCOUNT = "123456789012"
T0 = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)


def arn(tc: str) -> str:
    return f"arn:aws:connect:eu-central-1:{ACCOUNT}:instance/{INSTANCE}/test-case/{tc}"


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 3))
        self.now += seconds


class FakeSession:
    def __init__(self) -> None:
        session = boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name="eu-central-1"
        )
        config = Config(retries={"total_max_attempts": 1, "mode": "standard"})
        self.cfn = session.client("cloudformation", config=config)
        self.connect = session.client("connect", config=config)
        self.cfn_stub = Stubber(self.cfn)
        self.connect_stub = Stubber(self.connect)
        self.regions: list[str | None] = []

    def client(self, name: str, region_name: str | None = None, config: Config | None = None):
        self.regions.append(region_name)
        return {"cloudformation": self.cfn, "connect": self.connect}[name]

    # ---- stubbed answers ------------------------------------------------------------------
    def stack(self, *test_cases: str) -> None:
        resources = [
            {
                "LogicalResourceId": "IdentifyCallerFn",
                "PhysicalResourceId": "pl-identify",
                "ResourceType": "AWS::Lambda::Function",
                "LastUpdatedTimestamp": T0,
                "ResourceStatus": "CREATE_COMPLETE",
            }
        ] + [
            {
                "LogicalResourceId": f"TestCase{tc.title()}",
                "PhysicalResourceId": arn(tc),
                "ResourceType": "AWS::Connect::TestCase",
                "LastUpdatedTimestamp": T0,
                "ResourceStatus": "CREATE_COMPLETE",
            }
            for tc in test_cases
        ]
        self.cfn_stub.add_response("list_stack_resources", {"StackResourceSummaries": resources}, {"StackName": STACK})
        self.connect_stub.add_response(
            "list_test_cases",
            {
                "TestCaseSummaryList": [
                    {"Id": tc, "Arn": arn(tc), "Name": f"PL uk-{tc}", "Status": "PUBLISHED"} for tc in test_cases
                ]
            },
            {"InstanceId": INSTANCE, "MaxResults": 1000},
        )

    def start(self, tc: str, execution: str) -> None:
        self.connect_stub.add_response(
            "start_test_case_execution",
            {"TestCaseExecutionId": execution, "TestCaseId": tc, "Status": "INITIATED"},
            {"InstanceId": INSTANCE, "TestCaseId": tc, "ClientToken": ANY},
        )

    def summary(self, tc: str, execution: str, status: str, passed: int = 0, total: int = 0) -> None:
        body = {"StartTime": T0, "Status": status}
        if total:
            body["ObservationSummary"] = {
                "TotalObservations": total,
                "ObservationsPassed": passed,
                "ObservationsFailed": total - passed,
            }
        self.connect_stub.add_response(
            "get_test_case_execution_summary",
            body,
            {"InstanceId": INSTANCE, "TestCaseId": tc, "TestCaseExecutionId": execution},
        )

    def records(self, tc: str, execution: str, statuses: dict[str, str]) -> None:
        self.connect_stub.add_response(
            "list_test_case_execution_records",
            {
                "ExecutionRecords": [
                    {"ObservationId": obs, "Status": st, "Timestamp": T0, "Record": "{}"}
                    for obs, st in statuses.items()
                ]
            },
            {"InstanceId": INSTANCE, "TestCaseId": tc, "TestCaseExecutionId": execution},
        )


@pytest.fixture
def aws():
    fake = FakeSession()
    with fake.cfn_stub, fake.connect_stub:
        yield fake
        fake.cfn_stub.assert_no_pending_responses()
        fake.connect_stub.assert_no_pending_responses()


def run(aws: FakeSession, *, timeout: float = 600, stack: str | None = STACK, country: str = "pl"):
    clock = Clock()
    console = Console(record=True, width=200, highlight=False)
    code = smoke.smoke(
        country, stack=stack, timeout=timeout, session=aws, console=console, sleep=clock.sleep, clock=clock
    )
    return code, console.export_text(), clock


def test_all_pass(aws):
    aws.stack("alpha", "beta")
    aws.start("alpha", "x-alpha")
    aws.start("beta", "x-beta")
    aws.summary("alpha", "x-alpha", "PASSED", 6, 6)
    aws.summary("beta", "x-beta", "PASSED", 4, 4)
    code, text, clock = run(aws)
    assert code == 0
    assert "PL uk-alpha" in text and "PL uk-beta" in text and "6/6" in text
    assert "2 passed, 0 not passed, of 2" in text
    assert aws.regions == ["eu-central-1", "eu-central-1"]  # the country's Region
    assert clock.sleeps == [smoke.POLL_FIRST]


def test_one_run_diverges_at_a_step(aws):
    aws.stack("alpha", "beta")
    aws.start("alpha", "x-alpha")
    aws.start("beta", "x-beta")
    aws.summary("alpha", "x-alpha", "PASSED", 6, 6)
    aws.summary("beta", "x-beta", "IN_PROGRESS")
    aws.summary("beta", "x-beta", "FAILED", 2, 5)
    aws.records(
        "beta",
        "x-beta",
        {"step-02-language_option": "PASSED", "step-01-start": "PASSED", "step-03-main_menu": "FAILED"},
    )
    code, text, clock = run(aws)
    assert code == 1
    assert "FAILED" in text and "step 3: main_menu (failed)" in text and "2/5" in text
    assert "1 passed, 1 not passed, of 2" in text
    assert clock.sleeps == [smoke.POLL_FIRST, smoke.POLL_FIRST * smoke.POLL_FACTOR]  # backoff


def test_timeout_stops_the_run_and_names_the_step(aws):
    aws.stack("alpha")
    aws.start("alpha", "x-alpha")
    for _ in range(3):  # t = 2, 5, 9.5; the next poll (16.25) is after the deadline (10)
        aws.summary("alpha", "x-alpha", "IN_PROGRESS")
    aws.connect_stub.add_response(
        "stop_test_case_execution",
        {},
        {"InstanceId": INSTANCE, "TestCaseId": "alpha", "TestCaseExecutionId": "x-alpha", "ClientToken": ANY},
    )
    aws.records("alpha", "x-alpha", {"step-01-start": "PASSED", "step-02-welcome": "IN_PROGRESS"})
    code, text, clock = run(aws, timeout=10)
    assert code == 1
    assert "TIMEOUT" in text and "step 2: welcome (in_progress)" in text
    assert clock.now == pytest.approx(10)


def test_throttling_is_retried(aws):
    aws.cfn_stub.add_client_error("list_stack_resources", "Throttling", "Rate exceeded", 400)
    aws.stack("alpha")
    aws.connect_stub.add_client_error("start_test_case_execution", "ThrottlingException", "slow down", 429)
    aws.start("alpha", "x-alpha")
    aws.connect_stub.add_client_error("get_test_case_execution_summary", "TooManyRequestsException", "", 429)
    aws.summary("alpha", "x-alpha", "PASSED", 3, 3)
    code, text, clock = run(aws)
    assert code == 0, text
    assert clock.sleeps == [smoke.RETRY_FIRST, smoke.RETRY_FIRST, smoke.POLL_FIRST, smoke.RETRY_FIRST]


@pytest.mark.parametrize("given", [None, COUNTRY_STACK, STACK])
def test_the_test_cases_are_read_from_the_countrys_test_stack(aws, given):
    """No --stack, the country stack's name or the test stack's: ListStackResources reads the test stack
    (the Stubber checks StackName)."""
    aws.stack("alpha")
    aws.start("alpha", "x-alpha")
    aws.summary("alpha", "x-alpha", "PASSED", 3, 3)
    code, text, _ = run(aws, stack=given)
    assert code == 0, text


def test_an_unknown_stack_is_bad_input_with_the_way_forward(aws, capsys):
    aws.cfn_stub.add_client_error(
        "list_stack_resources",
        "ValidationError",
        "Stack with id Nope-tests does not exist",
        400,
        {"StackName": "Nope-tests"},
    )
    code, _, _ = run(aws, stack="Nope")
    assert code == 2
    err = capsys.readouterr().err
    assert "Stack with id Nope-tests does not exist" in err
    assert "then <country stack>-tests" in err and "Traceback" not in err


def test_a_stack_without_test_cases_is_bad_input(aws, capsys):
    aws.cfn_stub.add_response("list_stack_resources", {"StackResourceSummaries": []}, {"StackName": STACK})
    code, _, _ = run(aws)
    assert code == 2
    assert "no AWS::Connect::TestCase" in capsys.readouterr().err


def test_bad_country_and_timeout_are_bad_input(aws, capsys):
    assert run(aws, country="zz")[0] == 2
    assert run(aws, timeout=0)[0] == 2
    assert "--timeout" in capsys.readouterr().err


def test_a_run_that_cannot_start_is_reported(aws):
    aws.stack("alpha")
    aws.connect_stub.add_client_error("start_test_case_execution", "ResourceNotFoundException", "gone", 404)
    code, text, _ = run(aws)
    assert code == 1
    assert "ERROR" in text and "ResourceNotFoundException" in text


def test_first_divergence():
    assert first_divergence([]) == "step 1: start (no step recorded)"
    assert (
        first_divergence([{"ObservationId": "step-01-start", "Status": "PASSED"}])
        == "step 2: after start (never observed)"
    )


def test_the_typer_command(monkeypatch, aws):
    aws.stack("alpha")
    aws.start("alpha", "x-alpha")
    aws.summary("alpha", "x-alpha", "FAILED", 1, 3)
    aws.records("alpha", "x-alpha", {"step-01-start": "PASSED", "step-02-main_menu": "FAILED"})
    monkeypatch.setattr(boto3.session, "Session", lambda *a, **k: aws)
    monkeypatch.setattr(smoke, "POLL_FIRST", 0.0)
    app = typer.Typer()
    app.command("smoke-test")(smoke.command)
    app.command("other")(lambda: None)  # two commands: the name is an argument, as in helpline
    result = CliRunner().invoke(app, ["smoke-test", "pl", "--stack", COUNTRY_STACK, "--timeout", "60"])
    assert result.exit_code == 1, result.output
    assert "step 2: main_menu" in result.output
