"""``helpline verify-live COUNTRY --stack NAME``: after a deploy, check each live assumption (read-only).

The assumptions and their checks are :data:`helpline.live_assumptions.ASSUMPTIONS`; this module asks
AWS (:class:`LiveContext`, every answer cached for the run) and prints one line per assumption:
``PASS``, ``FAIL`` with the fix, or ``UNKNOWN`` with what to do first (``--format json``: the same
as one JSON document, :func:`report_data`). Exit 0 when nothing failed, 1 when an assumption failed,
2 when the stack cannot be read at all (one line, no traceback). ``UNKNOWN`` (nothing to look at yet,
e.g. no call made, or AWS could not be asked) is not a failure: alone it exits 0, and the summary
line counts it. Tested offline with botocore's Stubber (tests/unit/deploy/test_verify_live.py).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from functools import cache
from typing import Annotated, Any

import typer
from rich.progress import TaskID

from helpline.live_assumptions import ASSUMPTIONS, FAIL, LOOKBACK, PASS, UNKNOWN, Assumption, Result
from helpline.output import Format, FormatOpt, bad_input, exit_with, print_json, progress_bar

CLIENTS = ("cloudformation", "connect", "logs", "cloudwatch", "ssm")


class StackUnreadable(Exception):
    """The stack cannot be read: one line, exit 2."""


def _pages(client: Any, operation: str, key: str, **kwargs: Any) -> list[Any]:
    items, token = [], None
    while True:
        page = getattr(client, operation)(**kwargs, **({"NextToken": token} if token else {}))
        items.extend(page.get(key, []))
        token = page.get("NextToken")
        if not token:
            return items


def _code(exc: Exception) -> str:
    return getattr(exc, "response", {}).get("Error", {}).get("Code", type(exc).__name__)


class LiveContext:
    """What the checks read of a deployed country stack and its test stack."""

    def __init__(self, clients: dict[str, Any], stack: str, test_stack: str, now: dt.datetime | None = None) -> None:
        self.cfn, self.connect, self.logs = clients["cloudformation"], clients["connect"], clients["logs"]
        self.cloudwatch, self.ssm = clients["cloudwatch"], clients["ssm"]
        self.stack, self.test_stack = stack, test_stack
        self.now = now or dt.datetime.now(dt.UTC)
        self.stack_status = cache(self._stack_status)
        self.describe_contact = cache(self._describe_contact)
        self.contact_attributes = cache(self._contact_attributes)

    def _stack_status(self, name: str) -> str | None:
        try:
            return self.cfn.describe_stacks(StackName=name)["Stacks"][0]["StackStatus"]
        except Exception as exc:
            if _code(exc) == "ValidationError":
                return None
            raise

    @cache  # noqa: B019 - one context per run
    def outputs(self) -> dict[str, str]:
        try:
            stack = self.cfn.describe_stacks(StackName=self.stack)["Stacks"][0]
        except Exception as exc:
            raise StackUnreadable(f"{self.stack}: cannot be read ({_code(exc)}); deployed, right Region?") from None
        return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}

    @property
    def instance_id(self) -> str:
        value = self.outputs().get("InstanceId")
        if not value:
            raise StackUnreadable(f"{self.stack}: no InstanceId output; is it a helpline country stack?")
        return value

    @cache  # noqa: B019
    def template_profiles(self) -> dict[str, tuple[str, ...]]:
        body = self.cfn.get_template(StackName=self.stack, TemplateStage="Original")["TemplateBody"]
        resources = (json.loads(body) if isinstance(body, str) else body).get("Resources", {})
        return {
            r["Properties"]["SecurityProfileName"]: tuple(r["Properties"].get("Permissions", []))
            for r in resources.values()
            if r.get("Type") == "AWS::Connect::SecurityProfile"
            and isinstance(r.get("Properties", {}).get("SecurityProfileName"), str)
        }

    def operator_profiles(self) -> list[str]:
        return sorted(n for n in self.template_profiles() if n.endswith((" agent", " supervisor")))

    @cache  # noqa: B019
    def stored_profiles(self) -> dict[str, tuple[str, ...]]:
        listed = _pages(
            self.connect, "list_security_profiles", "SecurityProfileSummaryList", InstanceId=self.instance_id
        )
        ids = {p["Name"]: p["Id"] for p in listed if p.get("Name") in self.template_profiles()}
        return {
            name: tuple(
                _pages(
                    self.connect,
                    "list_security_profile_permissions",
                    "Permissions",
                    InstanceId=self.instance_id,
                    SecurityProfileId=pid,
                )
            )
            for name, pid in ids.items()
        }

    def instance_attribute(self, kind: str) -> str | None:
        found = self.connect.describe_instance_attribute(InstanceId=self.instance_id, AttributeType=kind)
        return found.get("Attribute", {}).get("Value")

    def flow_log_group(self) -> str | None:
        alias = self.connect.describe_instance(InstanceId=self.instance_id)["Instance"].get("InstanceAlias")
        name = f"/aws/connect/{alias}"
        groups = self.logs.describe_log_groups(logGroupNamePrefix=name).get("logGroups", [])
        return name if any(g.get("logGroupName") == name for g in groups) else None

    def recent_contacts(self, channel: str, *, limit: int, methods: list[str] | None = None) -> list[dict]:
        criteria: dict[str, Any] = {"Channels": [channel]}
        if methods:
            criteria["InitiationMethods"] = methods
        found = self.connect.search_contacts(
            InstanceId=self.instance_id,
            TimeRange={"Type": "INITIATION_TIMESTAMP", "StartTime": self.now - LOOKBACK, "EndTime": self.now},
            SearchCriteria=criteria,
            MaxResults=limit,
            Sort={"FieldName": "INITIATION_TIMESTAMP", "Order": "DESCENDING"},
        )
        return found.get("Contacts", [])

    def _describe_contact(self, contact_id: str) -> dict | None:
        try:
            return self.connect.describe_contact(InstanceId=self.instance_id, ContactId=contact_id)["Contact"]
        except Exception as exc:
            if _code(exc) == "ResourceNotFoundException":
                return None
            raise

    def _contact_attributes(self, contact_id: str) -> tuple[str, ...]:
        found = self.connect.get_contact_attributes(InstanceId=self.instance_id, InitialContactId=contact_id)
        return tuple(found.get("Attributes", {}))

    def newest_guide_contact(self) -> dict | None:
        for contact in self.recent_contacts("CHAT", limit=20):
            described = self.describe_contact(contact["Id"]) or {}
            if described.get("RelatedContactId"):
                return {"Id": contact["Id"], "RelatedContactId": described["RelatedContactId"]}
        return None

    def latest_test_executions(self) -> dict[str, str]:
        resources = _pages(self.cfn, "list_stack_resources", "StackResourceSummaries", StackName=self.test_stack)
        latest = {}
        for r in resources:
            if r.get("ResourceType") != "AWS::Connect::TestCase" or not r.get("PhysicalResourceId"):
                continue
            case_id = r["PhysicalResourceId"].rsplit("/", 1)[-1]
            runs = _pages(
                self.connect,
                "list_test_case_executions",
                "TestCaseExecutions",
                InstanceId=self.instance_id,
                TestCaseId=case_id,
            )
            if runs:
                newest = max(runs, key=lambda run: run.get("StartTime", 0))
                latest[case_id] = newest.get("TestCaseExecutionStatus", "")
        return latest

    def outbound_number_type(self) -> str | None:
        arn = self.outputs().get("OutboundPhoneNumberArn") or self.outputs().get("PhoneNumberArn")
        if not arn:
            return None
        found = self.connect.describe_phone_number(PhoneNumberId=arn)["ClaimedPhoneNumberSummary"]
        return found.get("PhoneNumberType")

    @cache  # noqa: B019
    def stack_resources(self) -> list[dict]:
        return _pages(self.cfn, "list_stack_resources", "StackResourceSummaries", StackName=self.stack)

    def function_name(self, handler: str) -> str | None:
        """The deployed name of one of the stack's Lambda functions (logical id Functions<Handler>...)."""
        stem = "Functions" + "".join(part.title() for part in handler.split("_"))
        for r in self.stack_resources():
            if r.get("ResourceType") == "AWS::Lambda::Function" and r["LogicalResourceId"].startswith(stem):
                return r.get("PhysicalResourceId")
        return None

    def _metric(self, handler: str, metric: str, **statistic: Any) -> list[dict]:
        name = self.function_name(handler)
        if name is None:
            return []
        found = self.cloudwatch.get_metric_statistics(
            Namespace="AWS/Lambda",
            MetricName=metric,
            Dimensions=[{"Name": "FunctionName", "Value": name}],
            StartTime=self.now - LOOKBACK,
            EndTime=self.now,
            Period=int(LOOKBACK.total_seconds()),
            **statistic,
        )
        return found.get("Datapoints", [])

    def duration_p99(self, handler: str) -> float | None:
        points = self._metric(handler, "Duration", ExtendedStatistics=["p99"])
        values = [p["ExtendedStatistics"]["p99"] for p in points if "p99" in p.get("ExtendedStatistics", {})]
        return max(values) if values else None

    def iterator_age_max(self, handler: str) -> float | None:
        values = [p["Maximum"] for p in self._metric(handler, "IteratorAge", Statistics=["Maximum"]) if "Maximum" in p]
        return max(values) if values else None

    def test_stack_parameters(self) -> dict[str, tuple[str, str]] | None:
        """SSM parameter name -> (value the test stack resolved, value now); None when not deployed."""
        if self.stack_status(self.test_stack) is None:
            return None
        stack = self.cfn.describe_stacks(StackName=self.test_stack)["Stacks"][0]
        pairs = {}
        for p in stack.get("Parameters", []):
            if "ResolvedValue" not in p:
                continue
            current = self.ssm.get_parameter(Name=p["ParameterValue"])["Parameter"]["Value"]
            pairs[p["ParameterValue"]] = (p["ResolvedValue"], current)
        return pairs

    def stack_event_reasons(self) -> list[str]:
        reasons = []
        for name in (self.stack, self.test_stack):
            if self.stack_status(name) is None:
                continue
            events = _pages(self.cfn, "describe_stack_events", "StackEvents", StackName=name)
            reasons += [e["ResourceStatusReason"] for e in events if e.get("ResourceStatusReason")]
        return reasons


