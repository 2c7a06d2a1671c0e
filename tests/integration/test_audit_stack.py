"""The deployed-stack paths of ``helpline audit verify|export`` and ``helpline erase``, offline:
tables written by the real handlers (moto, via the sandbox), the archive bucket and the KMS signing
key in moto, checkpoints written by the real archive_records handler from the tables' moto streams
(the sandbox's pump_streams, Lambda's event shape), and CloudFormation (which moto here does not
run) and Amazon Connect answered by botocore's Stubber."""

from __future__ import annotations

import json
import os

import boto3
import pytest
from botocore.stub import Stubber
from typer.testing import CliRunner

from helpline.cli import app
from tests.integration.support import PHONE, load_event, partners, with_contact

runner = CliRunner()
REGION = "eu-central-1"
STACK = "helpline-pl"


class FakeSession:
    """boto3 clients against moto, except CloudFormation: a Stubber with the stack's resources."""

    def __init__(self, resources: dict[str, str], outputs: dict[str, str]) -> None:
        self.resources, self.outputs = resources, outputs
        self.redacted: list[str] = []  # contacts Amazon Connect is asked to redact (moto has no Connect)
        self.connect_errors: dict[str, list[str]] = {}  # contact -> error codes answered before success

    def client(self, service: str):
        client = boto3.client(service, region_name=REGION)
        if service == "connect":
            stubber = Stubber(client)
            for contact in self.redacted:
                expected = {"InstanceId": "instance-1", "ContactId": contact, "ContactFields": ["CUSTOMER_ENDPOINT"]}
                for code in self.connect_errors.get(contact, []):
                    stubber.add_client_error("delete_contact_data", code, expected_params=expected)
                if all(code.endswith(("Throttling", "ThrottlingException", "TooManyRequestsException"))
                       for code in self.connect_errors.get(contact, [])):  # fmt: skip
                    stubber.add_response("delete_contact_data", {}, expected)  # after retried throttling
            stubber.activate()
            return client
        if service != "cloudformation":
            return client
        stubber = Stubber(client)
        summaries = [
            {
                "LogicalResourceId": logical,
                "PhysicalResourceId": physical,
                "ResourceType": "AWS::DynamoDB::Table",
                "LastUpdatedTimestamp": "2026-03-01T00:00:00Z",
                "ResourceStatus": "CREATE_COMPLETE",
            }
            for logical, physical in self.resources.items()
        ]
        stubber.add_response("list_stack_resources", {"StackResourceSummaries": summaries}, {"StackName": STACK})
        stack = {
            "StackName": STACK,
            "CreationTime": "2026-03-01T00:00:00Z",
            "StackStatus": "CREATE_COMPLETE",
            "Outputs": [{"OutputKey": k, "OutputValue": v} for k, v in self.outputs.items()],
        }
        stubber.add_response("describe_stacks", {"Stacks": [stack]}, {"StackName": STACK})
        stubber.activate()
        return client


def _archive(backend) -> list[dict]:
    """Lambda's stream event source mapping: the new records of Cases, Interactions, Referrals."""
    results = backend.pump_streams("archive_records")
    assert results and all(isinstance(r, dict) and r["status"] == "ok" for r in results), results
    assert [r for r in results if r["checkpoint"]]
    return results


def _archived_text() -> str:
    s3 = boto3.client("s3", region_name=REGION)
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="pl-archive").get("Contents", [])]
    return "".join(s3.get_object(Bucket="pl-archive", Key=k)["Body"].read().decode() for k in keys)


