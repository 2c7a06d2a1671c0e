"""Fine-grained assertions on each country's synthesized template."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from aws_cdk.assertions import Match

from functions.dal.models import ALL_MODELS
from functions.permissions import PERMISSIONS
from stacks.constructs.telephony import AUDITOR_PERMISSIONS
from stacks.helpline_stack import function_access
from tests.infrastructure.conftest import resources

pytestmark = pytest.mark.xdist_group("infra")


def test_a_queue_and_a_priority_queue_per_language(country):
    cfg, template = country.config, country.template
    code = cfg.code.upper()
    names = sorted(q["Properties"]["Name"] for q in resources(country.raw, "AWS::Connect::Queue").values())
    assert names == sorted(
        [f"{code} {lang}" for lang in cfg.language_codes] + [f"{code} priority {lang}" for lang in cfg.language_codes]
    )
    assert names == sorted(cfg.queue_names().values())
    # every language's routing profile serves that language's priority queue first
    queue_ids = {k: country.stack.get_logical_id(q) for k, q in country.stack.telephony.queues.items()}
    profiles = {p["Properties"]["Name"]: p for p in resources(country.raw, "AWS::Connect::RoutingProfile").values()}
    for lang in cfg.language_codes:
        configs = profiles[f"{code} agents {lang}"]["Properties"]["QueueConfigs"]
        first = min(configs, key=lambda q: q["Priority"])
        assert first["QueueReference"]["QueueArn"]["Fn::GetAtt"][0] == queue_ids[f"priority_{lang}"]
    # the all-languages profile takes every priority queue before any language queue
    configs = profiles[f"{code} agents all languages"]["Properties"]["QueueConfigs"]
    ranked = {c["QueueReference"]["QueueArn"]["Fn::GetAtt"][0]: c["Priority"] for c in configs}
    assert max(ranked[queue_ids[f"priority_{lang}"]] for lang in cfg.language_codes) < min(
        ranked[queue_ids[lang]] for lang in cfg.language_codes
    )
    template.resource_count_is("AWS::Connect::RoutingProfile", len(cfg.languages) + 1)


def test_hours_use_the_country_time_zone_and_holidays(country):
    cfg = country.config
    country.template.has_resource_properties(
        "AWS::Connect::HoursOfOperation",
        {
            "TimeZone": cfg.hours.time_zone,
            "Config": Match.array_with(
                [
                    {
                        "Day": "MONDAY",
                        "StartTime": {"Hours": s.start[0], "Minutes": s.start[1]},
                        "EndTime": Match.any_value(),
                    }
                    for s in cfg.hours.slots
                    if s.day == "MONDAY"
                ]
            ),
            "HoursOfOperationOverrides": Match.absent()
            if not cfg.hours.closure_spans(dt.date.today())
            else [
                Match.object_like(
                    {
                        "OverrideName": name,
                        "OverrideType": "CLOSED",
                        "EffectiveFrom": first.isoformat(),
                        "EffectiveTill": last.isoformat(),
                    }
                )
                # Yearly closures: one dated override per year for the next years.
                for name, first, last in cfg.hours.closure_spans(dt.date.today())
            ],
        },
    )


def test_the_weekly_hours_are_the_main_hours_without_the_closures(country):
    """The flow tells a closure day from a normal closed hour by a second hours of operation: the
    same week and time zone as the queues' hours, no override, and named by the per-language flows
    beside the main one (so a closure day at an open hour is open by it)."""
    cfg, stack = country.config, country.stack
    by_id = resources(country.raw, "AWS::Connect::HoursOfOperation")
    main = by_id[stack.get_logical_id(stack.telephony.hours_of_operation["main"])]["Properties"]
    weekly = by_id[stack.get_logical_id(stack.telephony.hours_of_operation["weekly"])]["Properties"]
    assert len(by_id) == 2 and main is not weekly
    assert weekly["TimeZone"] == main["TimeZone"] == cfg.hours.time_zone
    assert weekly["Config"] == main["Config"]
    assert "HoursOfOperationOverrides" not in weekly
    assert len(main["HoursOfOperationOverrides"]) == len(cfg.hours.closure_spans(dt.date.today())) > 0
    assert weekly["Name"] != main["Name"]  # names are unique per instance
    # every queue keeps the main hours (a holiday closes the queues)
    main_ref = {"Fn::GetAtt": [stack.get_logical_id(stack.telephony.hours), "HoursOfOperationArn"]}
    for queue in resources(country.raw, "AWS::Connect::Queue").values():
        assert queue["Properties"]["HoursOfOperationArn"] == main_ref
    for lang in cfg.language_codes:
        refs = stack.flows.rendered[f"inbound_{lang}"].references
        assert ("hours", "main") in refs and ("hours", "weekly") in refs, lang


def test_romania_is_open_weekdays_nine_to_five(synthesized):
    for hours in resources(synthesized["ro"].raw, "AWS::Connect::HoursOfOperation").values():
        config = hours["Properties"]["Config"]
        assert sorted(c["Day"] for c in config) == sorted(["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"])
        assert all(
            c["StartTime"] == {"Hours": 9, "Minutes": 0} and c["EndTime"] == {"Hours": 17, "Minutes": 0} for c in config
        )


def test_every_table_is_encrypted_with_the_customer_key_and_retained_except_on_create(country):
    tables = resources(country.raw, "AWS::DynamoDB::Table")
    assert len(tables) == len(ALL_MODELS)
    for logical_id, table in tables.items():
        props = table["Properties"]
        assert props["SSESpecification"] == {
            "KMSMasterKeyId": {"Fn::GetAtt": ["DataKey", "Arn"]},
            "SSEEnabled": True,
            "SSEType": "KMS",
        }, logical_id
        assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
        # Off by default: DeleteTable is refused while it is on, so a failed first create could
        # not roll back; RetainExceptOnCreate keeps the tables on every later delete or replace.
        assert props["DeletionProtectionEnabled"] is False
        assert props["BillingMode"] == "PAY_PER_REQUEST"
        assert table["DeletionPolicy"] == "RetainExceptOnCreate", logical_id
        assert table["UpdateReplacePolicy"] == "Retain", logical_id  # replacement during an update only


def _keys(schema: list[dict]) -> set[tuple[str, str]]:
    return {(k["AttributeName"], k["KeyType"]) for k in schema}


def _attrs(definitions: list[dict]) -> set[tuple[str, str]]:
    return {(a["AttributeName"], a["AttributeType"]) for a in definitions}


def test_tables_match_the_pynamodb_models(country):
    """One source: the deployed key schema, indexes and TTL equal what PynamoDB would create."""
    tables = resources(country.raw, "AWS::DynamoDB::Table")
    for model in ALL_MODELS:
        props = tables[f"{model.LOGICAL_NAME}Table"]["Properties"]
        schema = model._get_schema()  # what PynamoDB's own create_table sends
        assert _keys(props["KeySchema"]) == _keys(schema["key_schema"])
        assert _attrs(props["AttributeDefinitions"]) == _attrs(schema["attribute_definitions"])
        want_gsis = {g["index_name"]: g for g in schema.get("global_secondary_indexes", [])}
        got_gsis = {g["IndexName"]: g for g in props.get("GlobalSecondaryIndexes", [])}
        assert set(got_gsis) == set(want_gsis)
        for name, gsi in want_gsis.items():
            assert _keys(got_gsis[name]["KeySchema"]) == _keys(gsi["key_schema"])
            assert got_gsis[name]["Projection"]["ProjectionType"] == gsi["projection"]["ProjectionType"]
        ttl = next((n for n, a in model.get_attributes().items() if type(a).__name__ == "TTLAttribute"), None)
        if ttl:
            assert props["TimeToLiveSpecification"] == {
                "AttributeName": model.get_attributes()[ttl].attr_name,
                "Enabled": True,
            }
        else:
            assert "TimeToLiveSpecification" not in props
        assert ("StreamSpecification" in props) == bool(getattr(model.Meta, "stream_view_type", None))


def test_recordings_bucket_is_kms_encrypted_private_and_expires(country):
    buckets = resources(country.raw, "AWS::S3::Bucket")
    rec = buckets["RecordingsBucket"]["Properties"]
    assert rec["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "aws:kms",
        "KMSMasterKeyID": {"Fn::GetAtt": ["DataKey", "Arn"]},
    }
    assert rec["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert rec["LifecycleConfiguration"]["Rules"][0]["ExpirationInDays"] == country.config.retention_days.recordings
    # The others: S3 access logs (S3 delivers them only to SSE-S3 buckets), the Object Lock archive
    # and the access trail's log files (tests/infrastructure/test_audit_and_operators.py).
    assert set(buckets) == {"RecordingsBucket", "AccessLogsBucket", "ArchiveBucket", "TrailBucket"}
    country.template.has_resource_properties(
        "AWS::Connect::InstanceStorageConfig",
        {
            "ResourceType": "CALL_RECORDINGS",
            "S3Config": Match.object_like(
                {"EncryptionConfig": {"EncryptionType": "KMS", "KeyId": {"Fn::GetAtt": ["DataKey", "Arn"]}}}
            ),
        },
    )


DATA_SERVICES = ("dynamodb:", "s3:", "kms:", "secretsmanager:", "events:", "sqs:", "sns:", "connect:", "logs:")


def _statements(raw: dict):
    for logical_id, res in raw["Resources"].items():
        if res["Type"] == "AWS::IAM::Policy":
            for st in res["Properties"]["PolicyDocument"]["Statement"]:
                yield logical_id, st
        if res["Type"] == "AWS::IAM::Role":
            for pol in res["Properties"].get("Policies", []):
                for st in pol["PolicyDocument"]["Statement"]:
                    yield logical_id, st


def test_no_wildcard_on_data_actions(country):
    checked = 0
    for logical_id, st in _statements(country.raw):
        actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
        res = st["Resource"] if isinstance(st["Resource"], list) else [st["Resource"]]
        for action in actions:
            assert "*" not in action, f"{logical_id}: wildcard action {action}"
            if action.startswith(DATA_SERVICES):
                checked += 1
                assert "*" not in res, f"{logical_id}: {action} on Resource '*'"
    assert checked > 20


def test_each_function_reaches_only_the_tables_it_declares(country):
    raw = country.raw
    table_ids = {f"{m.LOGICAL_NAME}Table": m.LOGICAL_NAME for m in ALL_MODELS}
    for name, declared in PERMISSIONS.items():
        policy_id = next(
            k
            for k, r in raw["Resources"].items()
            if r["Type"] == "AWS::IAM::Policy"
            and k.startswith("Functions" + "".join(p.title() for p in name.split("_")) + "Policy")
        )
        granted: dict[str, set[str]] = {}
        for st in raw["Resources"][policy_id]["Properties"]["PolicyDocument"]["Statement"]:
            actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
            for r in st["Resource"] if isinstance(st["Resource"], list) else [st["Resource"]]:
                att = r.get("Fn::GetAtt", [None, None]) if isinstance(r, dict) else [None, None]
                ref = att[0] if att[1] == "Arn" else None  # the table itself, not its stream
                if ref in table_ids:
                    granted.setdefault(table_ids[ref], set()).update(a for a in actions if a.startswith("dynamodb:"))
        assert granted == {t: set(a) for t, a in declared["tables"].items()}, name


def test_functions_are_docker_free_python_with_connect_integration(country):
    template = country.template
    functions = {
        k: r
        for k, r in resources(country.raw, "AWS::Lambda::Function").items()
        if r["Properties"].get("Handler", "").startswith("functions.")
    }
    assert sorted(f["Properties"]["Handler"] for f in functions.values()) == sorted(
        f"functions.handlers.{n}.handler" for n in PERMISSIONS
    )
    flow_invoked = [a.name for a in function_access() if a.flow_invoked]
    for fn in functions.values():
        props = fn["Properties"]
        assert props["Runtime"] == "python3.14" and props["Architectures"] == ["arm64"]
        assert len(props["Layers"]) == 1
        if props["Handler"].split(".")[2] in flow_invoked:
            assert props["Timeout"] <= 8  # Amazon Connect waits at most 8 s
    # Associated with the instance: the flow functions this country's flows invoke (a country
    # without a post-call survey has no flow that records survey answers).
    contents = json.dumps(
        [f["Properties"]["Content"] for f in resources(country.raw, "AWS::Connect::ContactFlow").values()]
    )
    invoked = {fid for fid in functions if f'"{fid}", "Arn"' in contents}
    names = {functions[fid]["Properties"]["Handler"].split(".")[2] for fid in invoked}
    assert names <= set(flow_invoked) and {"identify_caller", "create_case"} <= names
    survey = any(s.kind == "post_call" for s in country.config.surveys)
    assert ("record_survey_answer" in names) is survey
    template.resource_count_is("AWS::Connect::IntegrationAssociation", len(invoked))
    template.has_resource_properties(
        "AWS::Lambda::Permission",
        {"Principal": "connect.amazonaws.com", "SourceArn": {"Fn::GetAtt": ["ConnectInstance", "Arn"]}},
    )
    template.has_resource_properties(
        "AWS::Events::Rule",
        {
            "EventPattern": {
                "source": ["aws.connect"],
                "detail-type": ["Amazon Connect Contact Event"],
                "detail": {"instanceArn": [{"Fn::GetAtt": ["ConnectInstance", "Arn"]}]},
            }
        },
    )


STATEFUL_IDS = [
    "ConnectInstance",
    "DataKey",
    "RecordingsBucket",
    "AccessLogsBucket",
    "PhoneNumber",
    "PseudonymKey",
    "ArchiveBucket",
    "SigningKey",
    "TrailBucket",
]


def test_stateful_resources_keep_stable_logical_ids_and_are_retained_except_on_create(country):
    """RetainExceptOnCreate: kept on update and delete, removed when their first create rolls back.

    Plain Retain would keep them after a failed first deploy and block the retry (the alias,
    the instance quota, names). UpdateReplacePolicy has no RetainExceptOnCreate; its Retain
    acts only when an update replaces a resource, never on a failed create, and keeps the data.
    """
    raw = country.raw["Resources"]
    stable = STATEFUL_IDS + [f"{m.LOGICAL_NAME}Table" for m in ALL_MODELS]
    for logical_id in stable:
        assert raw[logical_id]["DeletionPolicy"] == "RetainExceptOnCreate", logical_id
        assert raw[logical_id]["UpdateReplacePolicy"] == "Retain", logical_id
    # and nothing at all (log groups, CDK's own resources) keeps a plain Retain on delete
    assert [k for k, r in raw.items() if r.get("DeletionPolicy") == "Retain"] == []


def test_security_profiles_agent_supervisor_and_read_only_auditor(country):
    profiles = {
        p["Properties"]["SecurityProfileName"].split()[-1]: p["Properties"]["Permissions"]
        for p in resources(country.raw, "AWS::Connect::SecurityProfile").values()
    }
    assert set(profiles) == {"agent", "supervisor", "auditor"}
    assert profiles["auditor"] == AUDITOR_PERMISSIONS
    assert all(p.endswith(".View") for p in profiles["auditor"])
    assert "BasicAgentAccess" in profiles["agent"]


def test_number_is_claimed_and_answered_by_the_entry_flow(country):
    cfg, template = country.config, country.template
    assert cfg.phone_number.arn is None, "the shipped countries claim their number"
    template.has_resource_properties(
        "AWS::Connect::PhoneNumber",
        {
            "CountryCode": cfg.phone_number.country_code,
            "Type": cfg.phone_number.type,
            "TargetArn": {"Fn::GetAtt": ["ConnectInstance", "Arn"]},
        },
    )
    association = [
        r
        for r in country.raw["Resources"].values()
        if r["Type"] == "Custom::AWS" and "associatePhoneNumberContactFlow" in str(r["Properties"].get("Create"))
    ]
    assert len(association) == 1
    outputs = country.raw["Outputs"]
    assert outputs["PhoneNumber"]["Value"] == {"Fn::GetAtt": ["PhoneNumber", "Address"]}
    assert outputs["PhoneNumberArn"]["Value"] == {"Fn::GetAtt": ["PhoneNumber", "PhoneNumberArn"]}


def test_table_deletion_protection_follows_the_country_file(byo_country):
    """tables.deletion_protection: true (set once the first deploy succeeded) protects every table."""
    tables = resources(byo_country.raw, "AWS::DynamoDB::Table")
    assert tables and all(t["Properties"]["DeletionProtectionEnabled"] is True for t in tables.values())
