"""``helpline preflight``: every check's PASS, FAIL and WARN paths on stubbed AWS clients (botocore
Stubber, no network), and the CLI's lines and exit codes (0 / 1 on a FAIL / 2 when AWS cannot be asked)."""

from __future__ import annotations

import sys
import types
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import EndpointConnectionError
from botocore.stub import Stubber
from typer.testing import CliRunner

from helpline import preflight as pf
from helpline.cli import app
from helpline.config import load_country

ACCOUNT = "123456789012"
REGION = "eu-central-1"
INSTANCE_ID = "00000000-0000-4000-8000-000000000000"
INSTANCE_ARN = f"arn:aws:connect:{REGION}:{ACCOUNT}:instance/{INSTANCE_ID}"
OTHER_ID = "11111111-1111-4111-8111-111111111111"
OTHER_ARN = f"arn:aws:connect:{REGION}:{ACCOUNT}:instance/{OTHER_ID}"
NUMBER_ID = "22222222-2222-4222-8222-222222222222"
NUMBER_ARN = f"arn:aws:connect:{REGION}:{ACCOUNT}:phone-number/{NUMBER_ID}"
SERVICES = ("sts", "connect", "service-quotas", "cloudformation", "ssm")
OFFERED = boto3.Session(region_name=REGION).get_available_regions("connect")

runner = CliRunner()


# One session for every test: botocore loads each service model once per session.
_SESSION = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)


class Stubs:
    """A stubbed client per service (made on first use); ``ok``/``err`` queue a response in call order."""

    def __init__(self) -> None:
        self.clients: dict[str, Any] = {}
        self.stubbers: dict[str, Stubber] = {}

    def __getitem__(self, name: str) -> Any:
        assert name in SERVICES, name
        if name not in self.clients:
            self.clients[name] = _SESSION.client(name, region_name=REGION)
            self.stubbers[name] = Stubber(self.clients[name])
            self.stubbers[name].activate()
        return self.clients[name]

    def ok(self, service: str, method: str, response: dict, params: dict | None = None) -> None:
        self[service]
        self.stubbers[service].add_response(method, response, params)

    def err(self, service: str, method: str, code: str, message: str = "", status: int = 400, params=None) -> None:
        self[service]
        self.stubbers[service].add_client_error(method, code, message, status, expected_params=params)

    def done(self) -> None:
        for stubber in self.stubbers.values():
            stubber.assert_no_pending_responses()


