"""`helpline verify-live`: each live assumption checked read-only, PASS / FAIL / UNKNOWN, offline with Stubber."""

from __future__ import annotations

import datetime as dt
import json

import boto3
import pytest
from botocore.stub import ANY, Stubber
from typer.testing import CliRunner

from helpline.cli import app
from helpline.live_assumptions import ASSUMPTIONS, FAIL, PASS, UNKNOWN
from helpline.verify_live import CLIENTS, LiveContext, render, report_data, verify

STACK, TESTS, INSTANCE = "Helpline-PL-prod", "Helpline-PL-prod-tests", "inst-1"
NOW = dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)
INBOUND = "44444444-4444-4444-8444-444444444444"
VOICE, GUIDE, SURVEY = (
    "11111111-1111-4111-8111-111111111111",
    "22222222-2222-4222-8222-222222222222",
    ("33333333-3333-4333-8333-333333333333"),
)
AGENT = ["BasicAgentAccess", "CustomViews.Access"]
SUPERVISOR = ["BasicAgentAccess", "CustomViews.Access", "AccessMetrics"]
TEMPLATE = {
    "Resources": {
        "A": {
            "Type": "AWS::Connect::SecurityProfile",
            "Properties": {"SecurityProfileName": "PL agent", "Permissions": AGENT},
        },
        "S": {
            "Type": "AWS::Connect::SecurityProfile",
            "Properties": {"SecurityProfileName": "PL supervisor", "Permissions": SUPERVISOR},
        },
    }
}


def _clients():
    return {n: boto3.client(n, region_name="eu-central-1") for n in CLIENTS}


def _stack(name, status="CREATE_COMPLETE", outputs=None):
    stack = {"StackName": name, "StackStatus": status, "CreationTime": NOW}
    if outputs is not None:
        stack["Outputs"] = [{"OutputKey": k, "OutputValue": v} for k, v in outputs.items()]
    return {"Stacks": [stack]}


