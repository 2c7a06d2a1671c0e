"""Pure units that guard stored data: the hash-chain format and verification, ids, needs codes,
the pseudonym key."""

from __future__ import annotations

import copy
import hashlib
import json
from datetime import UTC, datetime

import pytest

from functions.logic.chain import (
    GENESIS,
    HASHED_FIELDS,
    Finding,
    canonical_json,
    compute_hash,
    record_fields,
    verify_chain,
    verify_chains,
)

RECORD = {
    "chain_id": "case#PL-AAAAAAAAAAAA",
    "seq": 1,
    "record_type": "case_created",
    "contact_id": "c-1",
    "case_id": "PL-AAAAAAAAAAAA",
    "event_id": None,
    "actor": "contact_flow",
    "occurred_at": "2026-03-02T10:30:00.000000Z",
    "recorded_at": "2026-03-02T10:30:00.000000Z",
    "payload": {"topic": "legal", "note": "żółw"},
    "prev_hash": GENESIS,
    "expires_at": 1835000000,
}
# Stored chains must verify forever: this value may only change with a migration of every chain.
GOLDEN = "621f4e573938a8cb78c7cec79f7410cfe7bf3d512be99e26751c992fb362788a"


def test_the_hash_format_is_stable():
    assert GENESIS == "0" * 64
    assert compute_hash(RECORD) == GOLDEN
    independent = json.dumps(
        {k: RECORD[k] for k in HASHED_FIELDS}, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    assert hashlib.sha256(independent.encode("utf-8")).hexdigest() == GOLDEN
    assert canonical_json({"b": 1, "a": "ż"}) == '{"a":"ż","b":1}'


def test_every_hashed_field_counts_and_record_hash_does_not():
    assert set(HASHED_FIELDS) == set(RECORD) and "record_hash" not in HASHED_FIELDS
    for name in HASHED_FIELDS:
        value = {"seq": 2, "expires_at": 2, "payload": {"topic": "other"}}.get(name, "other")
        changed = dict(RECORD, **{name: value})
        assert compute_hash(changed) != GOLDEN, name
    assert compute_hash(dict(RECORD, record_hash="anything")) == GOLDEN


def test_normalisation_makes_stored_and_in_memory_records_hash_alike():
    fields = record_fields(RECORD)
    assert fields["seq"] == 1 and fields["expires_at"] == 1835000000 and fields["event_id"] is None
    as_stored = dict(
        RECORD,
        seq="1",  # DynamoDB numbers come back as text or Decimal
        expires_at=datetime.fromtimestamp(1835000000, UTC),  # PynamoDB's TTLAttribute
        payload={"topic": "legal", "note": "żółw"},
    )
    assert compute_hash(as_stored) == GOLDEN
    assert record_fields(dict(RECORD, payload={"a": None, "b": 3}))["payload"] == {"a": "", "b": "3"}
    assert record_fields(dict(RECORD, expires_at=None))["expires_at"] is None
    assert record_fields(dict(RECORD, actor=5))["actor"] == "5"

    class Obj:  # a PynamoDB-like object with a MapAttribute payload
        def __init__(self, values):
            for k, v in values.items():
                setattr(self, k, v)

    class Payload:
        def __init__(self, d):
            self.attribute_values = d

    assert compute_hash(Obj(dict(RECORD, payload=Payload(RECORD["payload"])))) == GOLDEN

    class AsDict(Payload):
        def as_dict(self):
            return dict(self.attribute_values)

    assert compute_hash(Obj(dict(RECORD, payload=AsDict(RECORD["payload"])))) == GOLDEN


def _chain(n: int, chain_id: str = "c") -> list[dict]:
    records, prev = [], GENESIS
    for seq in range(1, n + 1):
        r = dict(RECORD, chain_id=chain_id, seq=seq, event_id=str(seq), prev_hash=prev)
        r["record_hash"] = compute_hash(r)
        prev = r["record_hash"]
        records.append(r)
    return records


def _kinds(records, **kw) -> list[tuple[str, int, int | None]]:
    return [(f.kind, f.index, f.seq) for f in verify_chain(records, **kw)]


def test_an_intact_chain_has_no_findings():
    records = _chain(4)
    assert verify_chain(records) == [] and verify_chain([]) == []
    assert verify_chain(records, expected_head=(4, records[3]["record_hash"])) == []
    assert verify_chains(records + _chain(2, "d")) == {"c": [], "d": []}


def test_each_kind_of_harm_is_reported_precisely():
    records = _chain(4)
    tampered = copy.deepcopy(records)
    tampered[2]["payload"] = {"topic": "changed"}
    assert _kinds(tampered) == [("tampered", 2, 3)]

    assert _kinds(records[:1] + records[2:]) == [("gap", 1, 3), ("broken_link", 1, 3)]
    assert _kinds(records[1:]) == [("gap", 0, 2)]
    assert _kinds(records[2:]) == [("gap", 0, 3)]
    assert _kinds([records[0], records[2], records[1], records[3]]) == [
        ("gap", 1, 3),
        ("broken_link", 1, 3),
        ("reordered", 2, 2),
        ("broken_link", 2, 2),
        ("gap", 3, 4),
        ("broken_link", 3, 4),
    ]
    assert _kinds([records[0], records[0]]) == [("duplicate", 1, 1), ("broken_link", 1, 1)]

    bad_genesis = copy.deepcopy(records[:1])
    bad_genesis[0]["prev_hash"] = "1" * 64
    bad_genesis[0]["record_hash"] = compute_hash(bad_genesis[0])
    assert _kinds(bad_genesis) == [("bad_genesis", 0, 1)]

    mixed = records[:2] + _chain(3, "other")[2:]
    assert [f.kind for f in verify_chain(mixed)][0] == "mixed_chain"

    no_seq = copy.deepcopy(records)
    no_seq[1]["seq"] = "two"
    assert _kinds(no_seq) == [("tampered", 1, None)]


def test_truncation_needs_an_anchor():
    records = _chain(4)
    head = (4, records[3]["record_hash"])
    assert verify_chain(records[:3]) == []  # the tail alone cannot be seen...
    assert _kinds(records[:3], expected_head=head) == [("truncated", 2, 3)]  # ...against an anchor it can
    assert _kinds([], expected_head=head) == [("truncated", 0, None)]
    assert _kinds(records, expected_head=(4, "f" * 64)) == [("tampered", 3, 4)]
    assert _kinds(records, expected_head=(3, records[2]["record_hash"])) == []


def test_findings_are_plain_data():
    finding = Finding("gap", 1, 3, "records 2..2 missing")
    assert finding.as_dict() == {"kind": "gap", "index": 1, "seq": 3, "detail": "records 2..2 missing"}


# --- ids ------------------------------------------------------------------------------------------


def test_case_ids_are_deterministic_speakable_and_60_bits():
    from functions.logic.common import case_id_for, referral_id_for, sha256_hex

    contact = "5ca32fbd-8f92-46af-92a5-6b0f970f0efe"
    assert case_id_for("pl", contact) == "PL-SA3RC3STHMEM" == case_id_for("PL", contact)
    assert case_id_for("pl", contact + "x") != case_id_for("pl", contact)
    assert referral_id_for("PL-AAAAAAAAAAAA", "p1") == "R-ZY7AH3PKMTC7L6KH"
    assert sha256_hex("x") == hashlib.sha256(b"x").hexdigest()

    import re

    from functions.models.lean import CASE_ID

    assert re.fullmatch(CASE_ID, case_id_for("ro", "any-contact"))


def test_expiry_drops_microseconds():
    from functions.logic.common import expiry, iso

    start = datetime(2026, 3, 2, 10, 30, 0, 123456, tzinfo=UTC)
    assert expiry(start, 2) == datetime(2026, 3, 4, 10, 30, 0, tzinfo=UTC)
    assert iso(start) == "2026-03-02T10:30:00.123456Z"


# --- needs codes ----------------------------------------------------------------------------------


def test_needs_limits_and_families():
    from functions.logic.needs import ALL_CODES, NeedsCodeError, any_urgent, family, parse_needs

    assert family("SM-CC") == "SM" and family("SV") == "SV"
    assert any_urgent(["LP", "SV-GM"]) and not any_urgent(["LP", "PG"]) and not any_urgent([])
    assert len(ALL_CODES) > 12 and {"SV", "SC-UC", "LP-ND"} <= ALL_CODES
    twenty = ",".join(sorted(ALL_CODES)[:20])
    assert len(parse_needs(twenty)) == 20
    with pytest.raises(NeedsCodeError):
        parse_needs(",".join(sorted(ALL_CODES)[:21]))
    with pytest.raises(NeedsCodeError):
        parse_needs("SV," * 134)  # over 400 characters
    assert parse_needs(" , ,") == []
    assert parse_needs("SV" + " " * 398) == ["SV"]  # 400 characters: accepted
    with pytest.raises(NeedsCodeError):
        parse_needs("SV" + " " * 399)  # 401


# --- the pseudonym key ----------------------------------------------------------------------------


def test_the_pseudonym_is_kms_generate_mac_of_the_number(monkeypatch):
    """One GenerateMac (HMAC_SHA_256) under the KMS HMAC key; the hex of RFC 2104's HMAC of the number."""
    import hashlib
    import hmac

    import boto3
    from moto import mock_aws
    from moto.kms.models import kms_backends

    from functions.caches import reset_all
    from functions.logic import pseudonym

    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-central-1")
    with mock_aws():
        kms = boto3.client("kms", region_name="eu-central-1")
        key = kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]
        monkeypatch.setenv("PSEUDONYM_KEY_ID", key["Arn"])
        reset_all()
        try:
            got = pseudonym.caller_id_for("+48 601-234-567")
        finally:
            monkeypatch.undo()
            reset_all()
        material = kms_backends[key["AWSAccountId"]]["eu-central-1"].keys[key["KeyId"]].key_material
    assert got == hmac.new(material, b"+48601234567", hashlib.sha256).hexdigest()


def test_a_missing_pseudonym_key_is_backend_unavailable(monkeypatch):
    from functions.errors import BackendUnavailable
    from functions.logic import pseudonym
    from functions.settings import reset_settings

    monkeypatch.setenv("PSEUDONYM_KEY_ID", "")
    reset_settings()
    try:
        with pytest.raises(BackendUnavailable):
            pseudonym.caller_id_for("+48601234567")
        assert pseudonym.caller_id_for("anonymous") is None  # no number: no key needed
    finally:
        monkeypatch.undo()
        reset_settings()
