"""The live-assumption catalog: what the offline model assumes and the AWS documentation leaves open.

Each :class:`Assumption` names the claim, the gap in the docs, the read-only API call that settles it
on a deployed stack, the fix when it does not hold, and the check ``helpline verify-live`` runs
(:mod:`helpline.verify_live`). A check answers PASS (the live instance agrees), FAIL (it does not:
apply the fix) or UNKNOWN (nothing to look at yet, e.g. no call has been made; the detail says what
to do first). Checks only read: Describe*, List*, Get*, Search*.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from helpline.flows.personal import PERSONAL_ATTRIBUTES  # one list: the flow linter's FL113

PASS, FAIL, UNKNOWN = "PASS", "FAIL", "UNKNOWN"
GUIDE_PERMISSION = "CustomViews.Access"
E164_OR_ANONYMOUS = re.compile(r"^(\+[1-9][0-9]{6,14}|anonymous)$")
# `helpline audit verify --stack` names a stream chain unsigned an hour after a newer checkpoint.
STREAM_GRACE_MS = 3_600_000
THROTTLED = ("Rate exceeded", "TooManyRequests", "Throttl", "LimitExceeded")
LOOKBACK = dt.timedelta(days=7)
# The flow gives a Lambda up to 8 s; the handlers answer within the deadline in functions/deadline.py
# (6 s). identify_caller's p99 should stay far below, since the caller hears silence meanwhile.
LATENCY_BUDGET_MS = 3000


@dataclass(frozen=True)
class Result:
    status: str
    detail: str


@dataclass(frozen=True)
class Assumption:
    id: str
    claim: str
    doc_gap: str
    settles_with: str
    fix: str
    check: Callable[[Any], Result]


def _security_profiles(ctx: Any) -> Result:
    wanted = ctx.template_profiles()
    if not wanted:
        return Result(UNKNOWN, "the stack's template has no security profiles")
    stored = ctx.stored_profiles()
    problems = []
    for name, permissions in sorted(wanted.items()):
        if name not in stored:
            problems.append(f"{name}: not on the instance")
            continue
        missing = sorted(set(permissions) - set(stored[name]))
        if missing:
            problems.append(f"{name}: Connect did not keep {', '.join(missing)}")
    if problems:
        return Result(FAIL, "; ".join(problems))
    return Result(PASS, f"{len(wanted)} profiles hold every permission the template set")


def _guide_permission(ctx: Any) -> Result:
    stored = ctx.stored_profiles()
    lacking = [n for n in ctx.operator_profiles() if GUIDE_PERMISSION not in stored.get(n, ())]
    if not ctx.operator_profiles():
        return Result(UNKNOWN, "no agent or supervisor profile found on the instance")
    if lacking:
        return Result(FAIL, f"{GUIDE_PERMISSION} missing on {', '.join(lacking)}: operators will not see the guide")
    return Result(PASS, f"{GUIDE_PERMISSION} on {', '.join(ctx.operator_profiles())}")


def _flow_logs(ctx: Any) -> Result:
    enabled = ctx.instance_attribute("CONTACTFLOW_LOGS")
    group = ctx.flow_log_group()
    if enabled != "true":
        return Result(FAIL, f"flow logs are {enabled or 'not set'} on the instance")
    if group is None:
        return Result(FAIL, "no /aws/connect/<alias> log group: Connect would create one without our retention")
    return Result(PASS, f"flow logs on, into {group}")


def _guide_contact(ctx: Any) -> Result:
    guide = ctx.newest_guide_contact()
    if guide is None:
        return Result(UNKNOWN, "no guide contact in the last 7 days: answer a test call as an operator first")
    voice = ctx.describe_contact(guide["RelatedContactId"])
    if voice is None or voice.get("Channel") != "VOICE":
        return Result(FAIL, "the guide contact's RelatedContactId does not name a voice contact")
    keys = sorted(ctx.contact_attributes(guide["Id"]))
    leaked = sorted(PERSONAL_ATTRIBUTES & set(keys))
    if leaked:  # flow attributes are "not carried over"; if they reached the record, they are kept 24 months
        return Result(FAIL, f"the guide contact's record holds {', '.join(leaked)}: flow attributes reached it")
    copied = ", ".join(keys) if keys else "none"
    return Result(PASS, f"RelatedContactId names the voice call; attributes on the guide contact: {copied}")


def _no_personal_attributes(ctx: Any) -> Result:
    contacts = ctx.recent_contacts("VOICE", limit=20)
    if not contacts:
        return Result(UNKNOWN, "no voice contact in the last 7 days: make a test call first")
    leaks = set()
    for contact in contacts:
        leaks |= PERSONAL_ATTRIBUTES & set(ctx.contact_attributes(contact["Id"]))
    if leaks:
        return Result(FAIL, f"contact attributes hold {', '.join(sorted(leaks))}, kept by Connect for 24 months")
    return Result(PASS, f"{len(contacts)} recent calls carry no personal attribute")


def _survey_fields(ctx: Any) -> Result:
    contacts = [c for c in ctx.recent_contacts("VOICE", limit=20, methods=["API"]) if c.get("DisconnectTimestamp")]
    if not contacts:
        return Result(UNKNOWN, "no finished outbound survey call in the last 7 days")
    answered = [ctx.describe_contact(c["Id"]) or {} for c in contacts]
    if not any(a.get("ConnectedToSystemTimestamp") for a in answered):
        return Result(UNKNOWN, "no answered survey call: the runner's 'connected' signal is not yet observed")
    if not all(a.get("DisconnectTimestamp") for a in answered):
        return Result(FAIL, "DescribeContact lacks DisconnectTimestamp on a finished call: the runner cannot settle it")
    return Result(PASS, "DescribeContact gives DisconnectTimestamp and ConnectedToSystemTimestamp")


def _live_tests(ctx: Any) -> Result:
    status = ctx.stack_status(ctx.test_stack)
    if status is None:
        return Result(UNKNOWN, f"{ctx.test_stack} is not deployed")
    if not status.endswith("_COMPLETE") or "ROLLBACK" in status:
        return Result(FAIL, f"{ctx.test_stack} is {status}: Connect refused a test case (see its events)")
    latest = ctx.latest_test_executions()
    if not latest:
        return Result(UNKNOWN, "no test case has run yet: `helpline smoke-test`")
    failed = sorted(tid for tid, st in latest.items() if st != "PASSED")
    if failed:
        return Result(FAIL, f"{len(failed)} of {len(latest)} test cases did not pass their last run")
    return Result(PASS, f"{len(latest)} test cases passed their last run")


def _outbound_number(ctx: Any) -> Result:
    kind = ctx.outbound_number_type()
    if kind is None:
        return Result(UNKNOWN, "the stack names no phone number")
    if kind == "UIFN":  # outbound-calling-restrictions.html: calls from a UIFN "will be blocked"
        return Result(FAIL, "the outbound caller ID is a UIFN number, which cannot place calls")
    if kind == "TOLL_FREE":
        return Result(UNKNOWN, "the outbound caller ID is toll-free: place a call-back and check it rings with that ID")
    return Result(PASS, f"outbound caller ID is a {kind} number")


def _throttling(ctx: Any) -> Result:
    reasons = [r for r in ctx.stack_event_reasons() if any(t in r for t in THROTTLED)]
    if reasons:
        return Result(FAIL, f"{len(reasons)} stack event(s) were throttled, first: {reasons[0][:120]}")
    return Result(PASS, "no throttled resource in the stack's events")


def _pseudonym_latency(ctx: Any) -> Result:
    p99 = ctx.duration_p99("identify_caller")
    if p99 is None:
        return Result(UNKNOWN, "identify_caller has no Duration data in the last 7 days: make a test call first")
    if p99 > LATENCY_BUDGET_MS:
        return Result(FAIL, f"identify_caller p99 {p99:.0f} ms is over the {LATENCY_BUDGET_MS} ms budget")
    return Result(PASS, f"identify_caller p99 {p99:.0f} ms (GenerateMac + DynamoDB), budget {LATENCY_BUDGET_MS} ms")


def _test_stack_parameters(ctx: Any) -> Result:
    pairs = ctx.test_stack_parameters()
    if pairs is None:
        return Result(UNKNOWN, f"{ctx.test_stack} is not deployed")
    stale = sorted(name for name, (resolved, current) in pairs.items() if resolved != current)
    if stale:
        return Result(FAIL, f"{len(stale)} of {len(pairs)} parameters changed since the test stack was deployed")
    return Result(PASS, f"the test stack reads the current value of all {len(pairs)} parameters")


def _caller_address(ctx: Any) -> Result:
    contacts = ctx.recent_contacts("VOICE", limit=20, methods=["INBOUND"])
    if not contacts:
        return Result(UNKNOWN, "no inbound call in the last 7 days: make a test call first")
    addresses = [(ctx.describe_contact(c["Id"]) or {}).get("CustomerEndpoint", {}).get("Address") for c in contacts]
    odd = [a for a in addresses if a is not None and not E164_OR_ANONYMOUS.match(a)]
    if odd:  # the address itself is personal data: only counted, never printed
        return Result(FAIL, f"{len(odd)} of {len(addresses)} caller addresses are neither ASCII E.164 nor 'anonymous'")
    return Result(PASS, f"{len(addresses)} caller addresses are ASCII E.164 or 'anonymous'")


def _archive_lag(ctx: Any) -> Result:
    age = ctx.iterator_age_max("archive_records")
    if age is None:
        return Result(UNKNOWN, "archive_records has no IteratorAge data in the last 7 days")
    if age > STREAM_GRACE_MS:
        return Result(FAIL, f"archive_records fell {age / 60000:.0f} min behind its streams (verify allows 60)")
    return Result(PASS, f"archive_records at most {age / 1000:.0f} s behind its streams")


def _names_gap() -> str:
    from stacks.connect_permissions import unsettled

    return "; ".join(f"{name}: {gap}" for name, gap in unsettled())


ASSUMPTIONS: tuple[Assumption, ...] = (
    Assumption(
        "security-profile-names",
        "Connect stores every security-profile permission name the template sets, verbatim",
        _names_gap(),
        "connect:ListSecurityProfiles + ListSecurityProfilePermissions vs cloudformation:GetTemplate",
        "rename the permission in stacks/connect_permissions.py to the name Connect stored",
        _security_profiles,
    ),
    Assumption(
        "guide-permission",
        f"agents and supervisors hold {GUIDE_PERMISSION}, so the step-by-step guide shows",
        "the admin guide names the permission in the console; its API name is not in the permission list",
        "connect:ListSecurityProfilePermissions",
        "add the stored name of 'Step-by-step guides - Access' to the operators' profiles",
        _guide_permission,
    ),
    Assumption(
        "flow-log-group",
        "flow logs are on and go to the log group the stack made (with the country's retention)",
        "the admin guide says Connect creates /aws/connect/<alias>; it does not say it reuses an existing one",
        "connect:DescribeInstanceAttribute CONTACTFLOW_LOGS + logs:DescribeLogGroups",
        "enable flow logs on the instance; set the group's retention by hand (README, Flow logs)",
        _flow_logs,
    ),
    Assumption(
        "guide-contact-fields",
        "the guide's chat contact carries RelatedContactId = the voice call, and the guide's flow attributes "
        "never reach its contact record",
        "the ShowView pages say guides run as separate chat contacts; they do not list what that contact carries, "
        "and flow attributes are only said to be 'not carried over to the subsequent flows'",
        "connect:SearchContacts (CHAT) + DescribeContact + GetContactAttributes",
        "no RelatedContactId: pass the call's $.ContactId to the guide another documented way; personal keys in "
        "the record: keep them out of flow attributes and pass $.External straight to the next Lambda",
        _guide_contact,
    ),
    Assumption(
        "no-personal-attributes",
        "no live contact carries a personal value as a contact attribute",
        "the docs keep attributes with the contact record for 24 months; only a live call shows what the flows wrote",
        "connect:SearchContacts (VOICE) + GetContactAttributes",
        "find the flow block that wrote it (`helpline lint` rule for personal attributes) and remove it",
        _no_personal_attributes,
    ),
    Assumption(
        "survey-describe-fields",
        "DescribeContact of an outbound survey call gives DisconnectTimestamp and, when answered, "
        "ConnectedToSystemTimestamp (the survey runner settles calls with them)",
        "the API reference lists the fields but not when each is set for outbound calls",
        "connect:SearchContacts (API-initiated VOICE) + DescribeContact",
        "adapt functions/logic/campaign.py _call_status to the fields Connect sets",
        _survey_fields,
    ),
    Assumption(
        "live-test-results",
        "Connect accepts the generated test cases and they pass on the live instance",
        "the Testing language is new (2026); the offline simulator cannot prove Connect runs them the same way",
        "cloudformation:DescribeStacks (the test stack) + connect:ListTestCaseExecutions",
        "read the divergence `helpline smoke-test` prints and fix the simulator or the flow",
        _live_tests,
    ),
    Assumption(
        "outbound-caller-id",
        "the queues' outbound caller ID number can place calls (call-backs, surveys)",
        "toll-free numbers may not call out in every country (Telecoms Country Coverage Guide, per country); "
        "a UIFN cannot call out at all (outbound-calling-restrictions.html); a brought number's type is unknown "
        "before the deploy",
        "connect:DescribePhoneNumber",
        "set an outbound DID number in the country file (phone_number, docs/country-file.md)",
        _outbound_number,
    ),
    Assumption(
        "creation-throttling",
        "creating ~50 prompts and ~90 test cases in bounded batches stays under Connect's API rates",
        "CloudFormation's Connect handlers do not document their own retries on throttling",
        "cloudformation:DescribeStackEvents",
        "lower the batch sizes (stacks/constructs/telephony.py, the live-test stack) and deploy again",
        _throttling,
    ),
    Assumption(
        "pseudonym-latency",
        "one KMS GenerateMac per pseudonym keeps identify_caller well inside the flow's deadline",
        "the KMS docs give request quotas, not latency; the pseudonym used to be a local HMAC",
        "cloudwatch:GetMetricStatistics AWS/Lambda Duration p99 of identify_caller",
        "raise the function's timeouts budget (functions/deadline.py) or move the pseudonym to one Lambda per call",
        _pseudonym_latency,
    ),
    Assumption(
        "test-stack-parameters",
        "the test stack runs against the country stack as it is now (its SSM parameters are current)",
        "CloudFormation resolves SSM parameter types when the test stack is deployed; the docs do not say "
        "whether the CDK CLI redeploys a stack whose only change is a parameter's value",
        "cloudformation:DescribeStacks (ResolvedValue) + ssm:GetParameter",
        "deploy the test stack again: make deploy COUNTRY=<cc> FROM=tests (cdk deploy --force if nothing changed)",
        _test_stack_parameters,
    ),
    Assumption(
        "caller-address-format",
        "Connect gives the caller's number as ASCII E.164, or 'anonymous' when withheld",
        "the Lambda event page shows an example only; the API's Endpoint Address is typed 'String'",
        "connect:SearchContacts (INBOUND VOICE) + DescribeContact CustomerEndpoint",
        "nothing breaks (numbers are normalised at the edge); fix the simulator's model of the address",
        _caller_address,
    ),
    Assumption(
        "archive-stream-lag",
        "archive_records archives every stream record within the hour audit verify allows",
        "Lambda's stream retries and iterator age depend on the deployment",
        "cloudwatch:GetMetricStatistics AWS/Lambda IteratorAge (Maximum) of archive_records",
        "look at the function's errors and its on-failure queue; raise STREAM_GRACE in helpline/audit if it is slow only",
        _archive_lag,
    ),
)
