"""``helpline preflight XX``: read-only checks that a first ``cdk deploy`` can succeed.

Run by ``make deploy`` before ``cdk deploy``, with the deploying user's credentials. Every
check makes only read calls (List*, Describe*, Get*, Search*) and gives one line: PASS, FAIL
or WARN (cannot be decided before the deploy), with the concrete fix. What each check means:
``docs/preflight.md``.

AWS pages the calls and codes below were checked against:

- Connect ListInstances / DescribeInstance (InstanceStatus CREATION_IN_PROGRESS | ACTIVE |
  CREATION_FAILED, InboundCallsEnabled, OutboundCallsEnabled; failed instances are listed for
  24 hours): https://docs.aws.amazon.com/connect/latest/APIReference/API_ListInstances.html,
  https://docs.aws.amazon.com/connect/latest/APIReference/API_DescribeInstance.html
- CreateInstance (creations and deletions are capped per 30 days):
  https://docs.aws.amazon.com/connect/latest/APIReference/API_CreateInstance.html
- Quota "Amazon Connect instances per account", default 2, code L-AA17A6B9 (service code
  ``connect``): https://docs.aws.amazon.com/connect/latest/adminguide/amazon-connect-service-limits.html
- Service Quotas GetServiceQuota (NoSuchResourceException when only the default value exists)
  and GetAWSDefaultServiceQuota:
  https://docs.aws.amazon.com/servicequotas/2019-06-24/apireference/API_GetServiceQuota.html,
  https://docs.aws.amazon.com/servicequotas/2019-06-24/apireference/API_GetAWSDefaultServiceQuota.html
- SearchAvailablePhoneNumbers (TargetArn or InstanceId, PhoneNumberCountryCode,
  PhoneNumberType, PhoneNumberPrefix with "+"; AvailableNumbersList):
  https://docs.aws.amazon.com/connect/latest/APIReference/API_SearchAvailablePhoneNumbers.html
- DescribePhoneNumber -> ClaimedPhoneNumberSummary, PhoneNumberStatus.Status CLAIMED |
  IN_PROGRESS | FAILED: https://docs.aws.amazon.com/connect/latest/APIReference/API_DescribePhoneNumber.html,
  https://docs.aws.amazon.com/connect/latest/APIReference/API_PhoneNumberStatus.html
- Read-only Connect permissions (connect:List*, connect:Describe*, ds:DescribeDirectories):
  https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonConnectReadOnlyAccess.html
- CloudFormation DescribeStacks ("If the stack doesn't exist, a ValidationError is returned"),
  StackStatus values: https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStacks.html,
  https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_Stack.html
- SSM GetParameter ParameterNotFound:
  https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameter.html
- CDK bootstrap (stack CDKToolkit, ``cdk bootstrap aws://ACCOUNT/REGION``; the default
  synthesizer needs bootstrap version >= 6 in /cdk-bootstrap/hnb659fds/version):
  https://docs.aws.amazon.com/cdk/v2/guide/ref-cli-cmd-bootstrap.html
"""

from __future__ import annotations

import contextlib
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError

if TYPE_CHECKING:  # pragma: no cover
    import boto3

    from helpline.config import CountryConfig

Status = Literal["PASS", "WARN", "FAIL"]