@pytest.fixture
def stack(monkeypatch):
    from functions.dal.models import MODELS_BY_LOGICAL_NAME
    from helpline.audit import stack as stack_module
    from helpline.sandbox import local_backend

    with local_backend(partners(), country="pl") as backend:
        for i in range(2):
            answer = backend.invoke("create_case", with_contact(load_event("create_case"), f"contact-{i:04d}"))
            assert answer["status"] == "ok", answer
        s3, kms = boto3.client("s3", region_name=REGION), boto3.client("kms", region_name=REGION)
        s3.create_bucket(
            Bucket="pl-archive",
            CreateBucketConfiguration={"LocationConstraint": REGION},
            ObjectLockEnabledForBucket=True,
        )
        key = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["Arn"]
        monkeypatch.setenv("ARCHIVE_BUCKET", "pl-archive")
        monkeypatch.setenv("SIGNING_KEY_ARN", key)
        _archive(backend)
        resources = {f"{name}Table": model.Meta.table_name for name, model in MODELS_BY_LOGICAL_NAME.items()}
        resources["PseudonymKey"] = backend.env["PSEUDONYM_KEY_ID"]
        outputs = {"ArchiveBucket": "pl-archive", "SigningKeyArn": key, "InstanceId": "instance-1"}
        session = FakeSession(resources, outputs)
        monkeypatch.setattr(stack_module, "session_for", lambda region: session)
        backend.session = session
        yield backend


def _verify() -> tuple[int, dict]:
    result = runner.invoke(app, ["audit", "verify", "--stack", STACK, "--region", REGION, "--format", "json"])
    assert result.exit_code in (0, 1), result.stdout + result.stderr
    return result.exit_code, json.loads(result.stdout)


def test_a_deployed_stack_verifies_against_its_kms_signed_checkpoints(stack):
    code, report = _verify()
    assert code == 0 and report["valid_checkpoints"] == report["checkpoints"] == 1
    assert report["chains"] == 1 and report["records"] == 2 and report["pending"] == 0


def test_a_record_deleted_from_the_deployed_table_is_named(stack):
    ddb = boto3.client("dynamodb", region_name=REGION)
    table = stack.env["INTERACTIONS_TABLE"]
    (item,) = [i for i in ddb.scan(TableName=table)["Items"] if i["seq"]["N"] == "2"]
    ddb.delete_item(TableName=table, Key={"chain_id": item["chain_id"], "seq": item["seq"]})
    code, report = _verify()
    assert code == 1
    assert [(f["kind"], f["chain_id"], f["seq"]) for f in report["findings"]] == [
        ("truncated", item["chain_id"]["S"], 2)
    ]


def test_records_after_the_last_stream_checkpoint_are_pending_not_findings(stack):
    answer = stack.invoke("create_case", with_contact(load_event("create_case"), "contact-0009"))
    assert answer["status"] == "ok"
    code, report = _verify()
    assert code == 0 and report["pending"] == 1


def test_export_from_a_stack_filters_by_case_and_country(stack):
    result = runner.invoke(
        app, ["audit", "export", "--stack", STACK, "--region", REGION, "--format", "json", "--country", "pl"]
    )
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["seq"] for r in rows] == [1, 2] and {r["country"] for r in rows} == {"pl"}
    result = runner.invoke(app, ["audit", "export", "--stack", STACK, "--region", REGION, "--country", "ro"])
    assert result.stdout.splitlines() == [result.stdout.splitlines()[0]]  # the CSV header only


def test_erase_on_a_stack_removes_the_caller_and_the_tombstone_verifies_once_archived(stack):
    stack.session.redacted = ["contact-0000", "contact-0001"]  # the caller's contacts, in order
    result = runner.invoke(app, ["erase", "--caller", PHONE, "--stack", STACK, "--region", REGION])
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "redacted in 2 Amazon Connect contact record(s)" in result.stdout and not result.stderr
    assert "1 tombstone record(s)" in result.stdout
    ddb = boto3.client("dynamodb", region_name=REGION)
    (case,) = ddb.scan(TableName=stack.env["CASES_TABLE"])["Items"]
    assert "caller_id" not in case and case["chain_seq"] == {"N": "3"}
    assert ddb.scan(TableName=stack.env["CALLERS_TABLE"])["Items"] == []
    code, report = _verify()
    assert code == 0 and report["pending"] == 1  # the tombstone, until the stream signs it
    _archive(stack)
    code, report = _verify()
    assert code == 0 and report["pending"] == 0 and report["valid_checkpoints"] == 2
    archived = _archived_text()  # the case's old image (with the pseudonym) went through the stream
    assert '"record_type": "erased"' in archived and '"event": "MODIFY"' in archived
    assert _pseudonym() not in archived  # the pseudonym never reached the archive


