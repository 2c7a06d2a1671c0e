"""Audit resources, generic function wiring and operators' quick connects, on every template.

Every country is checked as shipped (``country``) and bring-your-own (``byo_country``). The
wiring of functions/permissions.py keys is also checked on a synthetic entry that uses every
key at once (stream, schedule, connect, archive bucket, signing key), so the mechanism is
proven even before a real handler declares them.
"""

from __future__ import annotations

import json
import re

import pytest

from functions.dal.models import ALL_MODELS
from functions.permissions import PERMISSIONS
from stacks.constructs.audit import LOG_RETENTION_DAYS, log_retention
from stacks.constructs.functions import flow_needs, parse_triggers
from stacks.helpline_stack import DEFAULT_TRIGGERS, function_access
from tests.infrastructure.conftest import resources

pytestmark = pytest.mark.xdist_group("infra")

READ_VERBS = ("Get", "List", "Describe", "Query", "Scan", "BatchGet", "Verify", "Decrypt")
WRITE_WORDS = ("Put", "Update", "Delete", "Write", "Create", "Sign", "Encrypt", "Restore", "Tag", "Import")


def _cid(name: str) -> str:
    return "".join(p.title() for p in name.split("_"))


def _list(value) -> list:
    return value if isinstance(value, list) else [value]


def _allow_statements(raw: dict):
    """(policy logical id, attached role logical ids, statement) for every Allow in the template."""
    for logical_id, res in raw["Resources"].items():
        if res["Type"] == "AWS::IAM::Policy":
            roles = [r["Ref"] for r in res["Properties"].get("Roles", []) if isinstance(r, dict)]
            for st in res["Properties"]["PolicyDocument"]["Statement"]:
                if st.get("Effect", "Allow") == "Allow":
                    yield logical_id, roles, st
        if res["Type"] == "AWS::IAM::Role":
            for pol in res["Properties"].get("Policies", []):
                for st in pol["PolicyDocument"]["Statement"]:
                    if st.get("Effect", "Allow") == "Allow":
                        yield logical_id, [logical_id], st


def _function_id(raw: dict, name: str) -> str:
    handler = f"functions.handlers.{name}.handler"
    return next(k for k, r in resources(raw, "AWS::Lambda::Function").items() if r["Properties"]["Handler"] == handler)


def _app(tmp_path):
    """An app with the project's feature flags (cdk.json), like app.py builds it."""
    import aws_cdk as cdk

    import app as cdk_app

    return cdk.App(outdir=str(tmp_path), context=json.loads((cdk_app.ROOT / "cdk.json").read_text())["context"])


def _role_of(raw: dict, function_id: str) -> str:
    return raw["Resources"][function_id]["Properties"]["Role"]["Fn::GetAtt"][0]


# ---- archive bucket ---------------------------------------------------------------------------
def _both(country, byo_assembly):
    """The country as shipped and the same country bring-your-own."""
    return country, byo_assembly[1][country.config.code]


def _archive_checks(synth) -> None:
    cfg, raw = synth.config, synth.raw
    bucket = raw["Resources"]["ArchiveBucket"]
    props = bucket["Properties"]
    assert props["ObjectLockEnabled"] is True
    assert props["ObjectLockConfiguration"] == {
        "ObjectLockEnabled": "Enabled",
        "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": cfg.archive_retention_days}},
    }
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    sse = props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
    assert sse == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": {"Fn::GetAtt": ["DataKey", "Arn"]}}
    assert props["LoggingConfiguration"]["DestinationBucketName"] == {"Ref": "AccessLogsBucket"}
    assert bucket["DeletionPolicy"] == "RetainExceptOnCreate"
    policy = next(
        p["Properties"]["PolicyDocument"]["Statement"]
        for p in resources(raw, "AWS::S3::BucketPolicy").values()
        if p["Properties"]["Bucket"] == {"Ref": "ArchiveBucket"}
    )
    denies = [st for st in policy if st["Effect"] == "Deny"]
    assert any(st.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}} for st in denies)
    assert any(
        set(_list(st["Action"])) == {"s3:DeleteObject", "s3:DeleteObjectVersion"} and st["Principal"] == {"AWS": "*"}
        for st in denies
    )