def evaluate(assumption: Assumption, ctx: LiveContext) -> Result:
    """One check; an AWS error that is not about the stack itself makes it UNKNOWN, never a traceback."""
    try:
        return assumption.check(ctx)
    except StackUnreadable:
        raise
    except Exception as exc:  # botocore ClientError / BotoCoreError: the check could not be made
        return Result(UNKNOWN, f"could not ask AWS ({_code(exc)}); check the role's read permissions")


def verify(ctx: LiveContext, done: Callable[[Assumption], None] | None = None) -> list[tuple[Assumption, Result]]:
    """Every assumption checked; ``done`` is told after each one (the progress bar)."""
    ctx.outputs()  # fail early, in one line, when the stack is not there
    results = []
    for assumption in ASSUMPTIONS:
        results.append((assumption, evaluate(assumption, ctx)))
        if done is not None:
            done(assumption)
    return results


def _counts(results: list[tuple[Assumption, Result]]) -> dict[str, int]:
    return {s: sum(r.status == s for _, r in results) for s in (PASS, FAIL, UNKNOWN)}


def report_data(results: list[tuple[Assumption, Result]], stack: str) -> dict[str, Any]:
    """The checks as one JSON document: the counts of the text's last line, then every assumption."""
    counts = _counts(results)
    return {
        "stack": stack,
        "passed": counts[PASS],
        "failed": counts[FAIL],
        "unknown": counts[UNKNOWN],
        "total": len(results),
        "assumptions": [
            {
                "id": a.id,
                "status": r.status,
                "detail": r.detail,
                "claim": a.claim,
                "doc_gap": a.doc_gap,
                "settles_with": a.settles_with,
                "fix": a.fix,
            }
            for a, r in results
        ],
    }


