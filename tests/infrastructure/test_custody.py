"""Custody you can audit, a pseudonym without an extractable secret, least privilege for auditors,
an archive that refuses overwrites: template assertions on one synthesized country stack (pl), and
the off-line enumeration attack run against the sandbox's moto stack."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest

from functions.logic.archive import PERSONAL_FIELDS
from functions.permissions import PERMISSIONS


@pytest.fixture(scope="module")
def raw(tmp_path_factory) -> dict:
    """The pl country stack alone (its live-test stack is not needed here), cdk-nag on."""
    import aws_cdk as cdk
    from cdk_nag import AwsSolutionsChecks

    import app as cdk_app
    from helpline.config import load_country
    from stacks.helpline_stack import HelplineStack

    outdir = tmp_path_factory.mktemp("custody")
    context = json.loads((cdk_app.ROOT / "cdk.json").read_text())["context"]
    app = cdk.App(outdir=str(outdir), context=context)
    cfg = load_country("pl")
    HelplineStack(
        app,
        cfg.stack_name,
        config=cfg,
        lambda_code_dir=cdk_app.BUILD / "lambda",
        lambda_layer_dir=cdk_app.BUILD / "layer",
        env=cdk.Environment(account=cfg.account, region=cfg.region),
        stack_name=cfg.stack_name,
    )
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app, verbose=True))
    app.synth()
    return json.loads((outdir / f"{cfg.stack_name}.template.json").read_text())


def _list(value):
    return value if isinstance(value, list) else [value]


def _of_type(raw: dict, kind: str) -> dict:
    return {k: r for k, r in raw["Resources"].items() if r["Type"] == kind}


def _policy(raw: dict, prefix: str) -> list[dict]:
    (policy,) = [r for k, r in _of_type(raw, "AWS::IAM::Policy").items() if k.startswith(prefix)]
    return policy["Properties"]["PolicyDocument"]["Statement"]


def _key_statements(raw: dict, logical_id: str) -> list[dict]:
    return raw["Resources"][logical_id]["Properties"]["KeyPolicy"]["Statement"]


# ---- the pseudonym key ----------------------------------------------------------------------------
def test_the_pseudonym_key_is_a_kms_hmac_key_and_no_secret_is_left(raw):
    key = raw["Resources"]["PseudonymKey"]
    assert key["Type"] == "AWS::KMS::Key"
    assert (key["Properties"]["KeySpec"], key["Properties"]["KeyUsage"]) == ("HMAC_256", "GENERATE_VERIFY_MAC")
    assert key["DeletionPolicy"] == "RetainExceptOnCreate"  # losing it would unlink every caller
    assert _of_type(raw, "AWS::SecretsManager::Secret") == {}  # no key material in any secret
    for logical_id, st in ((k, st) for k in _of_type(raw, "AWS::IAM::Policy") for st in _policy(raw, k)):
        assert not any(a.startswith("secretsmanager:") for a in _list(st["Action"])), logical_id


def test_generate_mac_is_granted_exactly_to_the_functions_that_declare_the_pseudonym_key(raw):
    granted = set()
    for name in PERMISSIONS:
        prefix = "Functions" + "".join(p.title() for p in name.split("_")) + "Policy"
        for st in _policy(raw, prefix):
            if "kms:GenerateMac" in _list(st["Action"]):
                assert st["Resource"] == {"Fn::GetAtt": ["PseudonymKey", "Arn"]}
                granted.add(name)
    assert granted == {n for n, spec in PERMISSIONS.items() if spec.get("pseudonym_key")}
    assert granted == {"identify_caller", "create_case"}
    # The key policy names the same roles (plus the data-protection role); the account only administers.
    named = {
        p["Fn::GetAtt"][0]
        for st in _key_statements(raw, "PseudonymKey")
        if "kms:GenerateMac" in _list(st["Action"])
        for p in _list(st["Principal"]["AWS"])
    }
    assert {n.split("Role")[0] for n in named} == {
        "FunctionsIdentifyCaller",
        "FunctionsCreateCase",
        "AuditDataProtection",
    }


@pytest.mark.parametrize("key", ["PseudonymKey", "SigningKey"])
def test_the_account_administers_the_keys_but_never_uses_them(raw, key):
    """No root kms:*: IAM policies cannot grant GenerateMac or Sign; PutKeyPolicy keeps the key manageable."""
    (account,) = [
        st for st in _key_statements(raw, key) if st["Effect"] == "Allow" and ":root" in json.dumps(st["Principal"])
    ]
    actions = set(_list(account["Action"]))
    assert "kms:*" not in actions and "kms:PutKeyPolicy" not in actions and "kms:Put*" in actions
    assert not {"kms:GenerateMac", "kms:Sign", "kms:Decrypt", "kms:Encrypt"} & actions
    assert not any(a.startswith(("kms:Generate", "kms:Sign", "kms:Decrypt", "kms:ReEncrypt")) for a in actions)


def test_only_the_archive_writer_may_sign(raw):
    signers = [st for st in _key_statements(raw, "SigningKey") if "kms:Sign" in _list(st["Action"])]
    allow = [st for st in signers if st["Effect"] == "Allow"]
    assert [p["Fn::GetAtt"][0].split("Role")[0] for st in allow for p in _list(st["Principal"]["AWS"])] == [
        "FunctionsArchiveRecords"
    ]
    assert any(st["Effect"] == "Deny" for st in signers)


def test_an_attacker_with_every_secret_of_the_stack_cannot_compute_a_pseudonym_offline():
    """The 22-second enumeration needs the HMAC key: on the sandbox's moto stack no secret value
    holds it, so hashing a number under every readable secret value never gives the pseudonym."""
    import boto3

    from helpline.sandbox import local_backend
    from tests.integration.support import load_event, partners, with_contact

    with local_backend(partners(), country="pl") as backend:
        event = with_contact(load_event("identify_caller"), "contact-attack")
        number = event["Details"]["ContactData"]["CustomerEndpoint"]["Address"].encode()
        backend.reset_calls()
        pseudonym = backend.invoke("identify_caller", event)["caller_id"]
        sm = boto3.client("secretsmanager", region_name="eu-central-1")
        values = []
        for page in sm.get_paginator("list_secrets").paginate():
            for secret in page["SecretList"]:
                answer = sm.get_secret_value(SecretId=secret["ARN"])
                values.append(answer.get("SecretString", "").encode() or answer.get("SecretBinary", b""))
        assert len(pseudonym) == 64
        assert all(hmac.new(v, number, hashlib.sha256).hexdigest() != pseudonym for v in values)
        assert all(v.hex() != pseudonym and pseudonym not in v.decode(errors="ignore") for v in values)
        assert [c.operation for c in backend.calls if c.service == "kms"] == ["GenerateMac"]


# ---- custody: trail and alarms ----------------------------------------------------------------------
def test_the_trail_records_write_management_events(raw):
    selectors = raw["Resources"]["AccessTrail"]["Properties"]["AdvancedEventSelectors"]
    management = [
        {f["Field"]: f["Equals"] for f in s["FieldSelectors"]}
        for s in selectors
        if any(f["Field"] == "eventCategory" and f["Equals"] == ["Management"] for f in s["FieldSelectors"])
    ]
    assert management == [{"eventCategory": ["Management"], "readOnly": ["false"]}]


def _custody_rules(raw: dict) -> dict[str, dict]:
    return {
        k: r["Properties"]
        for k, r in _of_type(raw, "AWS::Events::Rule").items()
        if "EventPattern" in r["Properties"]
        and r["Properties"]["EventPattern"].get("detail-type") == ["AWS API Call via CloudTrail"]
    }


def test_alarms_on_key_policy_archive_writer_and_archive_bucket_policy_changes(raw):
    rules = _custody_rules(raw)
    by_event = {}
    for props in rules.values():
        pattern = props["EventPattern"]
        for name in pattern["detail"]["eventName"]:
            by_event[json.dumps(name, sort_keys=True)] = pattern
        (target,) = props["Targets"]
        assert target["Arn"] == {"Ref": next(k for k in _of_type(raw, "AWS::SNS::Topic") if "Alarms" in k)}
    kms = by_event['"PutKeyPolicy"']
    assert kms["source"] == ["aws.kms"]
    keys = kms["detail"]["resources"]["ARN"]
    assert {"Fn::GetAtt": ["SigningKey", "Arn"]} in keys and {"Fn::GetAtt": ["PseudonymKey", "Arn"]} in keys
    bucket = by_event['"PutBucketPolicy"']
    assert bucket["detail"]["requestParameters"]["bucketName"] == [{"Ref": "ArchiveBucket"}]
    code = by_event[json.dumps({"prefix": "UpdateFunctionCode"})]
    assert {"prefix": "UpdateFunctionConfiguration"} in code["detail"]["eventName"]
    names = code["detail"]["requestParameters"]["functionName"]
    writer = next(
        k for k, r in _of_type(raw, "AWS::Lambda::Function").items() if k.startswith("FunctionsArchiveRecords")
    )
    assert {"Ref": writer} in names
    # EventBridge may use the topic's key (or the alarm is dropped silently: BRIEF 2b)
    sid = "EventBridgeCustodyAlarmsToEncryptedTopic"
    (grant,) = [st for st in _key_statements(raw, "DataKey") if st.get("Sid") == sid]
    assert grant["Principal"] == {"Service": "events.amazonaws.com"}
    assert set(_list(grant["Action"])) == {"kms:Decrypt", "kms:GenerateDataKey*"}


# ---- least privilege for auditors -------------------------------------------------------------------
def _auditor(raw: dict) -> list[dict]:
    return _policy(raw, "AuditAuditorPolicy")


def test_the_auditor_reads_no_callers_no_survey_lists_and_no_notes(raw):
    statements = _auditor(raw)
    tables = {
        r["Fn::GetAtt"][0]
        for st in statements
        if st["Effect"] == "Allow"
        for r in _list(st["Resource"])
        if isinstance(r, dict) and "Fn::GetAtt" in r and any(a.startswith("dynamodb:") for a in _list(st["Action"]))
    }
    assert tables == {"InteractionsTable", "CasesTable"}
    cases = [st for st in statements if {"Fn::GetAtt": ["CasesTable", "Arn"]} in _list(st["Resource"])]
    (allow,) = [st for st in cases if st["Effect"] == "Allow"]
    allowed = set(allow["Condition"]["ForAllValues:StringEquals"]["dynamodb:Attributes"])
    assert "note" not in allowed and "caller_id" not in allowed and not PERSONAL_FIELDS & allowed
    assert {"case_id", "chain_seq", "chain_head", "country"} <= allowed
    assert allow["Condition"]["StringEqualsIfExists"] == {"dynamodb:Select": "SPECIFIC_ATTRIBUTES"}
    denies = [st["Condition"] for st in cases if st["Effect"] == "Deny"]
    assert {"Null": {"dynamodb:Attributes": "true"}} in denies  # a plain Scan (every attribute) is refused
    assert any("note" in c.get("ForAnyValue:StringEquals", {}).get("dynamodb:Attributes", []) for c in denies)


def test_the_auditors_case_projection_is_what_the_policy_allows(raw):
    from functions.logic.archive import auditor_case_attributes

    (allow,) = [
        st
        for st in _auditor(raw)
        if st["Effect"] == "Allow" and {"Fn::GetAtt": ["CasesTable", "Arn"]} in _list(st["Resource"])
    ]
    assert auditor_case_attributes() == allow["Condition"]["ForAllValues:StringEquals"]["dynamodb:Attributes"]


def test_erasure_is_a_separate_data_protection_role(raw):
    assert raw["Outputs"]["DataProtectionRoleArn"]["Value"]["Fn::GetAtt"][0].startswith("AuditDataProtectionRole")
    statements = _policy(raw, "AuditDataProtectionPolicy")
    actions = {a for st in statements for a in _list(st["Action"])}
    assert {"kms:GenerateMac", "connect:DeleteContactData", "dynamodb:DeleteItem", "dynamodb:UpdateItem"} <= actions
    assert not [a for a in actions if a.startswith("s3:") or a in ("kms:Sign", "secretsmanager:GetSecretValue")]
    auditor = {a for st in _auditor(raw) if st["Effect"] == "Allow" for a in _list(st["Action"])}
    assert not auditor & {"kms:GenerateMac", "connect:DeleteContactData", "dynamodb:DeleteItem"}
    role = next(r for k, r in _of_type(raw, "AWS::IAM::Role").items() if k.startswith("AuditDataProtectionRole"))
    trust = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert [st["Condition"] for st in trust] == [{"Bool": {"aws:MultiFactorAuthPresent": "true"}}]


# ---- the archive refuses overwrites -----------------------------------------------------------------
def test_the_archive_bucket_denies_every_put_that_is_not_a_conditional_create(raw):
    (policy,) = [
        r["Properties"]["PolicyDocument"]["Statement"]
        for r in _of_type(raw, "AWS::S3::BucketPolicy").values()
        if r["Properties"]["Bucket"] == {"Ref": "ArchiveBucket"}
    ]
    (deny,) = [st for st in policy if st.get("Sid") == "OnlyConditionalCreates"]
    assert deny["Effect"] == "Deny" and deny["Principal"] == {"AWS": "*"}
    assert _list(deny["Action"]) == ["s3:PutObject"]
    assert deny["Condition"] == {"Null": {"s3:if-none-match": "true"}}
