"""What a first deploy on a real account needs, asserted on every country's template.

Issue #7 (items 2 and 3) and the callbacks' caller ID (issue #8): prompts from CDK assets,
RetainExceptOnCreate, flows created after everything they reference, key permissions for the
services that publish to encrypted queues and topics, real supervisor permissions, an outbound
caller ID on every queue, a unique instance alias, and "bring your own" instance and number.
"""

from __future__ import annotations

import json
import re
import sys
import types
import uuid
import wave

import pytest
from cfnlint.api import ManualArgs, lint_file

from helpline.flows.views import MANAGED_VIEWS
from stacks.constructs.telephony import (
    AGENT_PERMISSIONS,
    AUDITOR_PERMISSIONS,
    METRICS_PERMISSIONS,
    SUPERVISOR_PERMISSIONS,
)
from tests.infrastructure.conftest import BYO_INSTANCE_ID, BYO_NUMBER_ID, byo_arns, resources
from tests.infrastructure.test_lint_and_nag import IGNORED_CFN_LINT

pytestmark = pytest.mark.xdist_group("infra")

# AWS::Connect::Instance InstanceAlias: 1-45 characters, this pattern (CloudFormation schema,
# same as CreateInstance's), unique across all Connect instances in all Regions.
ALIAS_PATTERN = re.compile(r"^(?!d-)([\da-zA-Z]+)([-]*[\da-zA-Z])*$")

# API names from the Amazon Connect Administrator Guide, "List of security profile permissions"
# (security-profile-list.html). A name not on that page is not a permission.
DOCUMENTED_PERMISSIONS = {
    "BasicAgentAccess",
    "OutboundCallAccess",
    "RealtimeContactLens.View",
    "TransferDestinations.View",
    "ContactAttributes.View",
    "AccessMetrics",
    "AccessMetrics.RealTimeMetrics.Access",
    "AccessMetrics.HistoricalMetrics.Access",
    "CustomViews.Access",
    "AgentActivityAudit.Access",
    "ContactSearch.View",
    "MetricsReports.View",
    "Queues.View",
    "RoutingPolicies.View",
    "HoursOfOperation.View",
    "Users.View",
    "AgentStates.View",
    "ContactFlows.View",
    "Prompts.View",
    "PhoneNumbers.View",
}


def _telephony_only(tmp_path, cfg):
    """The Telephony construct alone, in an app with the project's feature flags (fast)."""
    import aws_cdk as cdk
    from aws_cdk import aws_kms as kms

    import app as cdk_app
    from stacks.constructs.telephony import Telephony

    context = json.loads((cdk_app.ROOT / "cdk.json").read_text())["context"]
    stack = cdk.Stack(cdk.App(outdir=str(tmp_path), context=context), "Probe", env=cdk.Environment(region=cfg.region))
    return stack, Telephony(stack, "Telephony", config=cfg, key=kms.Key(stack, "Key"))


# ---- prompts -------------------------------------------------------------------------------
def test_prompts_are_uploaded_by_the_deploy_not_read_from_a_fixed_s3_location(country):
    cfg = country.config
    prompts = resources(country.raw, "AWS::Connect::Prompt")
    recorded = [lg.code for lg in cfg.languages if lg.recorded]
    assert prompts, "every country has at least its generated hold music as a prompt"
    for logical_id, prompt in prompts.items():
        uri = prompt["Properties"]["S3Uri"]
        # The CDK asset bucket of the bootstrapped account and Region, never a literal location.
        assert isinstance(uri, dict) and set(uri) == {"Fn::Sub"}, logical_id
        assert re.fullmatch(
            r"s3://cdk-[a-z0-9]+-assets-\$\{AWS::AccountId\}-" + cfg.region + r"/[0-9a-f]{64}\.wav", uri["Fn::Sub"]
        )
        code, lang, prompt_id = prompt["Properties"]["Name"].split(" ", 2)
        assert code == cfg.code.upper() and (lang in recorded or lang == "shared"), logical_id
    # and each asset is the country's recording of that prompt
    assets = json.loads((country.path.parent / f"{country.path.name.split('.')[0]}.assets.json").read_text())
    sources = {a["source"]["path"] for a in assets["files"].values()}
    assert any(s.endswith(".wav") for s in sources)


