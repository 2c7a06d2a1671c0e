"""Signed checkpoints of interaction-chain heads (no AWS import at module load).

A checkpoint anchors chains outside the table: whoever can write the Interactions table can
recompute every hash of a chain, cut its tail or delete it, but cannot forge a signature made by
a key they do not hold.  ``helpline audit verify`` compares every chain with every checkpoint.

Body (canonical JSON: sorted keys, no whitespace, UTF-8)::

    {"format": "helpline-checkpoint/1", "created_at": "2026-...Z", "source": "stream" | "local",
     "complete": false,                       # true: the heads of EVERY chain at that moment
     "heads": {"case#PL-...": [3, "<record_hash>"], ...},
     "expires": {"case#PL-...": 1858686694, ...}}   # the chain's TTL (expired chains are not "missing")

Envelope (the stored object)::

    {"checkpoint": <body>, "signing_algorithm": "ECDSA_SHA_256", "key_id": "<KMS key ARN | local:...>",
     "signature": "<base64 DER ECDSA signature of signed_message(body)>"}

What is signed is the short ASCII message ``helpline-checkpoint/1 sha256=<hex of the canonical
body>``, not the body itself: KMS Sign accepts a RAW message of at most 4096 bytes (a digest
needs MessageType DIGEST), and a batch of chain heads can exceed that.  With MessageType RAW
and ECDSA_SHA_256, KMS hashes the message with SHA-256 and signs it, so the signature verifies
with the KMS public key (GetPublicKey, DER SubjectPublicKeyInfo) and any ECDSA P-256 library:
https://docs.aws.amazon.com/kms/latest/APIReference/API_Sign.html
https://docs.aws.amazon.com/kms/latest/APIReference/API_GetPublicKey.html
https://docs.aws.amazon.com/kms/latest/developerguide/asymmetric-key-specs.html (ECC_NIST_P256)
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from functions.dal import keys

FORMAT = "helpline-checkpoint/1"
SIGNING_ALGORITHM = "ECDSA_SHA_256"


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def make_body(
    heads: dict[str, tuple[int, str]],
    expires: dict[str, int] | None = None,
    *,
    source: str,
    complete: bool,
    created_at: str | None = None,
) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "created_at": created_at or now_iso(),
        "source": source,
        "complete": complete,
        "heads": {chain: [int(seq), str(h)] for chain, (seq, h) in sorted(heads.items())},
        "expires": {chain: int(t) for chain, t in sorted((expires or {}).items())},
    }


def signed_message(body: dict[str, Any]) -> bytes:
    return f"{FORMAT} sha256={hashlib.sha256(canonical(body)).hexdigest()}".encode("ascii")


def envelope(body: dict[str, Any], signature: bytes, key_id: str) -> dict[str, Any]:
    return {
        "checkpoint": body,
        "signing_algorithm": SIGNING_ALGORITHM,
        "key_id": key_id,
        "signature": base64.b64encode(signature).decode("ascii"),
    }


def sign_with_kms(kms: Any, key_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """KMS Sign (RAW message, ECDSA_SHA_256) with ``kms`` (the tooling's client) -> the envelope to store."""
    return envelope(body, *keys.sign_with(kms, key_id, signed_message(body), SIGNING_ALGORITHM))


def sign(key_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """:func:`sign_with_kms` with the runtime's KMS client (archive_records)."""
    return envelope(body, *keys.sign(key_id, signed_message(body), SIGNING_ALGORITHM))


def heads_from_records(records: list[dict[str, Any]]) -> tuple[dict[str, tuple[int, str]], dict[str, int]]:
    """Highest (seq, record_hash) per chain among plain interaction records, and their expiry."""
    heads: dict[str, tuple[int, str]] = {}
    expires: dict[str, int] = {}
    for record in records:
        chain, seq, digest = record.get("chain_id"), record.get("seq"), record.get("record_hash")
        if not chain or seq is None or not digest:
            continue
        try:
            seq = int(seq)
        except (TypeError, ValueError):
            continue
        if chain not in heads or seq > heads[chain][0]:
            heads[chain] = (seq, str(digest))
        if record.get("expires_at") is not None:
            expires[chain] = int(record["expires_at"])
    return heads, expires
