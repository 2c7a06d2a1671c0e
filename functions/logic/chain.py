"""Hash chain of interaction records: canonical hashing and verification (pure, no AWS).

Every record of a chain (``chain_id``) has a ``seq`` (1, 2, 3 ... without gaps), ``prev_hash``
(the ``record_hash`` of record ``seq - 1``, or ``GENESIS`` for seq 1) and ``record_hash`` =
sha256 of the canonical JSON of all ``HASHED_FIELDS`` (sorted keys, no whitespace, UTF-8).

:func:`verify_chain` reports tampering (a hashed field changed), deletion (gap in seq or a
missing first record), reordering (records not in ascending seq order), duplicates, broken links
and mixed chains.  Truncation of the *tail* can only be seen against an anchor: pass
``expected_head`` (seq, record_hash) if you have one (e.g. from an export).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

GENESIS = "0" * 64

HASHED_FIELDS = (
    "chain_id",
    "seq",
    "record_type",
    "contact_id",
    "case_id",
    "event_id",
    "actor",
    "occurred_at",
    "recorded_at",
    "payload",
    "prev_hash",
    "expires_at",
)


def with_voice(payload: dict[str, str], voice_contact_id: str | None) -> dict[str, str]:
    """The payload with ``voice_contact_id`` (the guide contact's RelatedContactId: the call's
    ContactId, an id and nothing personal) when there is one; without, the key is not written."""
    return {**payload, "voice_contact_id": voice_contact_id} if voice_contact_id else payload


def _normalise(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name == "expires_at":
        if isinstance(value, datetime):
            return int(value.timestamp())
        return int(value)
    if name == "seq":
        return int(value)
    if name == "payload":
        return {str(k): ("" if v is None else str(v)) for k, v in dict(value).items()}
    return str(value)


def record_fields(record: Any) -> dict[str, Any]:
    """The hashed fields of a record given as a dict or a PynamoDB Interaction."""
    if isinstance(record, dict):
        get = record.get
    else:

        def get(name: str, default: Any = None) -> Any:
            value = getattr(record, name, default)
            if name == "payload" and value is not None and not isinstance(value, dict):
                value = value.as_dict() if hasattr(value, "as_dict") else dict(value.attribute_values)
            return value

    return {name: _normalise(name, get(name)) for name in HASHED_FIELDS}


def canonical_json(fields: dict[str, Any]) -> str:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def compute_hash(record: Any) -> str:
    return hashlib.sha256(canonical_json(record_fields(record)).encode("utf-8")).hexdigest()


def _get(record: Any, name: str) -> Any:
    return record.get(name) if isinstance(record, dict) else getattr(record, name, None)


@dataclass(frozen=True)
class Finding:
    kind: str  # tampered | gap | reordered | duplicate | broken_link | bad_genesis | mixed_chain | truncated
    index: int  # position in the list given to verify_chain
    seq: int | None
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def verify_chain(records: list[Any], *, expected_head: tuple[int, str] | None = None) -> list[Finding]:
    """Check one chain, in the order the records are given (the stored order: ascending seq).

    Returns an empty list when the chain is intact.
    """
    findings: list[Finding] = []
    if not records:
        if expected_head is not None:
            findings.append(Finding("truncated", 0, None, "chain is empty but an anchor was given"))
        return findings
    chain_ids = {_get(r, "chain_id") for r in records}
    if len(chain_ids) > 1:
        findings.append(Finding("mixed_chain", 0, None, f"{len(chain_ids)} chain ids in one chain"))

    seen: set[int] = set()
    prev_seq: int | None = None
    prev_hash: str | None = None
    for index, record in enumerate(records):
        raw_seq = _get(record, "seq")
        try:
            seq = int(raw_seq)
        except (TypeError, ValueError):
            findings.append(Finding("tampered", index, None, "seq is not a number"))
            prev_seq, prev_hash = None, _get(record, "record_hash")
            continue
        stored_hash = _get(record, "record_hash")
        if compute_hash(record) != stored_hash:
            findings.append(Finding("tampered", index, seq, "record_hash does not match the record's fields"))
        if seq in seen:
            findings.append(Finding("duplicate", index, seq, "seq appears more than once"))
        if prev_seq is None:
            if index == 0 and seq != 1:
                findings.append(Finding("gap", index, seq, f"chain starts at seq {seq}: records 1..{seq - 1} missing"))
            if index == 0 and seq == 1 and _get(record, "prev_hash") != GENESIS:
                findings.append(Finding("bad_genesis", index, seq, "first record does not link to GENESIS"))
        else:
            if seq < prev_seq:
                findings.append(Finding("reordered", index, seq, f"seq {seq} after seq {prev_seq}"))
            elif seq > prev_seq + 1:
                findings.append(Finding("gap", index, seq, f"records {prev_seq + 1}..{seq - 1} missing"))
            if _get(record, "prev_hash") != prev_hash:
                findings.append(Finding("broken_link", index, seq, "prev_hash is not the previous record's hash"))
        seen.add(seq)
        prev_seq, prev_hash = seq, stored_hash

    if expected_head is not None:
        head_seq, head_hash = expected_head
        if max(seen, default=0) < head_seq:
            findings.append(Finding("truncated", len(records) - 1, prev_seq, f"anchor says seq {head_seq} exists"))
        elif not any(
            int(_get(r, "seq")) == head_seq and _get(r, "record_hash") == head_hash
            for r in records
            if str(_get(r, "seq")).lstrip("-").isdigit()
        ):
            findings.append(Finding("tampered", len(records) - 1, head_seq, "anchor hash does not match"))
    return findings


def verify_chains(records: list[Any]) -> dict[str, list[Finding]]:
    """Group records by chain_id (keeping their order) and verify each chain."""
    chains: dict[str, list[Any]] = {}
    for record in records:
        chains.setdefault(str(_get(record, "chain_id")), []).append(record)
    return {chain_id: verify_chain(items) for chain_id, items in chains.items()}
