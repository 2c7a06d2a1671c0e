"""AWS KMS as the functions use it: the callers' pseudonyms (GenerateMac on the HMAC key) and the
archive's checkpoint signatures (Sign).  The ``*_with`` forms take a KMS client (the tooling's);
the others use the runtime's (functions.dal.clients).
https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateMac.html , API_Sign.html
"""

from __future__ import annotations

from typing import Any

from functions.dal import clients

MAC_ALGORITHM = "HMAC_SHA_256"


def mac_with(kms: Any, key_id: str, text: str) -> str:
    """1 kms:GenerateMac (HMAC_SHA_256) of ``text`` with ``kms`` (any boto3/botocore KMS client): hex."""
    answer = kms.generate_mac(KeyId=key_id, Message=text.encode("utf-8"), MacAlgorithm=MAC_ALGORITHM)
    return bytes(answer["Mac"]).hex()


def mac(key_id: str, text: str) -> str:
    """:func:`mac_with` the runtime's client (the flow profile: inside a flow function's budget)."""
    return mac_with(clients.client("kms"), key_id, text)


def sign_with(kms: Any, key_id: str, message: bytes, algorithm: str) -> tuple[bytes, str]:
    """1 kms:Sign of a RAW ``message``: (signature, the key ARN KMS names, else ``key_id``)."""
    answer = kms.sign(KeyId=key_id, Message=message, MessageType="RAW", SigningAlgorithm=algorithm)
    return answer["Signature"], answer.get("KeyId") or key_id


def sign(key_id: str, message: bytes, algorithm: str) -> tuple[bytes, str]:
    """:func:`sign_with` the runtime's client (the stream profile of archive_records)."""
    return sign_with(clients.client("kms", clients.STREAM), key_id, message, algorithm)
