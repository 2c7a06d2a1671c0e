"""`helpline smoke-test XX --stack NAME`: run a deployed country's test cases live and report.

The test cases live in the country's test stack, ``<country stack>-tests`` (deployed after the
country stack: stacks/live_tests_stack.py). ``--stack`` takes either name, e.g. Helpline-PL-prod
or Helpline-PL-prod-tests; the default is the country's. Finds that stack's
``AWS::Connect::TestCase`` resources (CloudFormation ListStackResources; the
physical id is the test case ARN, ``.../instance/<instance id>/test-case/<test case id>``), starts
them (StartTestCaseExecution: "Starts executing a published test case"), polls
GetTestCaseExecutionSummary with a growing interval until each is done or ``--timeout`` passes,
and for every run that did not pass reads ListTestCaseExecutionRecords to name the first step
(observation) that did not pass: where the live call diverged from the offline scenario.
Shapes: botocore's connect-2017-08-08 model; APIReference/API_StartTestCaseExecution.html,
API_GetTestCaseExecutionSummary.html, API_ListTestCaseExecutionRecords.html, API_ListTestCases.html.

Limits (adminguide/testing-simulation-execute-test-cases.html): up to 5 tests run at once, up to
100 may wait including those 5, each simulation ends after 5 minutes. At most
:data:`MAX_IN_FLIGHT` runs are started at a time. Throttled calls (the Connect API allows a few
requests a second) are retried with backoff. Runs still going at the deadline are stopped
(StopTestCaseExecution) and reported as ``TIMEOUT``.

``--format json`` prints the same table as one JSON document (:func:`report_data`); a progress bar
on standard error (in a terminal only) counts the finished runs while they are polled.

Exit status: 0 every test case passed, 1 any did not, 2 bad input (unknown country or stack, a
stack without test cases, a stack that cannot be read).
"""

from __future__ import annotations

import re
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import TaskID
from rich.table import Table

from helpline.livetest.export import step_label, step_number, test_stack_name
from helpline.output import BAD_INPUT, FINDINGS, OK, Format, FormatOpt, print_json, progress_bar

MAX_IN_FLIGHT = 5
POLL_FIRST = 2.0
POLL_MAX = 30.0
POLL_FACTOR = 1.5
RETRIES = 6
RETRY_FIRST = 1.0
DEFAULT_TIMEOUT = 3600.0
RUNNING = ("INITIATED", "IN_PROGRESS")
# Retried with backoff: throttling, and a full execution queue (other runs may be waiting).
THROTTLED = (
    "ThrottlingException",
    "TooManyRequestsException",
    "Throttling",
    "RequestLimitExceeded",
    "ServiceQuotaExceededException",
)
TEST_CASE_TYPE = "AWS::Connect::TestCase"
DEPLOY_HINT = "`make deploy` deploys the country stack, then <country stack>-tests (docs/live-tests.md)"
_ARN = re.compile(r"^arn:aws[-a-z0-9]*:connect:[-a-z0-9]*:\d{12}:instance/([-a-zA-Z0-9]+)/test-case/([-a-zA-Z0-9]+)$")


class BadInput(Exception):
    """Nothing to run: unknown stack, no test cases (exit 2)."""


@dataclass
class TestCaseRef:
    instance_id: str
    test_case_id: str
    logical_id: str
    name: str = ""

    def ids(self, execution: str | None = None) -> dict[str, str]:
        """The request parameters naming this test case (and one of its runs)."""
        out = {"InstanceId": self.instance_id, "TestCaseId": self.test_case_id}
        if execution is not None:
            out["TestCaseExecutionId"] = execution
        return out


@dataclass
class Outcome:
    name: str
    status: str  # PASSED | FAILED | STOPPED | TIMEOUT | ERROR
    diverged: str = ""
    steps_passed: int | None = None  # the run's ObservationSummary, when Connect gave one
    steps_total: int | None = None
    execution_id: str = ""

    @property
    def passed(self) -> bool:
        return self.status == "PASSED"

    @property
    def steps(self) -> str:
        """``passed/total`` steps (observations), or empty when unknown."""
        return "" if self.steps_total is None else f"{self.steps_passed or 0}/{self.steps_total}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status,
            "passed": self.passed,
            "diverged_at": self.diverged or None,
            "steps_passed": self.steps_passed,
            "steps_total": self.steps_total,
            "execution_id": self.execution_id or None,
        }