def _healthy(
    clients,
    *,
    stored_agent=AGENT,
    voice_attributes=None,
    flow_logs="true",
    test_status="PASSED",
    guide_related=VOICE,
    events=("Resource creation Initiated",),
    number_type="DID",
    p99=(180.0,),
    resolved="arn:q1",
    address="+48601234567",
    iterator_age=(1200.0,),
    guide_attributes=None,
):
    """Queue every answer a healthy deployment gives, in the order verify() asks."""
    cfn, connect, logs, cloudwatch, ssm = (Stubber(clients[n]) for n in CLIENTS)
    outputs = {"InstanceId": INSTANCE, "PhoneNumberArn": "arn:aws:connect:eu-central-1:1:phone-number/n1"}
    cfn.add_response("describe_stacks", _stack(STACK, outputs=outputs), {"StackName": STACK})
    # security-profile-names / guide-permission
    cfn.add_response(
        "get_template", {"TemplateBody": json.dumps(TEMPLATE)}, {"StackName": STACK, "TemplateStage": "Original"}
    )
    connect.add_response(
        "list_security_profiles",
        {
            "SecurityProfileSummaryList": [
                {"Id": "p-a", "Name": "PL agent"},
                {"Id": "p-s", "Name": "PL supervisor"},
                {"Id": "p-x", "Name": "Admin"},
            ]
        },
        {"InstanceId": INSTANCE},
    )
    connect.add_response(
        "list_security_profile_permissions",
        {"Permissions": list(stored_agent)},
        {"InstanceId": INSTANCE, "SecurityProfileId": "p-a"},
    )
    connect.add_response(
        "list_security_profile_permissions",
        {"Permissions": SUPERVISOR},
        {"InstanceId": INSTANCE, "SecurityProfileId": "p-s"},
    )
    # flow-log-group
    connect.add_response(
        "describe_instance_attribute",
        {"Attribute": {"AttributeType": "CONTACTFLOW_LOGS", "Value": flow_logs}},
        {"InstanceId": INSTANCE, "AttributeType": "CONTACTFLOW_LOGS"},
    )
    connect.add_response(
        "describe_instance",
        {"Instance": {"Id": INSTANCE, "InstanceAlias": "helpline-pl-prod-abc"}},
        {"InstanceId": INSTANCE},
    )
    logs.add_response(
        "describe_log_groups",
        {"logGroups": [{"logGroupName": "/aws/connect/helpline-pl-prod-abc"}]},
        {"logGroupNamePrefix": "/aws/connect/helpline-pl-prod-abc"},
    )
    # guide-contact-fields
    search = {"InstanceId": INSTANCE, "TimeRange": ANY, "SearchCriteria": ANY, "MaxResults": 20, "Sort": ANY}
    connect.add_response("search_contacts", {"Contacts": [{"Id": GUIDE}]}, search)
    connect.add_response(
        "describe_contact",
        {"Contact": {"Id": GUIDE, "Channel": "CHAT", "RelatedContactId": guide_related}},
        {"InstanceId": INSTANCE, "ContactId": GUIDE},
    )
    connect.add_response(
        "describe_contact",
        {"Contact": {"Id": VOICE, "Channel": "VOICE"}},
        {"InstanceId": INSTANCE, "ContactId": guide_related},
    )
    connect.add_response(
        "get_contact_attributes",
        {"Attributes": guide_attributes or {}},
        {"InstanceId": INSTANCE, "InitialContactId": GUIDE},
    )
    # no-personal-attributes
    connect.add_response("search_contacts", {"Contacts": [{"Id": VOICE}]}, search)
    connect.add_response(
        "get_contact_attributes",
        {"Attributes": voice_attributes or {"language": "uk", "priority": "normal"}},
        {"InstanceId": INSTANCE, "InitialContactId": VOICE},
    )
    # survey-describe-fields
    connect.add_response("search_contacts", {"Contacts": [{"Id": SURVEY, "DisconnectTimestamp": NOW}]}, search)
    connect.add_response(
        "describe_contact",
        {"Contact": {"Id": SURVEY, "DisconnectTimestamp": NOW, "ConnectedToSystemTimestamp": NOW}},
        {"InstanceId": INSTANCE, "ContactId": SURVEY},
    )
    # live-test-results
    cfn.add_response("describe_stacks", _stack(TESTS), {"StackName": TESTS})
    cfn.add_response(
        "list_stack_resources",
        {
            "StackResourceSummaries": [
                {
                    "LogicalResourceId": "T1",
                    "PhysicalResourceId": "arn:aws:connect:eu-central-1:1:instance/inst-1/test-case/tc-1",
                    "ResourceType": "AWS::Connect::TestCase",
                    "ResourceStatus": "CREATE_COMPLETE",
                    "LastUpdatedTimestamp": NOW,
                }
            ]
        },
        {"StackName": TESTS},
    )
    connect.add_response(
        "list_test_case_executions",
        {
            "TestCaseExecutions": [
                {
                    "TestCaseExecutionId": "e1",
                    "TestCaseId": "tc-1",
                    "TestCaseExecutionStatus": "FAILED",
                    "StartTime": NOW - dt.timedelta(days=1),
                },
                {
                    "TestCaseExecutionId": "e2",
                    "TestCaseId": "tc-1",
                    "TestCaseExecutionStatus": test_status,
                    "StartTime": NOW,
                },
            ]
        },
        {"InstanceId": INSTANCE, "TestCaseId": "tc-1"},
    )
    # outbound-caller-id
    connect.add_response(
        "describe_phone_number",
        {"ClaimedPhoneNumberSummary": {"PhoneNumberType": number_type}},
        {"PhoneNumberId": outputs["PhoneNumberArn"]},
    )
    # creation-throttling
    cfn.add_response("describe_stacks", _stack(STACK, outputs=outputs), {"StackName": STACK})
    reasons = [
        {"StackId": "s", "EventId": str(i), "StackName": STACK, "Timestamp": NOW, "ResourceStatusReason": r}
        for i, r in enumerate(events)
    ]
    cfn.add_response("describe_stack_events", {"StackEvents": reasons}, {"StackName": STACK})
    cfn.add_response("describe_stack_events", {"StackEvents": []}, {"StackName": TESTS})
    # pseudonym-latency
    function = {
        "LogicalResourceId": "FunctionsIdentifyCaller1E3A7E30",
        "PhysicalResourceId": "helpline-pl-identify",
        "ResourceType": "AWS::Lambda::Function",
        "ResourceStatus": "CREATE_COMPLETE",
        "LastUpdatedTimestamp": NOW,
    }
    logs_group = {
        **function,
        "LogicalResourceId": "FunctionsIdentifyCallerLogs047EFB05",
        "ResourceType": "AWS::Logs::LogGroup",
    }
    archive = {
        **function,
        "LogicalResourceId": "FunctionsArchiveRecords5D8A0579",
        "PhysicalResourceId": "helpline-pl-archive",
    }
    cfn.add_response(
        "list_stack_resources", {"StackResourceSummaries": [logs_group, function, archive]}, {"StackName": STACK}
    )
    points = [{"Timestamp": NOW, "ExtendedStatistics": {"p99": v}} for v in p99]
    cloudwatch.add_response(
        "get_metric_statistics",
        {"Datapoints": points},
        {
            "Namespace": "AWS/Lambda",
            "MetricName": "Duration",
            "Dimensions": [{"Name": "FunctionName", "Value": "helpline-pl-identify"}],
            "StartTime": ANY,
            "EndTime": ANY,
            "Period": ANY,
            "ExtendedStatistics": ["p99"],
        },
    )
    # test-stack-parameters
    cfn.add_response(
        "describe_stacks",
        {
            "Stacks": [
                {
                    **_stack(TESTS)["Stacks"][0],
                    "Parameters": [
                        {
                            "ParameterKey": "Queue",
                            "ParameterValue": "/helpline/x/livetest/queue/uk",
                            "ResolvedValue": resolved,
                        },
                        {"ParameterKey": "Plain", "ParameterValue": "literal"},
                    ],
                }
            ]
        },
        {"StackName": TESTS},
    )
    ssm.add_response(
        "get_parameter",
        {"Parameter": {"Name": "/helpline/x/livetest/queue/uk", "Value": "arn:q1"}},
        {"Name": "/helpline/x/livetest/queue/uk"},
    )
    # caller-address-format
    connect.add_response("search_contacts", {"Contacts": [{"Id": INBOUND}]}, search)
    connect.add_response(
        "describe_contact",
        {
            "Contact": {
                "Id": INBOUND,
                "Channel": "VOICE",
                "CustomerEndpoint": {"Type": "TELEPHONE_NUMBER", "Address": address},
            }
        },
        {"InstanceId": INSTANCE, "ContactId": INBOUND},
    )
    # archive-stream-lag (the stack's resources are read once)
    cloudwatch.add_response(
        "get_metric_statistics",
        {"Datapoints": [{"Timestamp": NOW, "Maximum": v} for v in iterator_age]},
        {
            "Namespace": "AWS/Lambda",
            "MetricName": "IteratorAge",
            "Dimensions": [{"Name": "FunctionName", "Value": "helpline-pl-archive"}],
            "StartTime": ANY,
            "EndTime": ANY,
            "Period": ANY,
            "Statistics": ["Maximum"],
        },
    )
    return cfn, connect, logs, cloudwatch, ssm


