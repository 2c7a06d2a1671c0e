"""Archive of DynamoDB stream records (Cases, Interactions, Referrals) to the Object Lock bucket.

The stream event (Lambda event source mapping on a DynamoDB stream, view NEW_AND_OLD_IMAGES) is
``{"Records": [{"eventID", "eventName": INSERT|MODIFY|REMOVE, "eventSourceARN":
"arn:aws:dynamodb:<region>:<account>:table/<TableName>/stream/<label>", "dynamodb": {"Keys",
"NewImage", "OldImage", "SequenceNumber", "ApproximateCreationDateTime"}, "userIdentity"?}]}``;
items deleted by TTL carry ``userIdentity = {"type": "Service", "principalId":
"dynamodb.amazonaws.com"}``:
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.Lambda.html
https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_Record.html

Objects in a bucket with Object Lock in compliance mode cannot be deleted or overwritten by any
user (the root user included) until their retention ends, so nothing personal may go in:
:data:`PERSONAL_FIELDS` are removed from every image before it is written (the caller
pseudonym, free-text notes).  https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html
A PutObject to a bucket with Object Lock needs a Content-MD5 or x-amz-checksum header; the
object is written with ChecksumAlgorithm SHA256:
https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

# Attributes that identify or describe a caller in words: never archived (any table, any depth
# of the chain payload map).
PERSONAL_FIELDS = frozenset({"caller_id", "note", "notes", "caller_note", "free_text"})


def auditor_case_attributes() -> list[str]:
    """The Cases attributes an auditor reads (and the auditor role's policy allows,
    stacks/constructs/audit.py; helpline/audit/stack.py reads with exactly these): every attribute
    but what the archive leaves out (PERSONAL_FIELDS)."""
    from functions.dal.models import Case

    return sorted(set(Case.get_attributes()) - PERSONAL_FIELDS)


TABLE_ENVS = {"Cases": "CASES_TABLE", "Interactions": "INTERACTIONS_TABLE", "Referrals": "REFERRALS_TABLE"}


def plain(value: dict[str, Any]) -> Any:
    """One DynamoDB JSON value ({"S": ...}, {"N": ...}, ...) -> a plain JSON value."""
    ((kind, inner),) = value.items()
    if kind == "N":
        return int(inner) if inner.lstrip("-").isdigit() else float(inner)
    if kind == "NULL":
        return None
    if kind == "L":
        return [plain(v) for v in inner]
    if kind == "M":
        return {k: plain(v) for k, v in inner.items()}
    if kind in ("SS", "NS", "BS"):
        return sorted(plain({kind[0]: v}) for v in inner)
    return inner  # S, B (base64 text), BOOL


def plain_item(item: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if item is None else {k: plain(v) for k, v in item.items()}


def scrub(item: dict[str, Any] | None) -> dict[str, Any] | None:
    """The item without personal fields (top level and inside the chain ``payload`` map)."""
    if item is None:
        return None
    out = {k: v for k, v in item.items() if k not in PERSONAL_FIELDS}
    if isinstance(out.get("payload"), dict):
        out["payload"] = {k: v for k, v in out["payload"].items() if k not in PERSONAL_FIELDS}
    return out


def table_of(source_arn: str, names: dict[str, str]) -> str:
    """Logical table name (Cases, ...) from the stream ARN; ``names`` maps physical -> logical."""
    physical = source_arn.split(":table/", 1)[-1].split("/stream/", 1)[0]
    return names.get(physical, physical)


def archive_line(record: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    ddb = record.get("dynamodb") or {}
    created = ddb.get("ApproximateCreationDateTime")
    identity = record.get("userIdentity") or {}
    return {
        "table": table_of(record.get("eventSourceARN", ""), names),
        "event": record.get("eventName"),
        "event_id": record.get("eventID"),
        "sequence_number": ddb.get("SequenceNumber"),
        "approximate_time": _iso(created) if created is not None else None,
        "ttl_expiry": identity.get("principalId") == "dynamodb.amazonaws.com",
        "keys": plain_item(ddb.get("Keys")),
        "new": scrub(plain_item(ddb.get("NewImage"))),
        "old": scrub(plain_item(ddb.get("OldImage"))),
    }


def _iso(epoch: float | str) -> str:
    """Lambda gives ApproximateCreationDateTime as epoch seconds; an ISO text is kept as it is."""
    try:
        return datetime.fromtimestamp(float(epoch), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (TypeError, ValueError):
        return str(epoch)


def group_lines(lines: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Object key -> lines: one JSON Lines object per table and day of the batch.

    ``records/<Table>/<YYYY>/<MM>/<DD>/<first sequence number>-<digest>.jsonl``: a retried batch
    writes the same keys (Object Lock keeps every version; nothing is lost or duplicated in
    meaning), a different batch never collides.
    """
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for line in lines:
        day = (line.get("approximate_time") or "1970-01-01")[:10]
        groups.setdefault((line["table"], day), []).append(line)
    out: dict[str, list[dict[str, Any]]] = {}
    for (table, day), items in sorted(groups.items()):
        digest = hashlib.sha256("|".join(str(i.get("event_id")) for i in items).encode()).hexdigest()[:16]
        first = items[0].get("sequence_number") or "0"
        out[f"records/{table}/{day.replace('-', '/')}/{first}-{digest}.jsonl"] = items
    return out


def jsonl(lines: list[dict[str, Any]]) -> bytes:
    return b"".join(json.dumps(i, sort_keys=True, ensure_ascii=False).encode("utf-8") + b"\n" for i in lines)


def checkpoint_key(body: dict[str, Any]) -> str:
    stamp = body["created_at"]
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:16]
    return f"checkpoints/{stamp[:4]}/{stamp[5:7]}/{stamp[8:10]}/{stamp}-{digest}.json"