class Runner:
    """The smoke test against one stack; ``sleep`` and ``clock`` are injectable for tests."""

    def __init__(
        self,
        cloudformation: Any,
        connect: Any,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        log: Callable[[str], None] | None = None,
        finished: Callable[[Outcome], None] | None = None,
    ):
        self.cfn = cloudformation
        self.connect = connect
        self.sleep = sleep
        self.clock = clock
        self.log = log or (lambda msg: None)
        self.finished = finished or (lambda outcome: None)  # called once per test case as its run ends

    # ---- AWS calls with throttling retries ------------------------------------------------
    def _call(self, client: Any, operation: str, **kwargs: Any) -> dict[str, Any]:
        from botocore.exceptions import ClientError

        delay = RETRY_FIRST
        for attempt in range(RETRIES):
            try:
                return getattr(client, operation)(**kwargs)
            except ClientError as exc:
                code = exc.response.get("Error", {}).get("Code", "")
                if code not in THROTTLED or attempt == RETRIES - 1:
                    raise
                self.log(f"{operation}: throttled, retrying in {delay:g} s")
                self.sleep(delay)
                delay = min(delay * 2, POLL_MAX)
        raise AssertionError("unreachable")  # pragma: no cover

    # ---- discovery ------------------------------------------------------------------------
    def test_cases(self, stack: str) -> list[TestCaseRef]:
        from botocore.exceptions import ClientError

        refs: list[TestCaseRef] = []
        token: str | None = None
        while True:
            kwargs: dict[str, Any] = {"StackName": stack}
            if token:
                kwargs["NextToken"] = token
            try:
                page = self._call(self.cfn, "list_stack_resources", **kwargs)
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") == "ValidationError":
                    message = exc.response["Error"].get("Message", "not found")
                    raise BadInput(
                        f"stack {stack!r}: {message} (deploy it after the country stack: {DEPLOY_HINT})"
                    ) from None
                raise
            for res in page.get("StackResourceSummaries", []):
                if res.get("ResourceType") != TEST_CASE_TYPE:
                    continue
                m = _ARN.match(res.get("PhysicalResourceId") or "")
                if not m:
                    raise BadInput(
                        f"stack {stack!r}: test case {res.get('LogicalResourceId')} has no test case ARN "
                        f"({res.get('ResourceStatus', '?')})"
                    )
                refs.append(TestCaseRef(m.group(1), m.group(2), res.get("LogicalResourceId", "")))
            token = page.get("NextToken")
            if not token:
                break
        if not refs:
            raise BadInput(f"stack {stack!r} has no {TEST_CASE_TYPE} resources: {DEPLOY_HINT}")
        self._names(refs)
        return sorted(refs, key=lambda r: r.name)

    def _names(self, refs: list[TestCaseRef]) -> None:
        """Test case names from ListTestCases (one paginated listing per instance)."""
        for instance in sorted({r.instance_id for r in refs}):
            names: dict[str, str] = {}
            token: str | None = None
            while True:
                kwargs: dict[str, Any] = {"InstanceId": instance, "MaxResults": 1000}
                if token:
                    kwargs["NextToken"] = token
                page = self._call(self.connect, "list_test_cases", **kwargs)
                for tc in page.get("TestCaseSummaryList", []):
                    names[tc.get("Id", "")] = tc.get("Name", "")
                token = page.get("NextToken")
                if not token:
                    break
            for r in refs:
                if r.instance_id == instance:
                    r.name = names.get(r.test_case_id) or r.logical_id

    # ---- execution ------------------------------------------------------------------------
    def run(self, refs: list[TestCaseRef], timeout: float) -> list[Outcome]:
        from botocore.exceptions import ClientError

        deadline = self.clock() + timeout
        pending = list(refs)
        running: dict[str, tuple[TestCaseRef, float, float]] = {}  # execution id -> (ref, next poll, interval)
        done: dict[str, Outcome] = {}
        while pending or running:
            while pending and len(running) < MAX_IN_FLIGHT and self.clock() < deadline:
                ref = pending.pop(0)
                try:
                    token = str(uuid.uuid4())  # one token across retries: one run
                    started = self._call(self.connect, "start_test_case_execution", **ref.ids(), ClientToken=token)
                except ClientError as exc:
                    self._done(done, ref, Outcome(ref.name, "ERROR", "not started: " + _error(exc)))
                    continue
                running[started["TestCaseExecutionId"]] = (ref, self.clock() + POLL_FIRST, POLL_FIRST)
                self.log(f"started {ref.name}")
            if self.clock() >= deadline:
                break
            if not running:
                continue
            execution, (ref, due, interval) = min(running.items(), key=lambda kv: kv[1][1])
            now = self.clock()
            if due > now:
                self.sleep(min(due, deadline) - now)
                if self.clock() >= deadline:
                    break
            try:
                summary = self._call(self.connect, "get_test_case_execution_summary", **ref.ids(execution))
            except ClientError as exc:
                del running[execution]
                self._done(done, ref, Outcome(ref.name, "ERROR", _error(exc), execution_id=execution))
                continue
            status = summary.get("Status", "")
            if status in RUNNING:
                nxt = min(interval * POLL_FACTOR, POLL_MAX)
                running[execution] = (ref, self.clock() + nxt, nxt)
                continue
            del running[execution]
            self._done(done, ref, self._outcome(ref, execution, status, summary))
        for execution, (ref, _, _) in running.items():
            self._stop(ref, execution)
            self._done(done, ref, self._outcome(ref, execution, "TIMEOUT", None))
        for ref in pending:
            self._done(done, ref, Outcome(ref.name, "TIMEOUT", "not started before the deadline"))
        return [done[r.test_case_id] for r in refs]

    def _done(self, done: dict[str, Outcome], ref: TestCaseRef, outcome: Outcome) -> None:
        done[ref.test_case_id] = outcome
        self.finished(outcome)

    def _stop(self, ref: TestCaseRef, execution: str) -> None:
        from botocore.exceptions import ClientError

        try:
            self._call(self.connect, "stop_test_case_execution", **ref.ids(execution), ClientToken=str(uuid.uuid4()))
        except ClientError as exc:  # already finished meanwhile: nothing to stop
            self.log(f"stop {ref.name}: {exc.response.get('Error', {}).get('Code')}")

    def _outcome(self, ref: TestCaseRef, execution: str, status: str, summary: dict[str, Any] | None) -> Outcome:
        from botocore.exceptions import ClientError

        obs = (summary or {}).get("ObservationSummary") or {}
        passed, total = (obs.get("ObservationsPassed", 0), obs.get("TotalObservations", 0)) if obs else (None, None)
        try:
            diverged = "" if status == "PASSED" else self.divergence(ref, execution)
        except ClientError as exc:  # the run's records cannot be read: say so, keep the run's status
            diverged = "records not read: " + _error(exc)
        return Outcome(ref.name, status, diverged, passed, total, execution)

    def divergence(self, ref: TestCaseRef, execution: str) -> str:
        """The first step (observation) that did not pass, from the execution records."""
        records: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            kwargs: dict[str, Any] = ref.ids(execution)
            if token:
                kwargs["NextToken"] = token
            page = self._call(self.connect, "list_test_case_execution_records", **kwargs)
            records += page.get("ExecutionRecords", [])
            token = page.get("NextToken")
            if not token:
                break
        return first_divergence(records)