def _verify(**kw):
    clients = _clients()
    stubbers = _healthy(clients, **kw)
    for s in stubbers:
        s.activate()
    results = {a.id: r for a, r in verify(LiveContext(clients, STACK, TESTS, now=NOW))}
    for s in stubbers:
        s.assert_no_pending_responses()  # every documented read was made, with valid parameters
    return results


def test_a_healthy_deployment_passes_every_assumption():
    results = _verify()
    assert set(results) == {a.id for a in ASSUMPTIONS}
    assert {i: r.status for i, r in results.items() if r.status != PASS} == {}


def test_connect_dropping_the_guide_permission_fails_two_checks():
    results = _verify(stored_agent=["BasicAgentAccess"])
    assert results["guide-permission"].status == FAIL and "PL agent" in results["guide-permission"].detail
    assert results["security-profile-names"].status == FAIL
    assert "CustomViews.Access" in results["security-profile-names"].detail


def test_a_personal_contact_attribute_on_a_live_call_fails():
    results = _verify(voice_attributes={"language": "uk", "caller_id": "ab" * 32})
    assert results["no-personal-attributes"].status == FAIL
    assert "caller_id" in results["no-personal-attributes"].detail
    assert "ab" * 32 not in results["no-personal-attributes"].detail  # the value itself is never printed


def test_flow_attributes_that_reach_the_guide_contact_record_fail():
    result = _verify(guide_attributes={"need": "SV", "language": "uk"})["guide-contact-fields"]
    assert result.status == FAIL and "need" in result.detail and "SV" not in result.detail
    assert _verify(guide_attributes={"language": "uk"})["guide-contact-fields"].status == PASS