class FakeSession(boto3.Session):
    """A real boto3 Session (endpoint data, partitions) whose clients are the stubbed ones."""

    def __init__(self, stubs: Stubs) -> None:
        super().__init__(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)
        self._stubs = stubs

    def client(self, service_name: str, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        return self._stubs[service_name]


@pytest.fixture
def stubs():
    s = Stubs()
    yield s
    s.done()


@pytest.fixture
def pl():
    return load_country("pl")


def byo_instance(cfg, **extra):
    return cfg.model_copy(update={"instance": cfg.instance.model_copy(update={"arn": INSTANCE_ARN, **extra})})


def byo_number(cfg, arn=NUMBER_ARN):
    return cfg.model_copy(update={"phone_number": cfg.phone_number.model_copy(update={"arn": arn})})


def with_alias(cfg, alias):
    return cfg.model_copy(update={"instance": cfg.instance.model_copy(update={"alias": alias})})


def inst(arn=OTHER_ARN, alias="other-line", status="ACTIVE", **extra) -> dict:
    return {
        "Id": arn.rsplit("/", 1)[-1],
        "Arn": arn,
        "IdentityManagementType": "CONNECT_MANAGED",
        "InstanceAlias": alias,
        "InstanceStatus": status,
        "InboundCallsEnabled": True,
        "OutboundCallsEnabled": True,
        **extra,
    }


def quota(value: float) -> dict:
    return {"Quota": {"ServiceCode": "connect", "QuotaCode": pf.CONNECT_INSTANCE_QUOTA_CODE, "Value": value}}


QUOTA_PARAMS = {"ServiceCode": "connect", "QuotaCode": "L-AA17A6B9"}


# ---------------------------------------------------------------- account


def test_account_pass_names_account_and_caller(stubs, pl):
    stubs.ok(
        "sts",
        "get_caller_identity",
        {"Account": ACCOUNT, "Arn": f"arn:aws:iam::{ACCOUNT}:user/deployer", "UserId": "AID"},
    )
    check, account = pf.check_account(stubs["sts"], pl)
    assert (check.status, account) == ("PASS", ACCOUNT) and "user/deployer" in check.detail


def test_account_fails_when_the_country_pins_another_account(stubs, pl):
    stubs.ok(
        "sts",
        "get_caller_identity",
        {"Account": ACCOUNT, "Arn": f"arn:aws:iam::{ACCOUNT}:user/deployer", "UserId": "AID"},
    )
    check, _ = pf.check_account(stubs["sts"], pl.model_copy(update={"account": "999999999999"}))
    assert check.status == "FAIL" and "999999999999" in check.detail and "--profile" in check.fix


def test_rejected_credentials_stop_the_run(stubs, pl):
    stubs.err(
        "sts", "get_caller_identity", "ExpiredToken", "The security token included in the request is expired", 403
    )
    with pytest.raises(pf.PreflightError, match="ExpiredToken"):
        pf.check_account(stubs["sts"], pl)


# ---------------------------------------------------------------- region


def test_region_pass_counts_every_page_of_instances(stubs):
    page1 = [
        inst(f"arn:aws:connect:{REGION}:{ACCOUNT}:instance/{i:08d}-0000-4000-8000-000000000000") for i in range(10)
    ]
    stubs.ok("connect", "list_instances", {"InstanceSummaryList": page1, "NextToken": "t"}, {"MaxResults": 10})
    stubs.ok("connect", "list_instances", {"InstanceSummaryList": [inst()]}, {"MaxResults": 10, "NextToken": "t"})
    check, instances = pf.check_region(stubs["connect"], REGION, OFFERED)
    assert check.status == "PASS" and len(instances) == 11 and "11 instance(s)" in check.detail


def test_region_access_denied_names_the_missing_permission(stubs):
    stubs.err("connect", "list_instances", "AccessDeniedException", "not authorized", 403)
    check, instances = pf.check_region(stubs["connect"], REGION, OFFERED)
    assert check.status == "FAIL" and instances is None
    assert "connect:ListInstances" in check.fix and "AmazonConnectReadOnlyAccess" in check.fix


class Unreachable:
    def get_paginator(self, name):
        raise EndpointConnectionError(endpoint_url=f"https://connect.{name}.amazonaws.com")


def test_region_not_offered_fails_with_the_regions_that_are():
    check, _ = pf.check_region(Unreachable(), "eu-west-1", OFFERED)
    assert check.status == "FAIL" and "not offered in eu-west-1" in check.detail and "eu-central-1" in check.fix


def test_region_offered_but_unreachable_is_a_network_error_not_a_finding():
    with pytest.raises(EndpointConnectionError):
        pf.check_region(Unreachable(), REGION, OFFERED)


def test_region_missing_from_old_endpoint_data_still_passes_when_connect_answers(stubs):
    stubs.ok("connect", "list_instances", {"InstanceSummaryList": []})
    check, _ = pf.check_region(stubs["connect"], REGION, ["us-east-1"])
    assert check.status == "PASS" and "upgrade boto3" in check.detail


# ---------------------------------------------------------------- instance quota


def test_quota_2_with_2_instances_fails(stubs):
    stubs.ok("service-quotas", "get_service_quota", quota(2.0), QUOTA_PARAMS)
    check = pf.check_instance_quota(stubs["service-quotas"], [inst(), inst(INSTANCE_ARN, "x")], set(), REGION)
    assert check.status == "FAIL" and "2 of 2" in check.detail
    assert "instance.arn" in check.fix and "30 days" in check.fix and "L-AA17A6B9" in check.fix


def test_quota_3_with_2_instances_passes(stubs):
    stubs.ok("service-quotas", "get_service_quota", quota(3.0), QUOTA_PARAMS)
    check = pf.check_instance_quota(stubs["service-quotas"], [inst(), inst(INSTANCE_ARN, "x")], set(), REGION)
    assert check.status == "PASS" and "2 of 3" in check.detail


def test_failed_creations_do_not_count(stubs):
    stubs.ok("service-quotas", "get_service_quota", quota(2.0))
    check = pf.check_instance_quota(
        stubs["service-quotas"], [inst(), inst(INSTANCE_ARN, "x", "CREATION_FAILED")], set(), REGION
    )
    assert check.status == "PASS" and "1 of 2" in check.detail


def test_quota_without_applied_value_uses_the_default(stubs):
    stubs.err("service-quotas", "get_service_quota", "NoSuchResourceException", "no applied value", params=QUOTA_PARAMS)
    stubs.ok("service-quotas", "get_aws_default_service_quota", quota(2.0), QUOTA_PARAMS)
    full = pf.check_instance_quota(stubs["service-quotas"], [inst(), inst(INSTANCE_ARN)], set(), REGION)
    assert full.status == "FAIL" and "default quota" in full.detail


def test_unreadable_quota_warns(stubs):
    stubs.err("service-quotas", "get_service_quota", "AccessDeniedException", "denied", 403)
    check = pf.check_instance_quota(stubs["service-quotas"], [inst()], set(), REGION)
    assert check.status == "WARN" and "servicequotas:GetServiceQuota" in check.detail + check.fix


def test_redeploy_reuses_the_stacks_own_instance_without_asking_the_quota(stubs):
    check = pf.check_instance_quota(
        stubs["service-quotas"], [inst(), inst(INSTANCE_ARN, "mine")], {INSTANCE_ARN}, REGION
    )
    assert check.status == "PASS" and "'mine'" in check.detail  # no GetServiceQuota was queued: none was made


def test_quota_warns_when_instances_could_not_be_listed(stubs):
    assert pf.check_instance_quota(stubs["service-quotas"], None, set(), REGION).status == "WARN"


def test_own_instance_ids_come_from_the_stack_resources(stubs):
    stubs.ok(
        "cloudformation",
        "list_stack_resources",
        {
            "StackResourceSummaries": [
                {
                    "LogicalResourceId": "Instance",
                    "PhysicalResourceId": INSTANCE_ARN,
                    "ResourceType": "AWS::Connect::Instance",
                    "LastUpdatedTimestamp": "2026-01-01T00:00:00Z",
                    "ResourceStatus": "CREATE_COMPLETE",
                }
            ]
        },
        {"StackName": "Helpline-PL-prod"},
    )
    stubs.err(
        "cloudformation", "list_stack_resources", "ValidationError", "Stack with id Helpline-PL-dev does not exist"
    )
    stubs.err("cloudformation", "list_stack_resources", "AccessDenied", "not authorized", 403)
    assert pf.stack_instance_ids(stubs["cloudformation"], "Helpline-PL-prod") == {INSTANCE_ARN, INSTANCE_ID}
    assert pf.stack_instance_ids(stubs["cloudformation"], "Helpline-PL-dev") == set()
    assert pf.stack_instance_ids(stubs["cloudformation"], "Helpline-PL-dev") is None


# ---------------------------------------------------------------- bring-your-own instance


def describe(**fields) -> dict:
    return {"Instance": inst(INSTANCE_ARN, "byo", **fields)}


def test_byo_instance_active_with_calls_passes(stubs, pl):
    stubs.ok("connect", "describe_instance", describe(), {"InstanceId": INSTANCE_ID})
    check = pf.check_instance(byo_instance(pl), stubs["connect"], stubs["service-quotas"], None, set())
    assert check.status == "PASS" and "'byo' is ACTIVE with inbound and outbound" in check.detail


@pytest.mark.parametrize(
    ("fields", "outbound", "status", "words"),
    [
        ({"OutboundCallsEnabled": False}, True, "FAIL", "outbound calls are disabled"),
        ({"OutboundCallsEnabled": False}, False, "PASS", "with inbound calls"),
        ({"InboundCallsEnabled": False}, False, "FAIL", "inbound calls are disabled"),
        ({"InstanceStatus": "CREATION_IN_PROGRESS"}, True, "FAIL", "is CREATION_IN_PROGRESS"),
        ({"InstanceStatus": "CREATION_FAILED", "StatusReason": {"Message": "quota"}}, True, "FAIL", "(quota)"),
    ],
)
def test_byo_instance_state(stubs, pl, fields, outbound, status, words):
    stubs.ok("connect", "describe_instance", describe(**fields))
    check = pf.check_byo_instance(stubs["connect"], byo_instance(pl, outbound_calls=outbound))
    assert check.status == status and words in check.detail


def test_byo_instance_not_found_or_denied_fails(stubs, pl):
    stubs.err("connect", "describe_instance", "ResourceNotFoundException", "not found", 404)
    stubs.err("connect", "describe_instance", "AccessDeniedException", "denied", 403)
    missing = pf.check_byo_instance(stubs["connect"], byo_instance(pl))
    denied = pf.check_byo_instance(stubs["connect"], byo_instance(pl))
    assert missing.status == "FAIL" and "not found" in missing.detail and "instance.arn" in missing.fix
    assert denied.status == "FAIL" and "connect:DescribeInstance" in denied.fix


def test_byo_instance_in_another_region_fails_without_a_call(stubs, pl):
    other = pl.model_copy(
        update={"instance": pl.instance.model_copy(update={"arn": INSTANCE_ARN.replace(REGION, "us-east-1")})}
    )
    assert pf.check_byo_instance(stubs["connect"], other).status == "FAIL"


# ---------------------------------------------------------------- alias


def test_no_alias_is_derived_per_stack(pl):
    check = pf.check_alias(pl, [inst()], set())
    assert check.status == "PASS" and check.detail == "derived per stack (unique)"


def test_taken_alias_fails_free_alias_passes_with_the_global_caveat(pl):
    taken = pf.check_alias(with_alias(pl, "Other-Line"), [inst(alias="other-line")], set())
    free = pf.check_alias(with_alias(pl, "helpline-poland"), [inst(alias="other-line")], set())
    assert taken.status == "FAIL" and OTHER_ID in taken.detail and "instance.alias" in taken.fix
    assert free.status == "PASS" and "all AWS accounts" in free.detail


def test_alias_of_the_stacks_own_instance_passes(pl):
    assert pf.check_alias(with_alias(pl, "other-line"), [inst(alias="other-line")], {OTHER_ARN}).status == "PASS"


def test_alias_warns_without_a_list_and_is_moot_for_byo(pl):
    assert pf.check_alias(with_alias(pl, "x1"), None, set()).status == "WARN"
    assert pf.check_alias(byo_instance(with_alias(pl, "x1")), None, set()).status == "PASS"


# ---------------------------------------------------------------- phone number to claim


def search_params(target=OTHER_ARN) -> dict:
    return {
        "TargetArn": target,
        "PhoneNumberCountryCode": "PL",
        "PhoneNumberType": "TOLL_FREE",
        "PhoneNumberPrefix": "+48800",
        "MaxResults": 10,
    }


def available(*numbers: str) -> dict:
    return {
        "AvailableNumbersList": [
            {"PhoneNumber": n, "PhoneNumberCountryCode": "PL", "PhoneNumberType": "TOLL_FREE"} for n in numbers
        ]
    }


def test_numbers_available_pass_searching_with_an_active_instance(stubs, pl):
    stubs.ok("connect", "search_available_phone_numbers", available("+48800111222"), search_params())
    instances = [inst(INSTANCE_ARN, "broken", "CREATION_FAILED"), inst()]
    check = pf.check_phone_number(pl, stubs["connect"], instances, set())
    assert check.status == "PASS" and "+48800111222" in check.detail


def test_number_search_prefers_the_instance_in_instance_arn(stubs, pl):
    stubs.ok("connect", "search_available_phone_numbers", available("+48800111222"), search_params(INSTANCE_ARN))
    assert pf.check_phone_number(byo_instance(pl), stubs["connect"], [inst()], set()).status == "PASS"


def test_no_number_available_fails_with_the_support_case_fix(stubs, pl):
    stubs.ok("connect", "search_available_phone_numbers", {"AvailableNumbersList": []}, search_params())
    check = pf.check_phone_number(pl, stubs["connect"], [inst()], set())
    assert check.status == "FAIL" and "TOLL_FREE PL +48800" in check.detail
    assert "support case" in check.fix and "phone_number.arn" in check.fix


def test_number_search_without_any_instance_warns(stubs, pl):
    check = pf.check_phone_number(pl, stubs["connect"], [], set())
    assert check.status == "WARN" and "once an instance exists" in check.detail and "support case" in check.fix
    assert pf.check_phone_number(pl, stubs["connect"], None, set()).status == "WARN"


def test_number_search_errors_fail(stubs, pl):
    stubs.err("connect", "search_available_phone_numbers", "InvalidParameterException", "type not offered")
    stubs.err("connect", "search_available_phone_numbers", "AccessDeniedException", "denied", 403)
    invalid = pf.check_phone_number(pl, stubs["connect"], [inst()], set())
    denied = pf.check_phone_number(pl, stubs["connect"], [inst()], set())
    assert invalid.status == "FAIL" and "type not offered" in invalid.detail
    assert denied.status == "FAIL" and "connect:SearchAvailablePhoneNumbers" in denied.fix


def test_the_outbound_number_is_checked_like_the_inbound_one(stubs, pl):
    outbound = {"TargetArn": OTHER_ARN, "PhoneNumberCountryCode": "PL", "PhoneNumberType": "DID", "MaxResults": 10}
    stubs.ok("connect", "search_available_phone_numbers", {"AvailableNumbersList": []}, outbound)
    check = pf.check_outbound_number(pl, stubs["connect"], [inst()], set())
    assert check.name == "outbound-number" and check.status == "FAIL" and "DID PL" in check.detail
    no_outbound = pl.model_copy(update={"phone_number": pl.phone_number.model_copy(update={"outbound": None})})
    assert pf.check_outbound_number(no_outbound, stubs["connect"], [inst()], set()) is None


def test_a_brought_outbound_number_in_another_region_names_its_field(stubs, pl):
    elsewhere = pl.phone_number.outbound.model_copy(update={"arn": NUMBER_ARN.replace(REGION, "us-east-1")})
    cfg = pl.model_copy(update={"phone_number": pl.phone_number.model_copy(update={"outbound": elsewhere})})
    check = pf.check_outbound_number(cfg, stubs["connect"], None, set())
    assert check.status == "FAIL" and "phone_number.outbound.arn is in us-east-1" in check.detail


# ---------------------------------------------------------------- claimed phone number


def claimed(status="CLAIMED", target=INSTANCE_ARN, message=None) -> dict:
    state = {"Status": status} | ({"Message": message} if message else {})
    return {
        "ClaimedPhoneNumberSummary": {
            "PhoneNumberId": NUMBER_ID,
            "PhoneNumberArn": NUMBER_ARN,
            "PhoneNumber": "+48800123456",
            "PhoneNumberCountryCode": "PL",
            "PhoneNumberType": "TOLL_FREE",
            "TargetArn": target,
            "PhoneNumberStatus": state,
        }
    }


def test_claimed_number_on_the_instance_passes(stubs, pl):
    stubs.ok("connect", "describe_phone_number", claimed(), {"PhoneNumberId": NUMBER_ID})
    check = pf.check_phone_number(byo_number(byo_instance(pl)), stubs["connect"], None, set())
    assert check.status == "PASS" and "+48800123456 is CLAIMED" in check.detail


def test_claimed_number_checks(stubs, pl):
    cfg = byo_number(byo_instance(pl))
    stubs.ok("connect", "describe_phone_number", claimed("IN_PROGRESS"))
    stubs.ok("connect", "describe_phone_number", claimed("FAILED", message="limit reached"))
    stubs.ok("connect", "describe_phone_number", claimed(target=OTHER_ARN))
    stubs.err("connect", "describe_phone_number", "ResourceNotFoundException", "not found", 404)
    stubs.ok("connect", "describe_phone_number", claimed(target=OTHER_ARN))
    stubs.ok("connect", "describe_phone_number", claimed(target=OTHER_ARN))
    stubs.ok("connect", "describe_phone_number", claimed(target=OTHER_ARN))
    in_progress = pf.check_claimed_number(cfg, stubs["connect"], set())
    failed = pf.check_claimed_number(cfg, stubs["connect"], set())
    elsewhere = pf.check_claimed_number(cfg, stubs["connect"], set())
    missing = pf.check_claimed_number(cfg, stubs["connect"], set())
    new_instance = pf.check_claimed_number(byo_number(pl), stubs["connect"], set())
    unknown_stack = pf.check_claimed_number(byo_number(pl), stubs["connect"], None)
    own_instance = pf.check_claimed_number(byo_number(pl), stubs["connect"], {OTHER_ARN, OTHER_ID})
    assert in_progress.status == "FAIL" and "IN_PROGRESS" in in_progress.detail
    assert failed.status == "FAIL" and "limit reached" in failed.detail
    assert elsewhere.status == "FAIL" and OTHER_ARN in elsewhere.detail
    assert missing.status == "FAIL" and "not found" in missing.detail
    assert new_instance.status == "FAIL" and "instance.arn" in new_instance.fix
    assert unknown_stack.status == "WARN" and "ListStackResources" in unknown_stack.detail
    assert own_instance.status == "PASS"


def test_claimed_number_in_another_region_fails(stubs, pl):
    check = pf.check_claimed_number(byo_number(pl, NUMBER_ARN.replace(REGION, "us-east-1")), stubs["connect"], set())
    assert check.status == "FAIL" and "us-east-1" in check.detail


# ---------------------------------------------------------------- recordings


def fake_prompts(monkeypatch, missing=(), invalid=(), placeholders=()):
    report = types.SimpleNamespace(
        missing=list(missing), invalid=list(invalid), placeholders=list(placeholders), ok=not (missing or invalid)
    )
    module = types.ModuleType("helpline.prompts")
    module.check_prompts = lambda cfg: report
    monkeypatch.setitem(sys.modules, "helpline.prompts", module)


def test_recordings_complete_pass(monkeypatch, pl):
    fake_prompts(monkeypatch)
    check = pf.check_recordings(pl)
    assert check.status == "PASS" and "uk" in check.detail


def test_missing_or_invalid_recordings_fail_with_the_placeholder_fix(monkeypatch, pl):
    invalid = [(Path.cwd() / "countries/pl/prompts/uk/bye.wav", "longer than 50 MB")]
    fake_prompts(monkeypatch, missing=["uk/welcome.wav", "uk/menu.wav"], invalid=invalid)
    check = pf.check_recordings(pl)
    assert check.status == "FAIL" and "2 missing" in check.detail and "1 invalid" in check.detail
    assert "(countries/pl/prompts/uk/bye.wav: longer than 50 MB)" in check.detail
    assert "helpline prompts pl --placeholders" in check.fix


def test_placeholder_recordings_warn(monkeypatch, pl):
    fake_prompts(monkeypatch, placeholders=["uk/welcome.wav"])
    assert pf.check_recordings(pl).status == "WARN"


def test_recordings_warn_when_the_prompts_module_is_absent(monkeypatch, pl):
    monkeypatch.setitem(sys.modules, "helpline.prompts", None)
    assert pf.check_recordings(pl).status == "WARN"


# ---------------------------------------------------------------- CDK bootstrap


def toolkit(status="CREATE_COMPLETE") -> dict:
    return {"Stacks": [{"StackName": "CDKToolkit", "StackStatus": status, "CreationTime": "2026-01-01T00:00:00Z"}]}


def version(value: str) -> dict:
    return {"Parameter": {"Name": pf.BOOTSTRAP_VERSION_PARAMETER, "Type": "String", "Value": value}}


def test_bootstrap_pass(stubs):
    stubs.ok("cloudformation", "describe_stacks", toolkit(), {"StackName": "CDKToolkit"})
    stubs.ok("ssm", "get_parameter", version("30"), {"Name": "/cdk-bootstrap/hnb659fds/version"})
    check = pf.check_bootstrap(stubs["cloudformation"], stubs["ssm"], ACCOUNT, REGION)
    assert check.status == "PASS" and "version 30" in check.detail


def test_no_bootstrap_stack_fails_with_the_bootstrap_command(stubs):
    stubs.err("cloudformation", "describe_stacks", "ValidationError", "Stack with id CDKToolkit does not exist")
    check = pf.check_bootstrap(stubs["cloudformation"], stubs["ssm"], ACCOUNT, REGION)
    assert check.status == "FAIL" and f"bootstrap aws://{ACCOUNT}/{REGION}" in check.fix and "npx" in check.fix


@pytest.mark.parametrize("status", ["ROLLBACK_COMPLETE", "CREATE_IN_PROGRESS", "DELETE_COMPLETE"])
def test_unusable_bootstrap_stack_fails(stubs, status):
    stubs.ok("cloudformation", "describe_stacks", toolkit(status))
    assert pf.check_bootstrap(stubs["cloudformation"], stubs["ssm"], ACCOUNT, REGION).status == "FAIL"


def test_update_rollback_complete_is_usable(stubs):
    stubs.ok("cloudformation", "describe_stacks", toolkit("UPDATE_ROLLBACK_COMPLETE"))
    stubs.ok("ssm", "get_parameter", version("6"))
    assert pf.check_bootstrap(stubs["cloudformation"], stubs["ssm"], ACCOUNT, REGION).status == "PASS"


def test_bootstrap_version_missing_or_old_fails(stubs):
    stubs.ok("cloudformation", "describe_stacks", toolkit())
    stubs.err("ssm", "get_parameter", "ParameterNotFound", "")
    stubs.ok("cloudformation", "describe_stacks", toolkit())
    stubs.ok("ssm", "get_parameter", version("5"))
    missing = pf.check_bootstrap(stubs["cloudformation"], stubs["ssm"], ACCOUNT, REGION)
    old = pf.check_bootstrap(stubs["cloudformation"], stubs["ssm"], ACCOUNT, REGION)
    assert missing.status == "FAIL" and "missing" in missing.detail
    assert old.status == "FAIL" and "version 5" in old.detail


def test_bootstrap_access_denied_names_the_permission(stubs):
    stubs.err("cloudformation", "describe_stacks", "AccessDenied", "not authorized", 403)
    check = pf.check_bootstrap(stubs["cloudformation"], stubs["ssm"], ACCOUNT, REGION)
    assert check.status == "FAIL" and "cloudformation:DescribeStacks" in check.fix


# ---------------------------------------------------------------- whole run and CLI


def queue_green_run(stubs: Stubs, instances: list[dict], quota_value: float = 2.0, stack: str = "Helpline-PL-prod"):
    """pl with no bring-your-own ARNs: every call preflight makes, in order, all passing."""
    stubs.ok(
        "sts",
        "get_caller_identity",
        {"Account": ACCOUNT, "Arn": f"arn:aws:iam::{ACCOUNT}:user/deployer", "UserId": "A"},
    )
    stubs.ok("connect", "list_instances", {"InstanceSummaryList": instances})
    stubs.err(
        "cloudformation", "list_stack_resources", "ValidationError", "does not exist", params={"StackName": stack}
    )
    stubs.ok("service-quotas", "get_service_quota", quota(quota_value), QUOTA_PARAMS)
    stubs.ok("connect", "search_available_phone_numbers", available("+48800111222"), search_params())
    outbound = {"TargetArn": OTHER_ARN, "PhoneNumberCountryCode": "PL", "PhoneNumberType": "DID", "MaxResults": 10}
    stubs.ok("connect", "search_available_phone_numbers", available("+48221112222"), outbound)
    stubs.ok("cloudformation", "describe_stacks", toolkit())
    stubs.ok("ssm", "get_parameter", version("30"))


def test_run_preflight_all_pass(stubs, pl, monkeypatch):
    fake_prompts(monkeypatch)
    queue_green_run(stubs, [inst()])
    checks = pf.run_preflight(pl, FakeSession(stubs))
    assert [c.name for c in checks] == [
        "account",
        "region",
        "instance",
        "alias",
        "phone-number",
        "outbound-number",
        "recordings",
        "cdk-bootstrap",
    ]
    assert all(c.status == "PASS" for c in checks), [c.line() for c in checks]


def test_cli_green_run_prints_one_line_per_check_and_exits_0(stubs, monkeypatch):
    fake_prompts(monkeypatch)
    queue_green_run(stubs, [inst()])
    monkeypatch.setattr(boto3, "Session", lambda **kw: FakeSession(stubs))
    r = runner.invoke(app, ["preflight", "pl"])
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert len(lines) == 8 and lines[0].startswith("PASS  account") and ACCOUNT in lines[0]
    assert all(line.startswith("PASS") for line in lines)
    assert "0 failed" in r.stderr


def test_cli_exits_1_on_a_fail_and_prints_the_fix(stubs, monkeypatch):
    fake_prompts(monkeypatch, placeholders=["uk/welcome.wav"])
    queue_green_run(stubs, [inst(), inst(INSTANCE_ARN, "second")], quota_value=2.0, stack="Helpline-PL-dev")
    monkeypatch.setattr(boto3, "Session", lambda **kw: FakeSession(stubs))
    r = runner.invoke(app, ["preflight", "pl", "--stage", "dev"])
    assert r.exit_code == 1
    line = next(x for x in r.stdout.splitlines() if " instance " in x)
    assert line.startswith("FAIL  instance") and "2 of 2" in line and "; fix: request an increase" in line
    assert any(x.startswith("WARN  recordings") for x in r.stdout.splitlines())
    assert "1 failed, 1 warning(s)" in r.stderr and "Helpline-PL-dev" in r.stderr


def test_cli_without_credentials_exits_2_with_one_line(monkeypatch, tmp_path):
    for var in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", raising=False)
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", raising=False)
    monkeypatch.delenv("AWS_WEB_IDENTITY_TOKEN_FILE", raising=False)
    r = runner.invoke(app, ["preflight", "pl"])
    assert r.exit_code == 2 and r.stdout == ""
    assert r.stderr.count("\n") == 1 and "NoCredentialsError" in r.stderr and "--profile" in r.stderr
    r = runner.invoke(app, ["preflight", "pl", "--profile", "nobody"])
    assert r.exit_code == 2 and "ProfileNotFound" in r.stderr and "Traceback" not in r.output


def test_cli_unreachable_endpoint_exits_2(monkeypatch):
    class Sts:
        def get_caller_identity(self):
            raise EndpointConnectionError(endpoint_url="https://sts.eu-central-1.amazonaws.com/")

    class Offline(boto3.Session):
        def client(self, service_name, *args, **kwargs):
            return Sts()

    monkeypatch.setattr(boto3, "Session", lambda **kw: Offline(region_name=REGION))
    r = runner.invoke(app, ["preflight", "pl"])
    assert r.exit_code == 2 and "EndpointConnectionError" in r.stderr and "network" in r.stderr


def test_cli_rejected_credentials_exit_2(stubs, monkeypatch):
    stubs.err("sts", "get_caller_identity", "InvalidClientTokenId", "The security token is invalid", 403)
    monkeypatch.setattr(boto3, "Session", lambda **kw: FakeSession(stubs))
    r = runner.invoke(app, ["preflight", "pl"])
    assert r.exit_code == 2 and "InvalidClientTokenId" in r.stderr and r.stdout == ""


def test_check_line_format():
    line = pf.Check("instance", "FAIL", "2 of 2 used", "request an increase").line()
    assert line == "FAIL  instance       2 of 2 used; fix: request an increase"
