"""archive_records with moto: JSON Lines without personal fields in the Object Lock bucket, and a
checkpoint of chain heads signed by the KMS key (ECC_NIST_P256, SIGN_VERIFY) that verifies with
the key's public half (GetPublicKey) and with KMS Verify."""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

from functions.logic import checkpoints
from functions.logic.chain import GENESIS, compute_hash
from helpline.audit import signing

REGION = "eu-central-1"
NOTE = "lives with her sister in Lublin"
PSEUDONYM = "ab" * 32


def _wire(value):
    if isinstance(value, int):
        return {"N": str(value)}
    if isinstance(value, dict):
        return {"M": {k: _wire(v) for k, v in value.items()}}
    return {"S": value}


def _chain(chain_id: str, n: int) -> list[dict]:
    records, previous = [], GENESIS
    for seq in range(1, n + 1):
        record = {
            "chain_id": chain_id,
            "seq": seq,
            "record_type": "case_created" if seq == 1 else "screening_saved",
            "contact_id": f"contact-{seq}",
            "case_id": "PL-ABC",
            "actor": "contact_flow",
            "occurred_at": f"2026-03-02T10:3{seq}:00Z",
            "recorded_at": f"2026-03-02T10:3{seq}:00Z",
            "payload": {"needs_codes": "LP-ND", "note_present": "true"},
            "prev_hash": previous,
            "expires_at": 1900000000,
        }
        record["record_hash"] = previous = compute_hash(record)
        records.append(record)
    return records


def _event(table: str, name: str, new: dict | None, old: dict | None = None, *, ttl: bool = False) -> dict:
    image = new or old
    keys = {k: image[k] for k in ("case_id", "chain_id", "seq", "referral_id") if k in image}
    record = {
        "eventID": f"{table}-{name}-{json.dumps(keys, sort_keys=True)}",
        "eventName": name,
        "eventSource": "aws:dynamodb",
        "eventSourceARN": f"arn:aws:dynamodb:{REGION}:123456789012:table/{table}/stream/2026-03-01T00:00:00.000",
        "dynamodb": {
            "ApproximateCreationDateTime": 1772447400,  # 2026-03-02T10:30:00Z
            "Keys": {k: _wire(v) for k, v in keys.items()},
            "SequenceNumber": "1100000000000000000001",
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        },
    }
    if new is not None:
        record["dynamodb"]["NewImage"] = {k: _wire(v) for k, v in new.items()}
    if old is not None:
        record["dynamodb"]["OldImage"] = {k: _wire(v) for k, v in old.items()}
    if ttl:
        record["userIdentity"] = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
    return record


@pytest.fixture
def aws(monkeypatch):
    from functions import aws as runtime
    from functions.handlers import archive_records

    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "CASES_TABLE": "pl-cases",
        "INTERACTIONS_TABLE": "pl-interactions",
        "REFERRALS_TABLE": "pl-referrals",
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        runtime.reset()
        archive_records.reset()
        s3, kms = boto3.client("s3", region_name=REGION), boto3.client("kms", region_name=REGION)
        s3.create_bucket(
            Bucket="pl-archive",
            CreateBucketConfiguration={"LocationConstraint": REGION},
            ObjectLockEnabledForBucket=True,
        )
        s3.put_object_lock_configuration(
            Bucket="pl-archive",
            ObjectLockConfiguration={
                "ObjectLockEnabled": "Enabled",
                "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": 730}},
            },
        )
        key = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["Arn"]
        monkeypatch.setenv("ARCHIVE_BUCKET", "pl-archive")
        monkeypatch.setenv("SIGNING_KEY_ARN", key)
        yield s3, kms, key
        runtime.reset()
        archive_records.reset()


def _objects(s3) -> dict[str, bytes]:
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="pl-archive").get("Contents", [])]
    return {k: s3.get_object(Bucket="pl-archive", Key=k)["Body"].read() for k in keys}