def test_flow_logs_off_fails():
    assert _verify(flow_logs="false")["flow-log-group"].status == FAIL


def test_the_newest_test_run_counts():
    assert _verify()["live-test-results"].status == PASS  # an older FAILED run was fixed
    assert _verify(test_status="FAILED")["live-test-results"].status == FAIL


def test_a_uifn_caller_id_fails_and_toll_free_is_unknown():
    assert _verify(number_type="UIFN")["outbound-caller-id"].status == FAIL
    assert _verify(number_type="TOLL_FREE")["outbound-caller-id"].status == UNKNOWN


def test_a_slow_pseudonym_fails_and_no_data_is_unknown():
    assert _verify(p99=(120.0, 4200.0))["pseudonym-latency"].status == FAIL
    assert _verify(p99=())["pseudonym-latency"].status == UNKNOWN


def test_a_test_stack_on_stale_parameters_fails():
    assert _verify(resolved="arn:q-old")["test-stack-parameters"].status == FAIL


def test_a_caller_address_not_in_e164_fails_without_printing_it():
    result = _verify(address="+48 601 234 567")["caller-address-format"]
    assert result.status == FAIL and "601" not in result.detail
    assert _verify(address="anonymous")["caller-address-format"].status == PASS


def test_an_archive_behind_its_streams_fails():
    assert _verify(iterator_age=(4_000_000.0,))["archive-stream-lag"].status == FAIL
    assert _verify(iterator_age=())["archive-stream-lag"].status == UNKNOWN


def test_throttled_creation_fails_with_the_reason():
    result = _verify(events=("Rate exceeded (Service: Connect, Status Code: 429)",))["creation-throttling"]
    assert result.status == FAIL and "Rate exceeded" in result.detail


class _Quiet:
    """A context with nothing to look at yet (no call made, no test run)."""

    test_stack = TESTS

    def recent_contacts(self, *a, **kw):
        return []

    def newest_guide_contact(self):
        return None

    def stack_status(self, name):
        return "CREATE_COMPLETE"

    def latest_test_executions(self):
        return {}

    def outbound_number_type(self):
        return "TOLL_FREE"


@pytest.mark.parametrize(
    "assumption",
    [
        "guide-contact-fields",
        "no-personal-attributes",
        "survey-describe-fields",
        "live-test-results",
        "outbound-caller-id",
    ],
)
def test_nothing_to_look_at_is_unknown_not_pass(assumption):
    check = next(a.check for a in ASSUMPTIONS if a.id == assumption)
    assert check(_Quiet()).status == UNKNOWN


def test_text_and_json_output():
    results = [(a, _verify()[a.id]) for a in ASSUMPTIONS]
    text = render(results)
    assert text.splitlines()[-1] == f"{len(ASSUMPTIONS)} passed, 0 failed, 0 unknown (of {len(ASSUMPTIONS)})"
    report = json.loads(json.dumps(report_data(results, STACK)))
    assert (report["passed"], report["failed"], report["unknown"]) == (len(ASSUMPTIONS), 0, 0)
    rows = report["assumptions"]
    assert {r["id"] for r in rows} == {a.id for a in ASSUMPTIONS}
    assert all(r["settles_with"] and r["doc_gap"] and r["fix"] for r in rows)


def test_a_stack_that_is_not_there_is_one_line_exit_2(monkeypatch):
    clients = _clients()
    with Stubber(clients["cloudformation"]) as cfn:
        cfn.add_client_error("describe_stacks", "ValidationError", "Stack with id X does not exist")
        monkeypatch.setattr("boto3.Session.client", lambda self, name, **kw: clients[name])
        result = CliRunner().invoke(app, ["verify-live", "pl"])
    assert result.exit_code == 2
    assert "Helpline-PL-prod: cannot be read (ValidationError)" in result.output
    assert "Traceback" not in result.output


def test_bad_format_is_exit_2():
    result = CliRunner().invoke(app, ["verify-live", "pl", "--format", "yaml"])
    assert result.exit_code == 2 and "--format" in result.output


def test_the_docs_list_every_assumption_with_its_check():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[3] / "docs" / "deploying.md").read_text()
    for a in ASSUMPTIONS:
        row = next((line for line in doc.splitlines() if line.startswith(f"| `{a.id}` |")), None)
        assert row is not None, f"docs/deploying.md does not list {a.id}"
        assert a.settles_with in row and a.fix in row
