"""Lambda entry point ``archive_records`` (DynamoDB streams of Cases, Interactions, Referrals).

For each batch: one JSON Lines object per table and day in ``ARCHIVE_BUCKET`` (personal fields
removed, see :mod:`functions.logic.archive`), and, when the batch holds Interactions records, a
checkpoint of the chain heads it saw, signed with ``SIGNING_KEY_ARN`` (KMS Sign, ECDSA_SHA_256,
see :mod:`functions.logic.checkpoints`) under ``checkpoints/YYYY/MM/DD/``.

Any failure raises: the event source mapping retries the batch (records of a shard are not
skipped), and the same batch writes the same object keys again.  Every object is created with a
conditional write (``IfNoneMatch="*"``, the bucket policy denies PutObject without it): nothing in
the archive is ever overwritten.  A retried batch that finds its own identical object counts it as
``replayed``; a key holding other content raises :class:`ArchiveConflict` (logged
``archive_conflict``; the function's Errors alarm fires and the stream keeps retrying).
https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html
"""

from __future__ import annotations

import os
from typing import Any

from functions.logic import archive, checkpoints

_clients: dict[str, tuple[Any, Any]] = {}


def _client(service: str) -> Any:
    """One client per service, renewed when functions.aws.reset() (caches.reset_all) drops the session."""
    from functions.aws import botocore_session, client

    session = botocore_session()
    cached = _clients.get(service)
    if cached is None or cached[0] is not session:
        cached = _clients[service] = (session, client(service, connect_timeout=2, read_timeout=5, max_retries=3))
    return cached[1]


def reset() -> None:
    _clients.clear()


def _table_names() -> dict[str, str]:
    return {os.environ[env]: logical for logical, env in archive.TABLE_ENVS.items() if os.environ.get(env)}


class ArchiveConflict(RuntimeError):
    """An archive key already holds OTHER content: never overwritten; the batch fails (Errors alarm)."""


def _put(bucket: str, key: str, body: bytes, content_type: str) -> str:
    """Create ``key`` only if it does not exist: "written", or "replayed" when a retried batch finds its
    own identical object (a 412 is then success).  Object Lock buckets reject a PutObject without
    Content-MD5 or an x-amz-checksum header.  ``IfNoneMatch="*"``: S3 answers 412 Precondition Failed
    when the key exists (the current version), 409 ConditionalRequestConflict on a concurrent write
    (retry: raised, the stream retries the batch):
    https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html"""
    from botocore.exceptions import ClientError

    s3 = _client("s3")
    try:
        s3.put_object(
            Bucket=bucket, Key=key, Body=body, ContentType=content_type, ChecksumAlgorithm="SHA256", IfNoneMatch="*"
        )
        return "written"
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "PreconditionFailed":
            raise
    if s3.get_object(Bucket=bucket, Key=key)["Body"].read() == body:
        return "replayed"
    from functions.observability import logger

    logger.error("archive_conflict", extra={"key": key})  # an object key: no personal data
    raise ArchiveConflict(f"{key} already holds other content; not overwritten")


def handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
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
        signed = checkpoints.sign_with_kms(_client("kms"), key_arn, body)
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