def test_shared_generated_audio_becomes_a_prompt_named_as_hold_audio(tmp_path, monkeypatch, synthesized):
    """Telephony.prompt("shared", id) takes helpline.prompts.shared_audio(id) (stubbed here)."""
    from aws_cdk.assertions import Template

    audio = tmp_path / "hold_music.wav"
    with wave.open(str(audio), "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(8000), w.writeframes(b"\0\0" * 800)
    asked = []
    stub = types.ModuleType("helpline.prompts")
    stub.shared_audio = lambda prompt_id: asked.append(prompt_id) or audio
    monkeypatch.setitem(sys.modules, "helpline.prompts", stub)

    cfg = next(iter(synthesized.values())).config
    stack, telephony = _telephony_only(tmp_path / "out", cfg)
    first = telephony.prompt("shared", "hold_music")
    assert telephony.prompt("shared", "hold_music") is first and asked == ["hold_music"]
    props = next(iter(resources(Template.from_stack(stack).to_json(), "AWS::Connect::Prompt").values()))["Properties"]
    assert props["Name"] == f"{cfg.code.upper()} shared hold_music"
    assert "generated hold audio" in props["Description"].lower()
    assert set(props["S3Uri"]) == {"Fn::Sub"}


def test_a_missing_recording_fails_synthesis_with_the_fix(tmp_path, synthesized):
    cfg = next(iter(synthesized.values())).config
    _, telephony = _telephony_only(tmp_path, cfg)
    with pytest.raises(FileNotFoundError, match=f"helpline prompts {cfg.code}"):
        telephony.prompt(cfg.languages[0].code, "no_such_prompt")


# ---- ordering --------------------------------------------------------------------------------
def _referenced_ids(content) -> set[str]:
    if isinstance(content, str):
        return set()
    return {p["Fn::GetAtt"][0] for p in content["Fn::Join"][1] if isinstance(p, dict) and "Fn::GetAtt" in p}


def test_each_flow_is_created_after_everything_it_references(country):
    """Connect validates a flow at create; the Lambda association is never referenced by the flow."""
    raw, stack = country.raw["Resources"], country.stack
    integration_of = {
        r["Properties"]["IntegrationArn"]["Fn::GetAtt"][0]: k
        for k, r in resources(country.raw, "AWS::Connect::IntegrationAssociation").items()
    }
    invoked_somewhere = 0
    for name, flow in stack.flows.flows.items():
        logical_id = stack.get_logical_id(flow)
        depends = set(raw[logical_id].get("DependsOn", []))
        for ref in _referenced_ids(raw[logical_id]["Properties"]["Content"]):
            if raw[ref]["Type"] == "AWS::Lambda::Function":
                invoked_somewhere += 1
                assert integration_of[ref] in depends, f"{name}: invokes {ref} before its integration association"
            else:
                assert raw[ref]["Type"] in {
                    "AWS::Connect::Queue",
                    "AWS::Connect::Prompt",
                    "AWS::Connect::HoursOfOperation",
                    "AWS::Connect::ContactFlow",
                }, ref
                assert ref in depends, f"{name}: references {ref} without depending on it"
        # the renderer's own list of references agrees
        for kind, ref_name in stack.flows.rendered[name].references:
            if kind == "lambda":
                target = stack.functions.integrations[ref_name]
            elif kind == "prompt":
                target = stack.telephony.prompts[ref_name]
            elif kind == "queue":
                target = stack.telephony.queues[ref_name]
            elif kind == "hours":
                target = stack.telephony.hours_of_operation[ref_name]
            elif kind == "view":  # AWS-managed view: a fixed ARN in every instance, nothing to wait for
                assert ref_name in MANAGED_VIEWS, (name, ref_name)
                continue
            else:
                target = stack.flows.flows[ref_name]
            assert stack.get_logical_id(target) in depends, (name, kind, ref_name)
    assert invoked_somewhere, "the per-language flows invoke identify_caller and create_case"


# ---- keys ------------------------------------------------------------------------------------
def _key_statement(raw: dict, service: str, sid: str | None = None) -> dict:
    statements = [
        st
        for st in raw["Resources"]["DataKey"]["Properties"]["KeyPolicy"]["Statement"]
        if st.get("Principal", {}).get("Service") == service and (sid is None or st.get("Sid") == sid)
    ]
    assert len(statements) == 1, service
    return statements[0]


def _arn(service: str, resource: str, region: str) -> dict:
    return {"Fn::Join": ["", [f"arn:aws:{service}:{region}:", {"Ref": "AWS::AccountId"}, resource]]}


def test_cloudwatch_alarms_can_publish_to_the_encrypted_topic(country):
    raw, region = country.raw, country.config.region
    topic = next(iter(resources(raw, "AWS::SNS::Topic").values()))
    assert topic["Properties"]["KmsMasterKeyId"] == {"Fn::GetAtt": ["DataKey", "Arn"]}
    st = _key_statement(raw, "cloudwatch.amazonaws.com")
    assert st["Effect"] == "Allow" and sorted(st["Action"]) == ["kms:Decrypt", "kms:GenerateDataKey*"]
    assert st["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
    alarms = resources(raw, "AWS::CloudWatch::Alarm")
    assert sorted(json.dumps(a) for a in st["Condition"]["ArnLike"]["aws:SourceArn"]) == sorted(
        json.dumps(_arn("cloudwatch", f":alarm:{a['Properties']['AlarmName']}", region)) for a in alarms.values()
    )
    assert all(a["Properties"]["AlarmActions"] for a in alarms.values())


def _contact_events_rule(raw: dict) -> dict:
    """The rule on Amazon Connect's contact events (the others are schedules and the custody alarms
    on CloudTrail's management events)."""
    (rule,) = [
        r
        for r in resources(raw, "AWS::Events::Rule").values()
        if r["Properties"].get("EventPattern", {}).get("source") == ["aws.connect"]
    ]
    return rule


def test_eventbridge_can_write_failed_contact_events_to_the_encrypted_dead_letter_queue(country):
    raw, region = country.raw, country.config.region
    rule = _contact_events_rule(raw)
    dlq_id = rule["Properties"]["Targets"][0]["DeadLetterConfig"]["Arn"]["Fn::GetAtt"][0]
    assert raw["Resources"][dlq_id]["Properties"]["KmsMasterKeyId"] == {"Fn::GetAtt": ["DataKey", "Arn"]}
    # EventBridge also encrypts the custody alarms to the topic (its own statement, its own rules)
    st = _key_statement(raw, "events.amazonaws.com", sid="EventBridgeContactEventsDeadLetters")
    assert st["Effect"] == "Allow" and sorted(st["Action"]) == ["kms:Decrypt", "kms:GenerateDataKey"]
    assert st["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
    assert st["Condition"]["ArnLike"] == {
        "aws:SourceArn": _arn("events", f":rule/{rule['Properties']['Name']}", region)
    }


# ---- security profiles -----------------------------------------------------------------------
def test_security_profiles_use_documented_permissions_and_supervisors_see_metrics(country):
    profiles = {
        p["Properties"]["SecurityProfileName"].split()[-1]: p["Properties"]["Permissions"]
        for p in resources(country.raw, "AWS::Connect::SecurityProfile").values()
    }
    assert set(profiles) == {"agent", "supervisor", "auditor"}
    for name, permissions in profiles.items():
        assert set(permissions) <= DOCUMENTED_PERMISSIONS, (name, set(permissions) - DOCUMENTED_PERMISSIONS)
    assert profiles["agent"] == AGENT_PERMISSIONS and profiles["supervisor"] == SUPERVISOR_PERMISSIONS
    assert {"AccessMetrics", "AccessMetrics.RealTimeMetrics.Access"} <= set(profiles["supervisor"])
    assert set(METRICS_PERMISSIONS) <= set(profiles["supervisor"])
    assert "OutboundCallAccess" in profiles["agent"]  # callbacks
    assert profiles["auditor"] == AUDITOR_PERMISSIONS
    assert all(p.endswith(".View") for p in profiles["auditor"])  # auditors only look


# ---- callbacks -------------------------------------------------------------------------------
def test_every_queue_has_the_helplines_number_as_outbound_caller_id(country):
    """The outbound number (phone_number.outbound) where the country has one, else the inbound number."""
    cfg = country.config
    queues = resources(country.raw, "AWS::Connect::Queue")
    assert len(queues) == 2 * len(cfg.languages)
    number = "OutboundNumber" if cfg.phone_number.outbound is not None else "PhoneNumber"
    for logical_id, queue in queues.items():
        caller = queue["Properties"]["OutboundCallerConfig"]
        assert caller["OutboundCallerIdNumberArn"] == {"Fn::GetAtt": [number, "PhoneNumberArn"]}, logical_id
        assert caller["OutboundCallerIdName"] == f"{cfg.name} helpline"
        assert 1 <= len(caller["OutboundCallerIdName"]) <= 255  # AWS::Connect::Queue OutboundCallerConfig


# ---- the instance alias ----------------------------------------------------------------------
def _evaluate(value, stack_id: str):
    """The few intrinsics the alias uses, evaluated like CloudFormation would."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return [_evaluate(v, stack_id) for v in value]
    ((fn, arg),) = value.items()
    if fn == "Ref":
        assert arg == "AWS::StackId"
        return stack_id
    if fn == "Fn::Join":
        return arg[0].join(_evaluate(arg[1], stack_id))
    if fn == "Fn::Split":
        return _evaluate(arg[1], stack_id).split(arg[0])
    if fn == "Fn::Select":
        return _evaluate(arg[1], stack_id)[arg[0]]
    raise AssertionError(f"unexpected intrinsic {fn}")


def test_default_alias_is_unique_per_stack_and_stable(country):
    cfg = country.config
    assert cfg.instance.alias is None, "the shipped countries use the default alias"
    alias = country.raw["Resources"]["ConnectInstance"]["Properties"]["InstanceAlias"]
    assert set(alias) == {"Fn::Join"} and '{"Ref": "AWS::StackId"}' in json.dumps(alias)
    seen = set()
    for _ in range(20):
        stack_uuid = str(uuid.uuid4())
        assert len(stack_uuid) == 36
        stack_id = f"arn:aws:cloudformation:{cfg.region}:123456789012:stack/{cfg.stack_name}/{stack_uuid}"
        rendered = _evaluate(alias, stack_id)
        assert rendered == f"helpline-{cfg.code}-{cfg.stage}-{stack_uuid[:8]}"
        assert len(rendered) <= 45 and ALIAS_PATTERN.match(rendered), rendered
        assert _evaluate(alias, stack_id) == rendered  # same stack id (every update): same alias
        seen.add(rendered)
    assert len(seen) == 20  # another stack: another alias
    assert country.raw["Outputs"]["InstanceAlias"]["Value"] == alias


def test_longest_stage_still_fits_the_alias():
    from stacks.constructs.telephony import ALIAS_MAX, UUID_HEAD

    longest = "helpline-xx-" + "s" * 16 + "-"  # stage is at most 16 characters (schema)
    assert len(longest) + UUID_HEAD <= ALIAS_MAX


def test_a_configured_alias_is_used_as_is(tmp_path, synthesized):
    from aws_cdk.assertions import Template

    base = next(iter(synthesized.values())).config
    cfg = base.model_copy(update={"instance": base.instance.model_copy(update={"alias": "unhcr-rcc-helpline"})})
    stack, _ = _telephony_only(tmp_path, cfg)
    instance = next(iter(resources(Template.from_stack(stack).to_json(), "AWS::Connect::Instance").values()))
    assert instance["Properties"]["InstanceAlias"] == "unhcr-rcc-helpline"


# ---- bring your own instance and number ------------------------------------------------------
def test_byo_creates_no_instance_no_storage_and_claims_no_number(byo_country):
    raw = byo_country.raw
    for rtype in ("AWS::Connect::Instance", "AWS::Connect::InstanceStorageConfig", "AWS::Connect::PhoneNumber"):
        assert resources(raw, rtype) == {}, rtype
    outputs = raw["Outputs"]
    assert "PhoneNumber" not in outputs and "InstanceAlias" not in outputs
    assert outputs["InstanceId"]["Value"] == BYO_INSTANCE_ID
    assert outputs["PhoneNumberArn"]["Value"] == byo_arns(byo_country.config)[1]
    assert "left as it is" in outputs["InstanceStorage"]["Description"]


def test_byo_everything_attaches_to_the_given_instance(byo_country):
    instance_arn, number_arn = byo_arns(byo_country.config)
    raw = byo_country.raw
    attached = 0
    for logical_id, res in raw["Resources"].items():
        props = res.get("Properties", {})
        if res["Type"].startswith("AWS::Connect::"):
            key = "InstanceId" if res["Type"] == "AWS::Connect::IntegrationAssociation" else "InstanceArn"
            assert props[key] == instance_arn, logical_id
            attached += 1
        if res["Type"] == "AWS::Lambda::Permission" and props["Principal"] == "connect.amazonaws.com":
            assert props["SourceArn"] == instance_arn
    # hours, 2 queues per language, routing and security profiles, flows, prompts, associations
    assert attached > 3 * len(byo_country.config.languages) + 6
    rule = _contact_events_rule(raw)
    assert rule["Properties"]["EventPattern"]["detail"] == {"instanceArn": [instance_arn]}
    for queue in resources(raw, "AWS::Connect::Queue").values():
        assert queue["Properties"]["OutboundCallerConfig"]["OutboundCallerIdNumberArn"] == number_arn


def test_byo_number_is_associated_with_the_entry_flow(byo_country):
    raw = byo_country.raw
    instance_arn, number_arn = byo_arns(byo_country.config)
    association = [
        r
        for r in raw["Resources"].values()
        if r["Type"] == "Custom::AWS" and "associatePhoneNumberContactFlow" in json.dumps(r["Properties"])
    ]
    assert len(association) == 1
    create = json.dumps(association[0]["Properties"]["Create"])
    assert f'\\"PhoneNumberId\\":\\"{BYO_NUMBER_ID}\\"' in create
    assert f'\\"InstanceId\\":\\"{BYO_INSTANCE_ID}\\"' in create
    # the custom resource may call the API on exactly that number (and the entry flow)
    granted = [
        st
        for res in resources(raw, "AWS::IAM::Policy").values()
        for st in res["Properties"]["PolicyDocument"]["Statement"]
        if "connect:AssociatePhoneNumberContactFlow" in st["Action"]
    ]
    assert len(granted) == 1 and number_arn in granted[0]["Resource"]
    entry_id = byo_country.stack.get_logical_id(byo_country.stack.flows.entry_flow)
    assert {"Fn::GetAtt": [entry_id, "ContactFlowArn"]} in granted[0]["Resource"]


def test_byo_templates_pass_cfn_lint_and_cdk_nag(byo_country, byo_assembly):
    matches = lint_file(
        byo_country.path,
        config=ManualArgs(regions=[byo_country.config.region], ignore_checks=list(IGNORED_CFN_LINT)),
    )
    assert [f"{m.rule.id} {m.message} ({m.linenumber})" for m in matches] == []
    report = json.loads((byo_assembly[0] / "validation-report.json").read_text())
    assert report["pluginReports"] == []


def test_a_byo_number_with_a_new_instance_warns_at_synthesis(tmp_path, synthesized):
    from aws_cdk.assertions import Annotations, Match

    base = next(iter(synthesized.values())).config
    _, number_arn = byo_arns(base)
    cfg = base.model_copy(update={"phone_number": base.phone_number.model_copy(update={"arn": number_arn})})
    stack, telephony = _telephony_only(tmp_path, cfg)
    assert telephony.phone_number is None and telephony.phone_number_arn == number_arn
    Annotations.from_stack(stack).has_warning("*", Match.string_like_regexp("claimed to that instance"))