def test_archive_bucket_has_compliance_object_lock_with_the_configured_days(country):
    _archive_checks(country)
    assert country.config.archive_retention_days == country.config.retention_days.cases  # the default


def test_byo_archive_bucket_has_compliance_object_lock(byo_country):
    _archive_checks(byo_country)


def test_configured_archive_retention_reaches_the_bucket(synthesized, tmp_path):
    import aws_cdk as cdk

    import app as cdk_app
    from stacks.helpline_stack import HelplineStack

    base = synthesized["pl"].config
    cfg = base.model_copy(update={"audit": base.audit.model_copy(update={"archive_retention_days": 1000})})
    stack = HelplineStack(
        _app(tmp_path),
        "Probe",
        config=cfg,
        lambda_code_dir=cdk_app.BUILD / "lambda",
        lambda_layer_dir=cdk_app.BUILD / "layer",
        env=cdk.Environment(region=cfg.region),
    )
    raw = cdk.assertions.Template.from_stack(stack).to_json()
    rule = raw["Resources"]["ArchiveBucket"]["Properties"]["ObjectLockConfiguration"]["Rule"]
    assert rule == {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": 1000}}


def test_no_role_of_the_stack_can_delete_archive_objects(country, byo_assembly):
    for synth in _both(country, byo_assembly):
        for logical_id, _, st in _allow_statements(synth.raw):
            targets = json.dumps(st.get("Resource"))
            if "ArchiveBucket" not in targets:
                continue
            for action in _list(st["Action"]):
                assert not action.startswith(("s3:Delete", "s3:PutBucket", "s3:PutLifecycle")), (logical_id, action)
                assert action not in ("*", "s3:*", "s3:BypassGovernanceRetention"), (logical_id, action)


# ---- signing key ------------------------------------------------------------------------------
def test_signing_key_is_ecc_sign_verify_and_only_archive_writers_sign(country, byo_assembly):
    signers = sorted(n for n, spec in PERMISSIONS.items() if spec.get("signing_key"))
    for synth in _both(country, byo_assembly):
        raw = synth.raw
        key = raw["Resources"]["SigningKey"]
        assert key["Properties"]["KeySpec"] == "ECC_NIST_P256"
        assert key["Properties"]["KeyUsage"] == "SIGN_VERIFY"
        signer_roles = sorted(_role_of(raw, _function_id(raw, n)) for n in signers)
        # IAM: kms:Sign is granted only to the declared signers, and only on the signing key
        granted = set()
        for logical_id, roles, st in _allow_statements(raw):
            if "kms:Sign" in _list(st["Action"]) or any(a in ("*", "kms:*") for a in _list(st["Action"])):
                assert _list(st["Resource"]) == [{"Fn::GetAtt": ["SigningKey", "Arn"]}], logical_id
                granted.update(roles)
        assert sorted(granted) == signer_roles
        # key policy: everyone else is denied kms:Sign, whatever IAM says
        deny = next(
            st
            for st in key["Properties"]["KeyPolicy"]["Statement"]
            if st["Effect"] == "Deny" and st["Action"] == "kms:Sign"
        )
        assert deny["Principal"] == {"AWS": "*"}
        if signer_roles:
            allowed = _list(deny["Condition"]["ArnNotEquals"]["aws:PrincipalArn"])
            assert sorted(a["Fn::GetAtt"][0] for a in allowed) == signer_roles
        else:
            assert "Condition" not in deny  # nobody may sign


# ---- auditor role -----------------------------------------------------------------------------
def _auditor_statements(raw: dict) -> list[dict]:
    out = [st for _, roles, st in _allow_statements(raw) if "AuditAuditorRole" in " ".join(roles)]
    role_id = next(k for k in resources(raw, "AWS::IAM::Role") if k.startswith("AuditAuditorRole"))
    assert not raw["Resources"][role_id]["Properties"].get("ManagedPolicyArns")
    return out


def test_auditor_role_reads_and_never_writes(country, byo_assembly):
    for synth in _both(country, byo_assembly):
        statements = _auditor_statements(synth.raw)
        actions = [a for st in statements for a in _list(st["Action"])]
        assert {"dynamodb:Query", "s3:GetObject", "kms:GetPublicKey", "kms:Verify", "kms:Decrypt"} <= set(actions)
        for action in actions:
            verb = action.split(":", 1)[1]
            assert "*" not in action and verb.startswith(READ_VERBS), action
            assert not any(word in verb for word in WRITE_WORDS if word != "Sign" or verb != "Verify"), action
        decrypt = [st for st in statements if "kms:Decrypt" in _list(st["Action"])]
        assert decrypt and all("kms:ViaService" in st["Condition"]["StringEquals"] for st in decrypt)
        # the chains and the cases only (Cases attribute by attribute: tests/infrastructure/test_custody.py)
        tables = {"InteractionsTable", "CasesTable"}
        read = {
            r["Fn::GetAtt"][0]
            for st in statements
            if "dynamodb:GetItem" in _list(st["Action"]) and st.get("Effect") == "Allow"
            for r in _list(st["Resource"])
            if isinstance(r, dict) and "Fn::GetAtt" in r
        }
        assert read == tables
        # `helpline audit verify --stack` reads this stack's resources and outputs, and only this stack's
        stack_reads = [st for st in statements if "cloudformation:ListStackResources" in _list(st["Action"])]
        assert len(stack_reads) == 1 and set(_list(stack_reads[0]["Action"])) == {
            "cloudformation:DescribeStackResource", "cloudformation:DescribeStacks", "cloudformation:ListStackResources"
        }  # fmt: skip
        assert stack_reads[0]["Resource"] == {"Ref": "AWS::StackId"}


def test_auditor_role_needs_mfa_unless_principals_are_configured(country):
    role = next(r for k, r in resources(country.raw, "AWS::IAM::Role").items() if k.startswith("AuditAuditorRole"))
    trust = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert not country.config.audit.auditor_principals
    assert [st["Condition"] for st in trust] == [{"Bool": {"aws:MultiFactorAuthPresent": "true"}}]
    assert role["Properties"]["MaxSessionDuration"] == 3600


# ---- access trail -----------------------------------------------------------------------------
def test_trail_records_data_events_on_every_table_and_the_archive(country, byo_assembly):
    for synth in _both(country, byo_assembly):
        trail = synth.raw["Resources"]["AccessTrail"]["Properties"]
        assert trail["EnableLogFileValidation"] is True
        assert trail["KMSKeyId"] == {"Fn::GetAtt": ["DataKey", "Arn"]}
        assert trail["S3BucketName"] == {"Ref": "TrailBucket"}
        assert "EventSelectors" not in trail
        by_type = {}
        for selector in trail["AdvancedEventSelectors"]:
            fields = {f["Field"]: f for f in selector["FieldSelectors"]}
            if fields["eventCategory"]["Equals"] == ["Management"]:
                continue  # the custody selector (tests/infrastructure/test_custody.py)
            assert fields["eventCategory"]["Equals"] == ["Data"]
            by_type[fields["resources.type"]["Equals"][0]] = fields["resources.ARN"]
        tables = sorted(a["Fn::GetAtt"][0] for a in by_type["AWS::DynamoDB::Table"]["Equals"])
        assert tables == sorted(f"{m.LOGICAL_NAME}Table" for m in ALL_MODELS)
        assert "ArchiveBucket" in json.dumps(by_type["AWS::S3::Object"]["StartsWith"])
        # CloudTrail may use the data key, for this trail only
        key_policy = synth.raw["Resources"]["DataKey"]["Properties"]["KeyPolicy"]["Statement"]
        grant = next(st for st in key_policy if st.get("Sid") == "CloudTrailEncryptsAccessLogs")
        assert grant["Principal"] == {"Service": "cloudtrail.amazonaws.com"}
        assert "-access" in json.dumps(grant["Condition"]["ArnLike"]["aws:SourceArn"])


# ---- Connect flow logs ------------------------------------------------------------------------
def test_flow_log_group_is_named_as_connect_names_it_with_the_country_retention(country):
    raw = country.raw["Resources"]
    group = raw["ConnectFlowLogs"]["Properties"]
    alias = raw["ConnectInstance"]["Properties"]["InstanceAlias"]["Fn::Join"][1]  # [prefix, uuid head]
    assert group["LogGroupName"]["Fn::Join"][1] == ["/aws/connect/" + alias[0], *alias[1:]]
    days = country.config.retention_days.interactions
    assert group["RetentionInDays"] == log_retention(days) and group["RetentionInDays"] <= days
    assert group["KmsKeyId"] == {"Fn::GetAtt": ["DataKey", "Arn"]}
    assert "ConnectFlowLogs" in _list(raw["ConnectInstance"].get("DependsOn", []))


def test_byo_instance_gets_no_flow_log_group(byo_country):
    assert "ConnectFlowLogs" not in byo_country.raw["Resources"]
    assert not [
        g
        for g in resources(byo_country.raw, "AWS::Logs::LogGroup").values()
        if "/aws/connect/" in json.dumps(g["Properties"].get("LogGroupName", ""))
    ]


@pytest.mark.parametrize(("days", "expected"), [(1, 1), (2, 1), (730, 545), (731, 731), (90, 90), (5000, 3653)])
def test_log_retention_never_exceeds_the_configured_days(days, expected):
    assert log_retention(days) == expected and expected in LOG_RETENTION_DAYS


# ---- function wiring from functions/permissions.py --------------------------------------------
@pytest.mark.parametrize("name", sorted(PERMISSIONS))
def test_each_permissions_entry_gets_exactly_its_triggers(name, synthesized):
    spec = PERMISSIONS[name]
    triggers = parse_triggers(spec.get("trigger", DEFAULT_TRIGGERS.get(name, "flow")))
    for synth in synthesized.values():
        raw = synth.raw
        fn = _function_id(raw, name)
        _assert_triggers(raw, fn, spec, triggers, synth.config)


def _assert_triggers(raw: dict, fn: str, spec: dict, triggers, cfg) -> None:
    mappings = [
        m["Properties"]
        for m in resources(raw, "AWS::Lambda::EventSourceMapping").values()
        if m["Properties"]["FunctionName"] == {"Ref": fn}
    ]
    streams = [t for trig in triggers if trig.kind == "stream" for t in trig.tables]
    assert sorted(m["EventSourceArn"]["Fn::GetAtt"][0] for m in mappings) == sorted(f"{t}Table" for t in streams)
    events = {t: trig.events for trig in triggers if trig.kind == "stream" for t in trig.tables}
    for m in mappings:  # only the record kinds the entry names invoke it (Lambda FilterCriteria)
        wanted = events[m["EventSourceArn"]["Fn::GetAtt"][0].removesuffix("Table")]
        filters = m.get("FilterCriteria", {}).get("Filters", [])
        assert [json.loads(f["Pattern"]) for f in filters] == ([{"eventName": list(wanted)}] if wanted else [])
    window = cfg.audit.checkpoint_batch_seconds if spec.get("archive_bucket") else 0
    for m in mappings:
        assert m["EventSourceArn"]["Fn::GetAtt"][1] == "StreamArn"
        assert m["BisectBatchOnFunctionError"] is True and m["MaximumRetryAttempts"] > 0
        assert m["StartingPosition"] == "TRIM_HORIZON"
        assert m["MaximumBatchingWindowInSeconds"] == window
        queue = raw["Resources"][m["DestinationConfig"]["OnFailure"]["Destination"]["Fn::GetAtt"][0]]
        assert queue["Type"] == "AWS::SQS::Queue"
        assert queue["Properties"]["KmsMasterKeyId"] == {"Fn::GetAtt": ["DataKey", "Arn"]}
    schedules = sorted(
        r["Properties"]["ScheduleExpression"]
        for r in resources(raw, "AWS::Events::Rule").values()
        if "ScheduleExpression" in r["Properties"]
        and any(t["Arn"] == {"Fn::GetAtt": [fn, "Arn"]} for t in r["Properties"]["Targets"])
    )
    minutes = [t.minutes for t in triggers if t.kind == "schedule"]
    assert schedules == sorted(f"rate({m} minute{'s' if m > 1 else ''})" for m in minutes)
    integrated = [
        a
        for a in resources(raw, "AWS::Connect::IntegrationAssociation").values()
        if a["Properties"]["IntegrationArn"] == {"Fn::GetAtt": [fn, "Arn"]}
    ]
    handler = raw["Resources"][fn]["Properties"]["Handler"].split(".")[2]  # functions.handlers.<name>.handler
    connect_invoked = any(t.kind == "flow" for t in triggers) and flow_needs(cfg, handler)
    assert len(integrated) == (1 if connect_invoked else 0)
    env = raw["Resources"][fn]["Properties"]["Environment"]["Variables"]
    for key, var in (("archive_bucket", "ARCHIVE_BUCKET"), ("signing_key", "SIGNING_KEY_ARN")):
        assert (var in env) == bool(spec.get(key)), var
    assert ("SUPERVISOR_PROFILE_IDS" in env) == ("connect:DescribeUser" in spec.get("connect", ()))
    assert ("CONNECT_INSTANCE_ID" in env) == bool(spec.get("connect"))


def test_a_synthetic_entry_with_every_key_is_wired_and_passes_cdk_nag(synthesized, tmp_path, monkeypatch):
    """Stream, schedule, Connect, archive and signing wiring on a made-up entry (cdk-nag on)."""
    import aws_cdk as cdk
    from cdk_nag import AwsSolutionsChecks

    import app as cdk_app
    from functions import permissions
    from stacks.helpline_stack import HelplineStack

    entry = {
        "tables": {"Cases": ["dynamodb:GetItem"]},
        "pseudonym_key": True,
        "event_bus": False,
        "trigger": [{"stream": ["Cases", "Interactions"]}, {"schedule_minutes": 5}],
        "connect": ["connect:DescribeUser"],
        "archive_bucket": True,
        "signing_key": True,
        "description": "probe",
    }
    monkeypatch.setitem(permissions.PERMISSIONS, "probe_everything", entry)
    cfg = synthesized["ro"].config
    app = _app(tmp_path)
    stack = HelplineStack(
        app,
        "Probe",
        config=cfg,
        lambda_code_dir=cdk_app.BUILD / "lambda",
        lambda_layer_dir=cdk_app.BUILD / "layer",
        env=cdk.Environment(region=cfg.region),
    )
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    app.synth()  # fails on any cdk-nag finding
    raw = cdk.assertions.Template.from_stack(stack).to_json()
    fn = _function_id(raw, "probe_everything")
    triggers = parse_triggers(entry["trigger"])
    _assert_triggers(raw, fn, entry, triggers, cfg)
    assert raw["Resources"][fn]["Properties"]["Timeout"] > cfg.ivr.lambda_timeout_seconds  # not flow-invoked
    role = _role_of(raw, fn)
    grants = {
        a: st["Resource"] for _, roles, st in _allow_statements(raw) if role in roles for a in _list(st["Action"])
    }
    assert "/agent/*" in json.dumps(grants["connect:DescribeUser"])
    assert "ConnectInstance" in json.dumps(grants["connect:DescribeUser"])
    assert _list(grants["s3:PutObject"]) == [{"Fn::Join": ["", [{"Fn::GetAtt": ["ArchiveBucket", "Arn"]}, "/*"]]}]
    assert _list(grants["kms:Sign"]) == [{"Fn::GetAtt": ["SigningKey", "Arn"]}]
    streams = grants["dynamodb:GetRecords"]
    assert sorted(s["Fn::GetAtt"][0] for s in _list(streams)) == ["CasesTable", "InteractionsTable"]
    assert "sqs:SendMessage" in grants
    env = raw["Resources"][fn]["Properties"]["Environment"]["Variables"]
    assert "SecuritySupervisor" in json.dumps(env["SUPERVISOR_PROFILE_IDS"])
    assert env["CONNECT_INSTANCE_ID"] == {"Fn::GetAtt": ["ConnectInstance", "Id"]}
    key = raw["Resources"]["SigningKey"]["Properties"]["KeyPolicy"]["Statement"]
    deny = next(st for st in key if st["Effect"] == "Deny")
    allowed = sorted(a["Fn::GetAtt"][0] for a in _list(deny["Condition"]["ArnNotEquals"]["aws:PrincipalArn"]))
    signers = [n for n, spec in permissions.PERMISSIONS.items() if spec.get("signing_key")]
    assert allowed == sorted(_role_of(raw, _function_id(raw, n)) for n in signers) and role in allowed


@pytest.mark.parametrize(
    "bad", ["sometimes", {"stream": []}, {"schedule_minutes": 0}, {"stream": ["Cases"], "x": 1}, []]
)
def test_unknown_triggers_fail_synthesis(bad):
    with pytest.raises(ValueError):
        parse_triggers(bad)


def test_stream_triggers_read_tables_that_stream(synthesized):
    """Every {"stream": [...]} table has a stream (from its model's Meta.stream_view_type)."""
    for access in function_access():
        for table in access.stream_tables:
            for synth in synthesized.values():
                spec = synth.raw["Resources"][f"{table}Table"]["Properties"]
                assert "StreamSpecification" in spec, (access.name, table)


def test_every_lambda_associated_with_the_instance_is_invoked_by_some_flow(country, byo_assembly):
    """Connect may invoke only what a flow invokes; an association nothing uses is a stray grant."""
    for synth in _both(country, byo_assembly):
        raw = synth.raw
        contents = json.dumps(
            [f["Properties"]["Content"] for f in resources(raw, "AWS::Connect::ContactFlow").values()]
        )
        invoked = set(re.findall(r'"Fn::GetAtt": \["([A-Za-z0-9]+)", "Arn"\]', contents))
        associated = {
            a["Properties"]["IntegrationArn"]["Fn::GetAtt"][0]
            for a in resources(raw, "AWS::Connect::IntegrationAssociation").values()
        }
        names = {fid: raw["Resources"][fid]["Properties"]["Handler"].split(".")[2] for fid in associated}
        assert {names[f] for f in associated - invoked} == set()
        # every flow-triggered function, but the survey's only where a post-call survey flow is
        expected = {a.name for a in function_access() if a.flow_invoked and flow_needs(synth.config, a.name)}
        assert expected == set(names.values())
        assert ("record_survey_answer" in expected) == (synth.config.post_call_survey is not None)


# ---- operators: quick connects, supervisor --------------------------------------------------------
def test_quick_connects_to_every_phone_partner_on_every_queue(country, byo_assembly):
    for synth in _both(country, byo_assembly):
        cfg, raw = synth.config, synth.raw
        quick = resources(raw, "AWS::Connect::QuickConnect")
        numbers = sorted(q["Properties"]["QuickConnectConfig"]["PhoneConfig"]["PhoneNumber"] for q in quick.values())
        expected = sorted(re.sub(r"[\s.()-]", "", p.channel.address) for p in cfg.partners if p.channel.type == "phone")
        assert numbers == expected  # one per partner reached by phone (a country may have none yet)
        assert all(re.match(r"^\+[1-9]\d{1,14}$", n) for n in numbers)  # E.164, as Connect requires
        assert all(q["Properties"]["QuickConnectConfig"]["QuickConnectType"] == "PHONE_NUMBER" for q in quick.values())
        assert cfg.emergency.number not in {n.lstrip("+") for n in numbers}  # 112 is not E.164: no quick connect
        names = [q["Properties"]["Name"] for q in quick.values()]
        assert len(set(names)) == len(names) and all(len(n) <= 127 for n in names)
        for queue in resources(raw, "AWS::Connect::Queue").values():
            attached = sorted(a["Fn::GetAtt"][0] for a in queue["Properties"].get("QuickConnectArns", []))
            assert attached == sorted(quick)


def test_agents_transfer_supervisors_see_queues(country):
    profiles = {
        p["Properties"]["SecurityProfileName"].split()[-1]: set(p["Properties"]["Permissions"])
        for p in resources(country.raw, "AWS::Connect::SecurityProfile").values()
    }
    assert "TransferDestinations.View" in profiles["agent"]  # quick connects
    assert "Queues.View" in profiles["supervisor"] and "Queues.View" not in profiles["agent"]


# ---- partner directory seeding ----------------------------------------------------------------
def test_each_partner_is_seeded_by_its_own_resource_and_deleted_with_it(country):
    cfg, raw = country.config, country.raw
    seeds = {
        k: r["Properties"]
        for k, r in resources(raw, "Custom::AWS").items()
        if "transactWriteItems" in json.dumps(r["Properties"].get("Create", ""))
    }
    assert len(seeds) == len(cfg.partners)
    for partner in cfg.partners:
        seed = next(
            s
            for k, s in seeds.items()
            if k.startswith("DataSeedPartner" + "".join(p.title() for p in partner.id.split("-")))
        )
        create, delete = (json.dumps(seed[k]).replace("\\", "").replace(" ", "") for k in ("Create", "Delete"))
        key = f'"partner_id":{{"S":"{partner.id}"}}'
        assert key in create and '"Put":' in create
        assert key in delete and '"Delete":' in delete and '"Put":' not in delete


# ---- environment ------------------------------------------------------------------------------
# Tunables with a default in functions/settings.py; every other variable a handler reads is set.
TUNABLES = {"DDB_CONNECT_TIMEOUT", "DDB_READ_TIMEOUT", "DDB_MAX_RETRIES", "HASH_KEY_MAX_AGE", "IDEMPOTENCY_TTL_HOURS"}


@pytest.mark.parametrize("name", sorted(PERMISSIONS))
def test_every_variable_a_function_reads_is_set(name, synthesized):
    from functions.permissions import ENVIRONMENT

    for synth in synthesized.values():
        env = synth.raw["Resources"][_function_id(synth.raw, name)]["Properties"]["Environment"]["Variables"]
        assert set(ENVIRONMENT[name]) - TUNABLES - set(env) == set()


def test_the_outbox_courier_is_invoked_by_new_messages_only(synthesized):
    """deliver_outbox's own claims and marks (MODIFY) must not invoke it again (with-ddb-filtering.html)."""
    for synth in synthesized.values():
        fn = _function_id(synth.raw, "deliver_outbox")
        (mapping,) = [
            m["Properties"]
            for m in resources(synth.raw, "AWS::Lambda::EventSourceMapping").values()
            if m["Properties"]["FunctionName"] == {"Ref": fn}
        ]
        assert mapping["EventSourceArn"]["Fn::GetAtt"][0] == "OutboxTable"
        assert [json.loads(f["Pattern"]) for f in mapping["FilterCriteria"]["Filters"]] == [{"eventName": ["INSERT"]}]