def test_a_batch_is_archived_without_personal_fields_and_its_chain_heads_are_signed(aws):
    from functions.handlers.archive_records import handler

    s3, kms, key = aws
    case = {"case_id": "PL-ABC", "caller_id": PSEUDONYM, "note": NOTE, "status": "open", "country": "pl"}
    chain_a, chain_b = _chain("case#PL-ABC", 3), _chain("contact#c-1", 1)
    records = [
        _event("pl-cases", "MODIFY", case, {**case, "status": "referred"}),
        *[_event("pl-interactions", "INSERT", r) for r in chain_a + chain_b],
        _event("pl-referrals", "REMOVE", None, {"case_id": "PL-ABC", "referral_id": "R-1"}, ttl=True),
    ]
    answer = handler({"Records": records})
    assert answer["status"] == "ok" and answer["records"] == "6" and answer["objects"] == "3"
    objects = _objects(s3)
    assert sorted(k.split("/")[1] for k in objects if k.startswith("records/")) == [
        "Cases",
        "Interactions",
        "Referrals",
    ]
    assert all("/2026/03/02/" in k for k in objects if k.startswith("records/"))
    everything = b"".join(objects.values()).decode()
    assert PSEUDONYM not in everything and NOTE not in everything
    (cases_key,) = [k for k in objects if k.startswith("records/Cases/")]
    (line,) = [json.loads(x) for x in objects[cases_key].splitlines()]
    assert line["new"] == {"case_id": "PL-ABC", "status": "open", "country": "pl"}
    assert line["old"]["status"] == "referred" and line["event"] == "MODIFY" and line["ttl_expiry"] is False
    (referral_key,) = [k for k in objects if k.startswith("records/Referrals/")]
    assert json.loads(objects[referral_key])["ttl_expiry"] is True  # TTL deletions explain gaps

    envelope = json.loads(objects[answer["checkpoint"]])
    body = envelope["checkpoint"]
    assert body["heads"] == {
        "case#PL-ABC": [3, chain_a[-1]["record_hash"]],
        "contact#c-1": [1, chain_b[0]["record_hash"]],
    }
    assert body["complete"] is False and body["source"] == "stream" and body["expires"]["case#PL-ABC"] == 1900000000
    assert envelope["key_id"] == key and envelope["signing_algorithm"] == "ECDSA_SHA_256"
    public = signing.public_key_from_der(kms.get_public_key(KeyId=key)["PublicKey"])
    assert signing.signature_ok(envelope, public)
    import base64

    verified = kms.verify(
        KeyId=key,
        Message=checkpoints.signed_message(body),
        MessageType="RAW",
        Signature=base64.b64decode(envelope["signature"]),
        SigningAlgorithm="ECDSA_SHA_256",
    )
    assert verified["SignatureValid"] is True
    body["heads"]["case#PL-ABC"] = [2, chain_a[1]["record_hash"]]  # a forged head no longer verifies
    assert not signing.signature_ok(envelope, public)


def test_every_object_is_written_with_a_checksum_as_object_lock_requires(aws):
    from functions.handlers.archive_records import handler

    s3, _, _ = aws
    answer = handler({"Records": [_event("pl-interactions", "INSERT", r) for r in _chain("case#PL-ABC", 1)]})
    for key in (*_objects(s3), answer["checkpoint"]):
        head = s3.head_object(Bucket="pl-archive", Key=key, ChecksumMode="ENABLED")
        assert head.get("ChecksumSHA256"), key


def test_a_batch_without_chain_records_writes_no_checkpoint(aws):
    from functions.handlers.archive_records import handler

    s3, _, _ = aws
    answer = handler({"Records": [_event("pl-cases", "INSERT", {"case_id": "PL-ABC", "status": "open"})]})
    assert answer["checkpoint"] == "" and not [k for k in _objects(s3) if k.startswith("checkpoints/")]


def test_without_its_bucket_or_key_the_function_raises_so_the_stream_retries(aws, monkeypatch):
    from functions.handlers.archive_records import handler

    monkeypatch.delenv("SIGNING_KEY_ARN")
    with pytest.raises(RuntimeError, match="SIGNING_KEY_ARN"):
        handler({"Records": []})


def test_the_guide_records_keep_the_voice_contact_id_in_the_archive():
    """``voice_contact_id`` (the call's ContactId, an id) links the guide's records to the call's
    recording and contact record: it is not personal, so the archive keeps it."""
    from functions.logic.archive import archive_line

    record = {**_chain("contact#guide-1", 1)[0], "payload": {"call_type": "prank", "voice_contact_id": "voice-1"}}
    record["payload"]["note"] = NOTE
    line = archive_line(_event("pl-interactions", "INSERT", record), {"pl-interactions": "Interactions"})
    assert line["new"]["payload"] == {"call_type": "prank", "voice_contact_id": "voice-1"}


def test_a_replayed_batch_is_success_and_a_different_object_under_its_key_is_refused(aws):
    """Conditional create (IfNoneMatch="*", moto 5.2.5 answers 412 like S3): a retried batch finds its
    own identical objects (replayed, nothing overwritten); other content under the key is an error."""
    from functions.handlers.archive_records import ArchiveConflict, handler

    s3, _, _ = aws
    batch = {"Records": [_event("pl-cases", "INSERT", {"case_id": "PL-ABC", "status": "open"})]}
    assert handler(batch)["status"] == "ok"
    (key,) = _objects(s3)
    assert handler(batch)["status"] == "ok"  # the stream's retry of the same batch
    versions = s3.list_object_versions(Bucket="pl-archive", Prefix=key)["Versions"]
    assert len(versions) == 1  # not written twice
    s3.put_object(Bucket="pl-archive", Key=key, Body=b"forged\n", ChecksumAlgorithm="SHA256")
    with pytest.raises(ArchiveConflict, match="already holds other content"):
        handler(batch)
    assert len(s3.list_object_versions(Bucket="pl-archive", Prefix=key)["Versions"]) == 2  # ours added none