CONNECT_INSTANCE_QUOTA_CODE = "L-AA17A6B9"  # "Amazon Connect instances per account" (service code connect)
CONNECT_INSTANCE_QUOTA_DEFAULT = 2
BOOTSTRAP_STACK = "CDKToolkit"
BOOTSTRAP_VERSION_PARAMETER = "/cdk-bootstrap/hnb659fds/version"
MIN_BOOTSTRAP_VERSION = 6  # DefaultStackSynthesizer's MIN_BOOTSTRAP_STACK_VERSION
CONNECT_READ_POLICY = "the AWS managed policy AmazonConnectReadOnlyAccess has it"
# A stack in one of these states can be used by ``cdk deploy``. ROLLBACK_COMPLETE (the first
# create failed) and DELETE_COMPLETE end in _COMPLETE too, but leave no usable bootstrap.
USABLE_STACK_STATES = frozenset(
    {"CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "IMPORT_COMPLETE", "IMPORT_ROLLBACK_COMPLETE"}
)
_DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedException"}
_BAD_CREDENTIALS = {
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "SignatureDoesNotMatch",
    "IncompleteSignature",
}


class PreflightError(Exception):
    """Preflight cannot run at all (credentials rejected); the CLI prints it and exits 2."""


@dataclass(frozen=True)
class Check:
    """One line of the report."""

    name: str
    status: Status
    detail: str
    fix: str = ""

    @property
    def failed(self) -> bool:
        return self.status == "FAIL"

    def line(self) -> str:
        return f"{self.status:<4}  {self.name:<14} {self.detail}" + (f"; fix: {self.fix}" if self.fix else "")


# ---------------------------------------------------------------- helpers


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _message(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Message", "")).strip()


def _denied(exc: ClientError) -> bool:
    return _code(exc) in _DENIED


def _raise_if_bad_credentials(exc: ClientError) -> None:
    if _code(exc) in _BAD_CREDENTIALS:
        raise PreflightError(f"AWS rejected the credentials: {_code(exc)}: {_message(exc)}") from exc


def _api_failure(name: str, what: str, exc: ClientError, action: str, hint: str = "") -> Check:
    """FAIL line for a call that errored; an AccessDenied names the missing permission."""
    _raise_if_bad_credentials(exc)
    if _denied(exc):
        return Check(
            name,
            "FAIL",
            f"{what}: access denied ({action})",
            f"grant {action} to the deploying identity (read-only)" + (f"; {hint}" if hint else ""),
        )
    return Check(name, "FAIL", f"{what}: {_code(exc)}: {_message(exc)}")


def _resource_id(arn: str) -> str:
    """``arn:...:instance/<id>`` or ``arn:...:phone-number/<id>`` -> ``<id>``."""
    return arn.rsplit("/", 1)[-1]


def _arn_region(arn: str) -> str:
    return arn.split(":")[3]


def list_instances(connect: Any) -> list[dict]:
    """Every instance in the account and Region (ListInstances, paginated, 10 per page)."""
    instances: list[dict] = []
    for page in connect.get_paginator("list_instances").paginate(PaginationConfig={"PageSize": 10}):
        instances.extend(page.get("InstanceSummaryList", []))
    return instances


def stack_instance_ids(cfn: Any, stack_name: str) -> set[str] | None:
    """ARN/id of the AWS::Connect::Instance the stack already owns (a re-deploy reuses it).

    Empty if the stack does not exist yet (ValidationError); None if it cannot be read.
    """
    owned: set[str] = set()
    try:
        for page in cfn.get_paginator("list_stack_resources").paginate(StackName=stack_name):
            for res in page.get("StackResourceSummaries", []):
                if res.get("ResourceType") == "AWS::Connect::Instance" and res.get("PhysicalResourceId"):
                    owned.add(res["PhysicalResourceId"])
                    owned.add(_resource_id(res["PhysicalResourceId"]))
    except ClientError as exc:
        _raise_if_bad_credentials(exc)
        return set() if _code(exc) == "ValidationError" else None
    return owned


def _is_own(instance: dict, own: set[str] | None) -> bool:
    return bool(own) and (instance.get("Arn") in own or instance.get("Id") in own)


# ---------------------------------------------------------------- checks


def check_account(sts: Any, cfg: CountryConfig) -> tuple[Check, str]:
    """STS GetCallerIdentity (needs no permission): who deploys, and is it the pinned account?"""
    try:
        ident = sts.get_caller_identity()
    except ClientError as exc:
        _raise_if_bad_credentials(exc)
        raise PreflightError(f"STS GetCallerIdentity failed: {_code(exc)}: {_message(exc)}") from exc
    account = ident["Account"]
    who = f"{account} as {ident.get('Arn', '?')}"
    if cfg.account and cfg.account != account:
        return (
            Check(
                "account",
                "FAIL",
                f"{who}, but {cfg.code}.yaml pins account {cfg.account}",
                f"use credentials of account {cfg.account} (--profile / AWS_PROFILE) or change account:",
            ),
            account,
        )
    return Check("account", "PASS", who), account


def check_region(connect: Any, region: str, offered: Collection[str]) -> tuple[Check, list[dict] | None]:
    """Connect is offered in ``region`` (botocore's endpoint data) and answers this account.

    Returns the check and, when ListInstances worked, every instance (used by later checks).
    """
    listed = region in offered
    try:
        instances = list_instances(connect)
    except EndpointConnectionError:
        if listed:
            raise  # offered, but unreachable: a network problem, not a finding (exit 2)
        return (
            Check(
                "region",
                "FAIL",
                f"Amazon Connect is not offered in {region} (not in botocore's endpoint data; no endpoint answers)",
                f"set region: to a Region with Amazon Connect ({', '.join(sorted(offered))})",
            ),
            None,
        )
    except ClientError as exc:
        what = f"Amazon Connect in {region}: ListInstances"
        return _api_failure(
            "region", what, exc, "connect:ListInstances and ds:DescribeDirectories", CONNECT_READ_POLICY
        ), None
    note = "" if listed else " (botocore's endpoint data does not list it: upgrade boto3)"
    return (
        Check(
            "region", "PASS", f"Amazon Connect answers in {region}: {len(instances)} instance(s) in the account{note}"
        ),
        instances,
    )


def instance_quota(quotas: Any) -> tuple[float | None, str]:
    """The applied value of "Amazon Connect instances per account" and where it came from.

    GetServiceQuota answers NoSuchResourceException when no applied value exists; then the
    default (GetAWSDefaultServiceQuota) applies. (None, reason) when neither can be read.
    """
    args = {"ServiceCode": "connect", "QuotaCode": CONNECT_INSTANCE_QUOTA_CODE}
    try:
        return float(quotas.get_service_quota(**args)["Quota"]["Value"]), "applied quota"
    except ClientError as exc:
        _raise_if_bad_credentials(exc)
        if _denied(exc):
            return None, "servicequotas:GetServiceQuota denied"
        if _code(exc) != "NoSuchResourceException":
            return None, f"GetServiceQuota: {_code(exc)}"
    try:
        return float(quotas.get_aws_default_service_quota(**args)["Quota"]["Value"]), "default quota"
    except ClientError as exc:
        _raise_if_bad_credentials(exc)
        return None, f"GetAWSDefaultServiceQuota: {_code(exc)}"


QUOTA_FIX = (
    f"request an increase of 'Amazon Connect instances per account' (Service Quotas, connect {CONNECT_INSTANCE_QUOTA_CODE}), "
    "or set instance.arn: to an existing instance; instance creations and deletions are also capped per 30 days, "
    "so deleting one to make room can block creating another"
)


def check_instance_quota(quotas: Any, instances: list[dict] | None, own: set[str] | None, region: str) -> Check:
    """No instance.arn: the stack creates an instance, so the account needs room for one more."""
    if instances is None:
        return Check("instance", "WARN", "cannot count instances (ListInstances failed, see 'region')")
    mine = [i for i in instances if _is_own(i, own)]
    if mine:
        alias = mine[0].get("InstanceAlias", mine[0].get("Id"))
        return Check("instance", "PASS", f"the stack already owns instance '{alias}': no new instance is created")
    # Failed creations are listed for 24 hours only; count the instances that exist.
    count = sum(1 for i in instances if i.get("InstanceStatus") != "CREATION_FAILED")
    quota, source = instance_quota(quotas)
    unknown_stack = "" if own is not None else " (could not read the stack: cloudformation:ListStackResources)"
    if quota is None:
        return Check(
            "instance",
            "WARN",
            f"{count} instance(s) in {region}; quota unreadable ({source}); the default is "
            f"{CONNECT_INSTANCE_QUOTA_DEFAULT}{unknown_stack}",
            "grant servicequotas:GetServiceQuota, or compare with the quota in the Service Quotas console; "
            + QUOTA_FIX,
        )
    headroom = int(quota) - count
    used = f"{count} of {int(quota)} instance(s) used in {region} ({source} {CONNECT_INSTANCE_QUOTA_CODE})"
    if headroom >= 1:
        return Check("instance", "PASS", f"{used}: room for the new instance{unknown_stack}")
    return Check("instance", "FAIL", f"{used}: no room for the new instance{unknown_stack}", QUOTA_FIX)


def check_byo_instance(connect: Any, cfg: CountryConfig) -> Check:
    """instance.arn: DescribeInstance finds it, ACTIVE, inbound (and outbound) calls enabled."""
    arn = cfg.instance.arn or ""
    if _arn_region(arn) != cfg.region:
        return Check(
            "instance",
            "FAIL",
            f"instance.arn is in {_arn_region(arn)}, the country deploys to {cfg.region}",
            f"set region: {_arn_region(arn)} or name an instance in {cfg.region}",
        )
    try:
        inst = connect.describe_instance(InstanceId=_resource_id(arn))["Instance"]
    except ClientError as exc:
        if _code(exc) == "ResourceNotFoundException":
            return Check(
                "instance",
                "FAIL",
                f"instance {_resource_id(arn)} not found in this account and {cfg.region}",
                "check instance.arn and that --profile / AWS_PROFILE is the instance's account",
            )
        return _api_failure(
            "instance",
            "DescribeInstance",
            exc,
            "connect:DescribeInstance and ds:DescribeDirectories",
            CONNECT_READ_POLICY,
        )
    alias = inst.get("InstanceAlias", inst.get("Id"))
    status = inst.get("InstanceStatus")
    if status != "ACTIVE":
        reason = (inst.get("StatusReason") or {}).get("Message", "")
        return Check(
            "instance",
            "FAIL",
            f"instance '{alias}' is {status}" + (f" ({reason})" if reason else ""),
            "wait until it is ACTIVE, or set instance.arn to an ACTIVE instance",
        )
    off = []
    if not inst.get("InboundCallsEnabled"):
        off.append("inbound")
    if cfg.instance.outbound_calls and not inst.get("OutboundCallsEnabled"):
        off.append("outbound")
    if off:
        return Check(
            "instance",
            "FAIL",
            f"instance '{alias}' is ACTIVE but {' and '.join(off)} calls are disabled",
            f"enable {' and '.join(off)} calls (Amazon Connect console > instance > Telephony)"
            + (", or set instance.outbound_calls: false" if "outbound" in off else ""),
        )
    calls = "inbound and outbound" if cfg.instance.outbound_calls else "inbound"
    return Check("instance", "PASS", f"bring-your-own instance '{alias}' is ACTIVE with {calls} calls")


def check_instance(
    cfg: CountryConfig, connect: Any, quotas: Any, instances: list[dict] | None, own: set[str] | None
) -> Check:
    if cfg.instance.arn:
        return check_byo_instance(connect, cfg)
    return check_instance_quota(quotas, instances, own, cfg.region)


def check_alias(cfg: CountryConfig, instances: list[dict] | None, own: set[str] | None) -> Check:
    """A configured alias is not taken by another instance in this account and Region.

    Aliases are unique across every Connect instance of every account; other accounts cannot
    be searched, so only CreateInstance itself can prove that part.
    """
    if cfg.instance.arn:
        return Check("alias", "PASS", "bring-your-own instance: no alias is created")
    alias = cfg.instance.alias
    if not alias:
        return Check("alias", "PASS", "derived per stack (unique)")
    if instances is None:
        return Check("alias", "WARN", f"'{alias}': cannot list instances (see 'region')")
    # The alias becomes a host name (<alias>.my.connect.aws), so compare without case.
    taken = [i for i in instances if str(i.get("InstanceAlias", "")).lower() == alias.lower()]
    if taken and all(_is_own(i, own) for i in taken):
        return Check("alias", "PASS", f"'{alias}' is this stack's own instance")
    if taken:
        return Check(
            "alias",
            "FAIL",
            f"'{alias}' is already used by instance {taken[0].get('Id')} in this account and Region",
            "choose another instance.alias, or set instance.arn: to that instance to use it",
        )
    return Check(
        "alias",
        "PASS",
        f"'{alias}' is free in this account and Region (uniqueness across all AWS accounts is only known at create)",
    )


NUMBER_FIX = (
    "toll-free and local numbers in many countries need a support case with documents: claim the number in the "
    "Amazon Connect console (or through that case) and set phone_number.arn: to it, "
    "or change phone_number.type / prefix"
)


def _search_target(cfg: CountryConfig, instances: list[dict] | None, own: set[str] | None) -> str | None:
    if cfg.instance.arn:
        return cfg.instance.arn
    candidates = [i for i in instances or [] if i.get("InstanceStatus") == "ACTIVE"]
    candidates.sort(key=lambda i: not _is_own(i, own))  # the stack's own instance first
    return candidates[0]["Arn"] if candidates else None


def check_available_numbers(
    cfg: CountryConfig,
    connect: Any,
    instances: list[dict] | None,
    own: set[str] | None,
    number: Any = None,
    name: str = "phone-number",
) -> Check:
    """No ``arn``: SearchAvailablePhoneNumbers finds the requested type/country/prefix (the inbound
    number, or ``number`` = phone_number.outbound under the check ``name``)."""
    number = number or cfg.phone_number
    wanted = f"{number.type} {number.country_code}" + (f" {number.prefix}" if number.prefix else "")
    target = _search_target(cfg, instances, own)
    if target is None and instances is None:
        return Check(name, "WARN", f"{wanted}: cannot list instances to search with (see 'region')")
    if target is None:
        return Check(
            name,
            "WARN",
            f"{wanted}: can only be searched once an instance exists in {cfg.region}",
            "rerun preflight after the instance exists; " + NUMBER_FIX,
        )
    args = {
        "TargetArn": target,
        "PhoneNumberCountryCode": number.country_code,
        "PhoneNumberType": number.type,
        "MaxResults": 10,
    }
    if number.prefix:
        args["PhoneNumberPrefix"] = number.prefix
    try:
        found = connect.search_available_phone_numbers(**args).get("AvailableNumbersList", [])
    except ClientError as exc:
        if _code(exc) == "InvalidParameterException":
            return Check(name, "FAIL", f"{wanted}: {_message(exc) or 'not a valid request'}", NUMBER_FIX)
        return _api_failure(name, f"{wanted}: SearchAvailablePhoneNumbers", exc, "connect:SearchAvailablePhoneNumbers")
    if not found:
        return Check(name, "FAIL", f"{wanted}: no number available to claim", NUMBER_FIX)
    more = "+" if len(found) >= 10 else ""
    return Check(name, "PASS", f"{wanted}: {len(found)}{more} available to claim, e.g. {found[0].get('PhoneNumber')}")


def check_claimed_number(
    cfg: CountryConfig, connect: Any, own: set[str] | None, number: Any = None, name: str = "phone-number"
) -> Check:
    """``arn``: DescribePhoneNumber finds it, CLAIMED, in the country's Region."""
    arn = (number or cfg.phone_number).arn or ""
    field = "phone_number.outbound.arn" if number is not None else "phone_number.arn"
    if _arn_region(arn) != cfg.region:
        return Check(
            name,
            "FAIL",
            f"{field} is in {_arn_region(arn)}, the country deploys to {cfg.region}",
            f"claim a number in {cfg.region} and set {field}: to it",
        )
    try:
        summary = connect.describe_phone_number(PhoneNumberId=_resource_id(arn))["ClaimedPhoneNumberSummary"]
    except ClientError as exc:
        if _code(exc) == "ResourceNotFoundException":
            return Check(
                name,
                "FAIL",
                f"number {_resource_id(arn)} not found in this account and {cfg.region}",
                f"check {field} and that --profile / AWS_PROFILE is the number's account",
            )
        return _api_failure(name, "DescribePhoneNumber", exc, "connect:DescribePhoneNumber")
    shown = summary.get("PhoneNumber", _resource_id(arn))
    state = summary.get("PhoneNumberStatus") or {}
    if state.get("Status") != "CLAIMED":
        reason = f" ({state['Message']})" if state.get("Message") else ""
        return Check(
            name,
            "FAIL",
            f"{shown} is {state.get('Status', 'not claimed')}{reason}",
            "wait for IN_PROGRESS to finish, or claim the number again (Amazon Connect console) and rerun",
        )
    target = summary.get("TargetArn", "")
    if cfg.instance.arn and target != cfg.instance.arn:
        return Check(
            name,
            "FAIL",
            f"{shown} is CLAIMED to {target or 'nothing'}, not to instance.arn",
            "claim the number to the instance in instance.arn (or name that number's instance there)",
        )
    if not cfg.instance.arn and not (own and (target in own or _resource_id(target) in own)):
        # The stack attaches the number's entry flow on its own instance, which fails for a
        # number claimed to another instance. Unknown (None) if the stack could not be read.
        return Check(
            name,
            "WARN" if own is None else "FAIL",
            f"{shown} is CLAIMED to {target or 'nothing'}, not to the instance the stack creates"
            + (" (could not read the stack: cloudformation:ListStackResources)" if own is None else ""),
            "set instance.arn: to the instance the number is claimed to",
        )
    return Check(name, "PASS", f"{shown} is CLAIMED in {cfg.region} to the helpline's instance")


def check_phone_number(cfg: CountryConfig, connect: Any, instances: list[dict] | None, own: set[str] | None) -> Check:
    if cfg.phone_number.arn:
        return check_claimed_number(cfg, connect, own)
    return check_available_numbers(cfg, connect, instances, own)


def check_outbound_number(
    cfg: CountryConfig, connect: Any, instances: list[dict] | None, own: set[str] | None
) -> Check | None:
    """phone_number.outbound (the caller ID of callbacks and surveys): the same checks as the inbound number."""
    outbound = cfg.phone_number.outbound
    if outbound is None:
        return None
    if outbound.arn:
        return check_claimed_number(cfg, connect, own, outbound, "outbound-number")
    return check_available_numbers(cfg, connect, instances, own, outbound, "outbound-number")


def _show(item: Any) -> str:
    """A prompt file (path relative to the working folder) or a (file, reason) pair."""
    if isinstance(item, tuple) and len(item) == 2:
        return f"{_show(item[0])}: {item[1]}"
    if isinstance(item, Path):
        with contextlib.suppress(ValueError):
            return str(item.resolve().relative_to(Path.cwd()))
    return str(item)


def _few(items: Iterable[Any], n: int = 3) -> str:
    names = [_show(i) for i in items]
    return ", ".join(names[:n]) + (f", ... ({len(names)} in all)" if len(names) > n else "")


def check_recordings(cfg: CountryConfig) -> Check:
    """Every recorded prompt of every ``recorded: true`` language exists and is valid."""
    try:
        from helpline.prompts import check_prompts
    except ImportError:
        return Check("recordings", "WARN", "helpline.prompts is not installed; recordings not checked")
    report = check_prompts(cfg)
    missing, invalid, placeholders = list(report.missing), list(report.invalid), list(report.placeholders)
    if missing or invalid or not report.ok:
        parts = [f"{len(missing)} missing ({_few(missing)})"] if missing else []
        if invalid:
            parts.append(f"{len(invalid)} invalid ({_few(invalid)})")
        return Check(
            "recordings",
            "FAIL",
            ", ".join(parts) or "the prompts check did not pass",
            f"record them (docs/recording-prompts.md; list: helpline prompts {cfg.code}), "
            f"or generate stand-ins: helpline prompts {cfg.code} --placeholders",
        )
    if placeholders:
        return Check(
            "recordings",
            "WARN",
            f"{len(placeholders)} placeholder recording(s) still in use ({_few(placeholders)})",
            "replace them with real recordings before the line goes live",
        )
    recorded = [lang.code for lang in cfg.languages if lang.recorded]
    if not recorded:
        return Check("recordings", "PASS", "no recorded language: Amazon Polly speaks every prompt")
    return Check("recordings", "PASS", f"every prompt recorded for {', '.join(recorded)}")


def check_bootstrap(cfn: Any, ssm: Any, account: str, region: str) -> Check:
    """The CDK bootstrap stack CDKToolkit is usable and its version parameter is recent enough."""
    fix = f"npx --yes aws-cdk bootstrap aws://{account}/{region}"
    try:
        stacks = cfn.describe_stacks(StackName=BOOTSTRAP_STACK).get("Stacks", [])
    except ClientError as exc:
        if _code(exc) == "ValidationError":
            return Check("cdk-bootstrap", "FAIL", f"no {BOOTSTRAP_STACK} stack in {account}/{region}", fix)
        return _api_failure("cdk-bootstrap", f"DescribeStacks {BOOTSTRAP_STACK}", exc, "cloudformation:DescribeStacks")
    status = stacks[0].get("StackStatus", "?") if stacks else "missing"
    if status not in USABLE_STACK_STATES:
        extra = (
            f" (delete the stack {BOOTSTRAP_STACK} first)" if status in {"ROLLBACK_COMPLETE", "ROLLBACK_FAILED"} else ""
        )
        return Check(
            "cdk-bootstrap",
            "FAIL",
            f"{BOOTSTRAP_STACK} is {status}",
            ("wait for it to finish, then " if "PROGRESS" in status else "") + fix + extra,
        )
    try:
        raw = ssm.get_parameter(Name=BOOTSTRAP_VERSION_PARAMETER)["Parameter"]["Value"]
    except ClientError as exc:
        if _code(exc) == "ParameterNotFound":
            return Check(
                "cdk-bootstrap",
                "FAIL",
                f"{BOOTSTRAP_STACK} is {status} but {BOOTSTRAP_VERSION_PARAMETER} is missing (custom qualifier?)",
                fix,
            )
        return _api_failure("cdk-bootstrap", f"GetParameter {BOOTSTRAP_VERSION_PARAMETER}", exc, "ssm:GetParameter")
    try:
        version = int(raw)
    except ValueError:
        return Check("cdk-bootstrap", "FAIL", f"{BOOTSTRAP_VERSION_PARAMETER} is '{raw}', not a number", fix)
    if version < MIN_BOOTSTRAP_VERSION:
        return Check(
            "cdk-bootstrap",
            "FAIL",
            f"bootstrap version {version} is older than {MIN_BOOTSTRAP_VERSION}",
            fix + " (upgrades it)",
        )
    return Check("cdk-bootstrap", "PASS", f"{BOOTSTRAP_STACK} {status}, bootstrap version {version}")


# ---------------------------------------------------------------- run

_FATAL_FIX = {
    "NoCredentialsError": "configure credentials (aws configure, aws sso login) or pass --profile",
    "ProfileNotFound": "check --profile / AWS_PROFILE against ~/.aws/config",
    "PartialCredentialsError": "complete the credentials (access key id and secret key)",
    "EndpointConnectionError": "check the network, proxy (HTTPS_PROXY) and the Region",
    "ConnectTimeoutError": "check the network, proxy (HTTPS_PROXY) and the Region",
    "SSOTokenLoadError": "aws sso login --profile <profile>",
    "TokenRetrievalError": "aws sso login --profile <profile>",
}


def fatal_line(exc: Exception) -> str:
    """One line for an error that stops every check (the CLI exits 2)."""
    name = type(exc).__name__
    fix = _FATAL_FIX.get(name, "check the AWS credentials and the network")
    return f"{name}: {exc}; fix: {fix}"


def make_clients(session: boto3.Session, region: str) -> dict[str, Any]:
    config = Config(connect_timeout=10, read_timeout=30, retries={"mode": "standard", "max_attempts": 4})
    return {
        name: session.client(name, region_name=region, config=config)
        for name in ("sts", "connect", "service-quotas", "cloudformation", "ssm")
    }


def connect_regions(session: boto3.Session, region: str) -> list[str]:
    """Regions of the partition of ``region`` where botocore's endpoint data lists Connect."""
    partition = session.get_partition_for_region(region) if hasattr(session, "get_partition_for_region") else "aws"
    return session.get_available_regions("connect", partition_name=partition)


def run_preflight(cfg: CountryConfig, session: boto3.Session) -> list[Check]:
    """Every check, in order; read-only calls only. Raises PreflightError / botocore errors
    (NoCredentialsError, EndpointConnectionError, ...) when nothing can be checked."""
    c = make_clients(session, cfg.region)
    account_check, account = check_account(c["sts"], cfg)
    region_check, instances = check_region(c["connect"], cfg.region, connect_regions(session, cfg.region))
    own = stack_instance_ids(c["cloudformation"], cfg.stack_name) if not cfg.instance.arn else set()
    return [
        account_check,
        region_check,
        check_instance(cfg, c["connect"], c["service-quotas"], instances, own),
        check_alias(cfg, instances, own),
        check_phone_number(cfg, c["connect"], instances, own),
        *filter(None, [check_outbound_number(cfg, c["connect"], instances, own)]),
        check_recordings(cfg),
        check_bootstrap(c["cloudformation"], c["ssm"], account, cfg.region),
    ]
