"""The Object Lock archive bucket as archive_records writes it: every object created once, never
overwritten.  https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html
"""

from __future__ import annotations

from functions.dal import clients


def put_once(bucket: str, key: str, body: bytes, content_type: str) -> str:
    """Create ``key`` only if it does not exist: "written"; "replayed" when the key already holds
    this very body (a retried batch); "conflict" when it holds other content (left as it is).

    Object Lock buckets reject a PutObject without Content-MD5 or an x-amz-checksum header
    (ChecksumAlgorithm SHA256).  ``IfNoneMatch="*"``: S3 answers 412 Precondition Failed when the key
    exists (the current version), 409 ConditionalRequestConflict on a concurrent write (raised: the
    stream retries the batch).  1 PutObject, plus 1 GetObject when the key exists."""
    from botocore.exceptions import ClientError

    s3 = clients.client("s3", clients.STREAM)
    try:
        s3.put_object(
            Bucket=bucket, Key=key, Body=body, ContentType=content_type, ChecksumAlgorithm="SHA256", IfNoneMatch="*"
        )
        return "written"
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "PreconditionFailed":
            raise
    return "replayed" if s3.get_object(Bucket=bucket, Key=key)["Body"].read() == body else "conflict"