def _pseudonym() -> str:
    from functions.logic.pseudonym import pseudonymise_with_kms

    kms = boto3.client("kms", region_name=REGION)
    return pseudonymise_with_kms(kms, os.environ["PSEUDONYM_KEY_ID"], PHONE)


def _every_table() -> dict[str, str]:
    """Every table of the stack, scanned (DynamoDB JSON text per logical name)."""
    from functions.dal.models import MODELS_BY_LOGICAL_NAME

    ddb = boto3.client("dynamodb", region_name=REGION)
    return {
        name: json.dumps(ddb.scan(TableName=model.Meta.table_name)["Items"])
        for name, model in MODELS_BY_LOGICAL_NAME.items()
    }


def test_three_surveyed_calls_on_a_stack_every_contact_is_erased_and_redacted_in_connect(stack, monkeypatch):
    from helpline.audit import stack as stack_module

    contacts = [f"call-{i}" for i in range(3)]
    for contact in contacts:
        for name in ("identify_caller", "record_survey_answer"):
            answer = stack.invoke(name, with_contact(load_event(name), contact))
            assert answer["status"] == "ok", answer
    pseudonym, before = _pseudonym(), _every_table()
    assert before["SurveyResponses"].count('"response_key"') == 3 and pseudonym in before["ContactLinks"]
    caller_contacts = sorted({"contact-0000", "contact-0001", *contacts})
    dry = runner.invoke(app, ["erase", "--caller", PHONE, "--stack", STACK, "--region", REGION, "--dry-run"])
    assert dry.exit_code == 0 and f"contacts (5): {', '.join(caller_contacts)}" in dry.stdout
    assert "Amazon Connect contact records of 5 contact(s)" in dry.stdout and _every_table() == before

    sleeps: list[float] = []
    monkeypatch.setattr(stack_module, "_sleep", sleeps.append)
    stack.session.redacted = caller_contacts  # EACH contact, in order
    stack.session.connect_errors = {"call-1": ["ThrottlingException", "TooManyRequestsException"]}
    result = runner.invoke(app, ["erase", "--caller", PHONE, "--stack", STACK, "--region", REGION])
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "redacted in 5 Amazon Connect contact record(s)" in result.stdout and sleeps == [0.5, 1.0]
    for residue in ("call recordings and chat transcripts", "Contact Lens output", "point-in-time recovery"):
        assert residue in result.stdout
    tables = _every_table()
    assert {name for name, text in tables.items() if pseudonym in text} == set()
    for contact in caller_contacts:  # only where it is hashed into the case chain
        assert {name for name, text in tables.items() if contact in text} <= {"Interactions", "Cases"}, contact
    assert tables["SurveyResponses"] == tables["ContactLinks"] == tables["Callers"] == "[]"


def test_a_contact_connect_cannot_redact_is_reported_and_exits_1(stack):
    stack.invoke("identify_caller", with_contact(load_event("identify_caller"), "call-9"))
    stack.session.redacted = ["call-9", "contact-0000", "contact-0001"]
    stack.session.connect_errors = {
        "call-9": ["InvalidRequestException"],
        "contact-0001": ["ResourceNotFoundException"],
    }
    result = runner.invoke(app, ["erase", "--caller", PHONE, "--stack", STACK, "--region", REGION])
    assert result.exit_code == 1, result.stdout + result.stderr
    assert "not erased: contact call-9: DeleteContactData failed: InvalidRequestException" in result.stderr
    assert "no longer in Amazon Connect (nothing to redact): contact-0001" in result.stdout
    assert "redacted in 1 Amazon Connect contact record(s)" in result.stdout


def _checkpoint_keys() -> list[str]:
    s3 = boto3.client("s3", region_name=REGION)
    return sorted(o["Key"] for o in s3.list_objects_v2(Bucket="pl-archive", Prefix="checkpoints/")["Contents"])


def _kinds(report: dict) -> set[tuple[str, str, int | None]]:
    return {(f["kind"], f["chain_id"], f["seq"]) for f in report["findings"]}