def _error(exc: Any) -> str:
    err = exc.response.get("Error", {})
    return f"{err.get('Code', '?')}: {err.get('Message', '')}".strip().rstrip(":")


def first_divergence(records: list[dict[str, Any]]) -> str:
    """``step N: <label>`` of the first observation not passed (records in step order); after
    the last passed step when every recorded step passed (the next one never matched)."""
    numbered = sorted(
        (step_number(r.get("ObservationId", "")) or 0, r.get("ObservationId", ""), r.get("Status", "")) for r in records
    )
    last_passed = 0
    for n, ident, status in numbered:
        if status != "PASSED":
            return f"step {n}: {step_label(ident)} ({status.lower()})" if n else f"{ident} ({status.lower()})"
        last_passed = max(last_passed, n)
    if not numbered:
        return "step 1: start (no step recorded)"
    return f"step {last_passed + 1}: after {step_label(numbered[-1][1])} (never observed)"


def print_table(outcomes: list[Outcome], console: Console) -> None:
    table = Table(title="Live test cases", show_lines=False)
    table.add_column("scenario")
    table.add_column("status")
    table.add_column("diverged at")
    table.add_column("steps passed", justify="right")
    for o in outcomes:
        style = "green" if o.passed else "red"
        table.add_row(o.name, f"[{style}]{o.status}[/{style}]", o.diverged or "-", o.steps or "-")
    console.print(table)
    failed = sum(1 for o in outcomes if not o.passed)
    console.print(f"{len(outcomes) - failed} passed, {failed} not passed, of {len(outcomes)}")