def render(results: list[tuple[Assumption, Result]]) -> str:
    """One line per assumption (a FAIL with its fix), then the counts."""
    lines = []
    for a, r in results:
        lines.append(f"{r.status:<8} {a.id}: {r.detail}")
        if r.status == FAIL:
            lines.append(f"         fix: {a.fix}")
    counts = _counts(results)
    lines.append(f"{counts[PASS]} passed, {counts[FAIL]} failed, {counts[UNKNOWN]} unknown (of {len(results)})")
    return "\n".join(lines)


def _check(country: str, stack: str | None, profile: str | None, region: str | None) -> tuple[str, list]:
    """(stack name, results); bad input (country, stack, credentials) is one line and exit 2."""
    import boto3
    from botocore.exceptions import BotoCoreError
    from rich.console import Console

    from helpline.config import ConfigError, load_country
    from helpline.livetest.export import test_stack_name

    try:
        cfg = load_country(country)
        session = boto3.Session(profile_name=profile, region_name=region or cfg.region)
        clients = {n: session.client(n) for n in CLIENTS}
        name = stack or cfg.stack_name
        err = Console(stderr=True)
        with progress_bar(err, f"verify-live {name}", total=len(ASSUMPTIONS)) as bar:
            results = verify(LiveContext(clients, name, test_stack_name(name)), done=lambda a: bar.advance(TaskID(0)))
    except (ConfigError, StackUnreadable) as exc:
        bad_input(str(exc))
    except BotoCoreError as exc:  # no credentials, unknown profile, no network
        bad_input(f"verify-live {country}: {exc}")
    return name, results


def command(
    country: Annotated[str, typer.Argument(help="Country code, e.g. pl.")],
    stack: Annotated[
        str | None, typer.Option("--stack", help="Deployed country stack (default: the country's).")
    ] = None,
    profile: Annotated[str | None, typer.Option("--profile", help="AWS profile (default chain otherwise).")] = None,
    region: Annotated[str | None, typer.Option("--region", help="AWS Region (default: the country's).")] = None,
    fmt: FormatOpt = Format.text,
) -> None:
    """Read-only checks, after a deploy, of every assumption the docs leave open (PASS / FAIL / UNKNOWN).

    Exit 0 when nothing failed (UNKNOWN, nothing to look at yet, is not a failure), 1 when an assumption
    failed, 2 when the country or the stack cannot be read."""
    name, results = _check(country, stack, profile, region)
    if fmt == Format.json:
        print_json(report_data(results, name))
    else:
        print(render(results))
    exit_with(any(r.status == FAIL for _, r in results))
