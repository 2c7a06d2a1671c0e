"""archive_records: one stream batch of Cases, Interactions and Referrals into the archive bucket.

For each batch: one JSON Lines object per table and day in ``ARCHIVE_BUCKET`` (personal fields
removed, see :mod:`functions.logic.archive`), and, when the batch holds Interactions records, a
checkpoint of the chain heads it saw, signed with ``SIGNING_KEY_ARN`` (KMS Sign, ECDSA_SHA_256,
see :mod:`functions.logic.checkpoints`) under ``checkpoints/YYYY/MM/DD/``.

Any failure raises: the event source mapping retries the batch (records of a shard are not
skipped), and the same batch writes the same object keys again.  Every object is created with a
conditional write (functions.dal.archive_bucket.put_once; the bucket policy denies PutObject
without it): nothing in the archive is ever overwritten.  A retried batch that finds its own
identical object counts it as ``replayed``; a key holding other content raises
:class:`ArchiveConflict` (logged ``archive_conflict``; the function's Errors alarm fires and the
stream keeps retrying).  https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html
"""

from __future__ import annotations

import os
from typing import Any

from functions.dal import archive_bucket
from functions.logic import archive, checkpoints


class ArchiveConflict(RuntimeError):
    """An archive key already holds OTHER content: never overwritten; the batch fails (Errors alarm)."""


def _table_names() -> dict[str, str]:
    return {os.environ[env]: logical for logical, env in archive.TABLE_ENVS.items() if os.environ.get(env)}


def _put(bucket: str, key: str, body: bytes, content_type: str) -> str:
    """The outcome, "written" or "replayed"; other content under ``key`` raises :class:`ArchiveConflict`."""
    outcome = archive_bucket.put_once(bucket, key, body, content_type)
    if outcome != "conflict":
        return outcome
    from functions.observability import logger

    logger.error("archive_conflict", extra={"key": key})  # an object key: no personal data
    raise ArchiveConflict(f"{key} already holds other content; not overwritten")


def run(event: dict[str, Any]) -> dict[str, Any]:
    bucket = os.environ.get("ARCHIVE_BUCKET", "")
    key_arn = os.environ.get("SIGNING_KEY_ARN", "")
    if not bucket or not key_arn:
        raise RuntimeError("ARCHIVE_BUCKET and SIGNING_KEY_ARN must be set")
    names = _table_names()
    lines = [archive.archive_line(r, names) for r in event.get("Records") or []]
    objects = archive.group_lines(lines)
    replayed = 0
    for key, items in objects.items():
        replayed += _put(bucket, key, archive.jsonl(items), "application/x-ndjson") == "replayed"
    chain_images = [line["new"] for line in lines if line["table"] == "Interactions" and line["new"]]
    checkpoint_key = ""
    if chain_images:
        heads, expires = checkpoints.heads_from_records(chain_images)
        body = checkpoints.make_body(heads, expires, source="stream", complete=False)
        signed = checkpoints.sign(key_arn, body)
        checkpoint_key = archive.checkpoint_key(body)
        _put(bucket, checkpoint_key, checkpoints.canonical(signed), "application/json")
    from functions.observability import logger

    logger.info(
        "archived",
        extra={
            "records": len(lines),
            "objects": len(objects),
            "replayed": replayed,
            "checkpoint": bool(checkpoint_key),
        },
    )
    return {"status": "ok", "records": str(len(lines)), "objects": str(len(objects)), "checkpoint": checkpoint_key}