def test_a_rewritten_chain_with_a_re_signed_checkpoint_over_the_old_key_is_named(stack):
    """The attacker rewrites record 2 (fresh hash), signs a checkpoint of the forged head with the KMS
    key and writes it over the old checkpoint's key (the bucket denies deletes, not overwrites)."""
    from functions.logic import checkpoints
    from functions.logic.chain import compute_hash

    ddb, s3 = boto3.client("dynamodb", region_name=REGION), boto3.client("s3", region_name=REGION)
    table = stack.env["INTERACTIONS_TABLE"]
    (item,) = [i for i in ddb.scan(TableName=table)["Items"] if i["seq"]["N"] == "2"]
    record = plain_record(item)
    record["actor"] = "someone-else"
    record["record_hash"] = compute_hash(record)
    ddb.put_item(
        TableName=table, Item={**item, "actor": {"S": "someone-else"}, "record_hash": {"S": record["record_hash"]}}
    )
    (key,) = _checkpoint_keys()
    old = json.loads(s3.get_object(Bucket="pl-archive", Key=key)["Body"].read())
    body = {**old["checkpoint"], "heads": {record["chain_id"]: [2, record["record_hash"]]}}
    forged = checkpoints.sign_with_kms(
        boto3.client("kms", region_name=REGION), stack.session.outputs["SigningKeyArn"], body
    )
    s3.put_object(Bucket="pl-archive", Key=key, Body=checkpoints.canonical(forged), ChecksumAlgorithm="SHA256")

    code, report = _verify()
    assert code == 1
    chain = record["chain_id"]  # the archived record 2 disagrees with the table's too
    assert _kinds(report) == {("overwritten", "", None), ("rewritten", chain, 2), ("record_mismatch", chain, 2)}
    (overwrite,) = [f["detail"] for f in report["findings"] if f["kind"] == "overwritten"]
    versions = s3.list_object_versions(Bucket="pl-archive", Prefix=key)["Versions"]
    assert all(v["VersionId"] in overwrite for v in versions) and len(versions) == 2


def test_a_cut_tail_hidden_by_an_older_checkpoint_written_over_the_later_one_is_named(stack):
    s3, ddb = boto3.client("s3", region_name=REGION), boto3.client("dynamodb", region_name=REGION)
    (first,) = _checkpoint_keys()
    answer = stack.invoke("create_case", with_contact(load_event("create_case"), "contact-0002"))
    assert answer["status"] == "ok"
    _archive(stack)
    (later,) = [k for k in _checkpoint_keys() if k != first]
    table = stack.env["INTERACTIONS_TABLE"]
    (item,) = [i for i in ddb.scan(TableName=table)["Items"] if i["seq"]["N"] == "3"]
    ddb.delete_item(TableName=table, Key={"chain_id": item["chain_id"], "seq": item["seq"]})  # the cut
    old = s3.get_object(Bucket="pl-archive", Key=first)["Body"].read()
    s3.put_object(Bucket="pl-archive", Key=later, Body=old, ChecksumAlgorithm="SHA256")  # the cover-up

    code, report = _verify()
    assert code == 1
    assert _kinds(report) == {("overwritten", "", None), ("truncated", item["chain_id"]["S"], 3)}


def test_an_archived_record_object_overwritten_with_other_content_is_named(stack):
    s3 = boto3.client("s3", region_name=REGION)
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="pl-archive", Prefix="records/Interactions/")["Contents"]]
    lines = [json.loads(x) for x in s3.get_object(Bucket="pl-archive", Key=keys[0])["Body"].read().splitlines()]
    lines[0]["new"]["record_hash"] = "f" * 64
    s3.put_object(Bucket="pl-archive", Key=keys[0], Body=b"".join(json.dumps(x).encode() + b"\n" for x in lines))
    s3.delete_object(Bucket="pl-archive", Key=keys[0])  # and hide both versions behind a delete marker
    code, report = _verify()
    chain, seq = lines[0]["new"]["chain_id"], lines[0]["new"]["seq"]
    assert code == 1
    assert _kinds(report) == {("overwritten", "", None), ("delete_marker", "", None), ("record_mismatch", chain, seq)}


def plain_record(item: dict) -> dict:
    from functions.logic.archive import plain_item

    return plain_item(item)