def report_data(outcomes: list[Outcome], stack: str, region: str) -> dict[str, Any]:
    """The pass/fail table as one JSON document (``--format json``)."""
    failed = sum(1 for o in outcomes if not o.passed)
    return {
        "stack": stack,
        "region": region,
        "passed": len(outcomes) - failed,
        "not_passed": failed,
        "total": len(outcomes),
        "test_cases": [o.as_dict() for o in outcomes],
    }


def _runner(session: Any, region: str, err: Console, **timing: Any) -> Runner:
    """The runner on the Region's CloudFormation and Connect clients; its notes go to ``err``."""
    from botocore.config import Config

    if session is None:
        import boto3

        session = boto3.session.Session()
    # Our own retries (counted, logged, testable); botocore's off.
    config = Config(retries={"total_max_attempts": 1, "mode": "standard"})
    return Runner(
        session.client("cloudformation", region_name=region, config=config),
        session.client("connect", region_name=region, config=config),
        log=lambda msg: err.print(msg, markup=False, highlight=False),
        **timing,
    )


def smoke(
    country: str,
    *,
    stack: str | None = None,
    region: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    fmt: Format = Format.text,
    session: Any = None,
    console: Console | None = None,
    err: Console | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> int:
    """Run the smoke test; returns the exit status (0 all passed, 1 not, 2 bad input).  The table goes
    to ``console`` (standard output), notes and the progress bar to ``err`` (standard error)."""
    from botocore.exceptions import BotoCoreError, ClientError

    from helpline.config import ConfigError, load_country

    console = console or Console(highlight=False, soft_wrap=True, emoji=False)
    err = err or Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)
    if not timeout > 0:
        print(f"--timeout: must be a number of seconds > 0, got {timeout:g}", file=sys.stderr)
        return BAD_INPUT
    try:
        cfg = load_country(country)
    except ConfigError as exc:
        print(str(exc), file=sys.stderr)
        return BAD_INPUT
    stack = test_stack_name(stack or cfg.stack_name)
    region = region or cfg.region
    try:
        runner = _runner(session, region, err, sleep=sleep, clock=clock)
        refs = runner.test_cases(stack)
    except BadInput as exc:
        print(str(exc), file=sys.stderr)
        return BAD_INPUT
    except (ClientError, BotoCoreError) as exc:  # no credentials, access denied, no network: one line
        print(f"stack {stack!r} ({region}) cannot be read: {exc}", file=sys.stderr)
        return BAD_INPUT
    err.print(f"{stack} ({region}): {len(refs)} test cases", markup=False, highlight=False)
    with progress_bar(err, "live test runs finished", total=len(refs)) as bar:
        runner.finished = lambda outcome: bar.advance(TaskID(0))
        outcomes = runner.run(refs, timeout)
    if fmt == Format.json:
        print_json(report_data(outcomes, stack, region))
    else:
        print_table(outcomes, console)
    return OK if all(o.passed for o in outcomes) else FINDINGS


def command(
    country: Annotated[str, typer.Argument(help="Country code, e.g. pl")],
    stack: Annotated[
        str | None,
        typer.Option(
            "--stack",
            help="Deployed country stack, e.g. Helpline-PL-prod, or its test stack Helpline-PL-prod-tests "
            "(default: the country's); the test cases are read from the test stack",
        ),
    ] = None,
    region: Annotated[str | None, typer.Option("--region", help="AWS Region (default: the country's)")] = None,
    timeout: Annotated[
        float, typer.Option("--timeout", help="Seconds to wait for every run to finish")
    ] = DEFAULT_TIMEOUT,
    fmt: FormatOpt = Format.text,
) -> None:
    """Run a deployed country's live test cases (its offline scenarios) on Amazon Connect and print
    a pass/fail table with the step where a run diverged (--format json: the same as one JSON document);
    exit 1 if any did not pass, 2 on bad input."""
    code = smoke(country, stack=stack, region=region, timeout=timeout, fmt=fmt)
    if code:
        raise typer.Exit(code)
