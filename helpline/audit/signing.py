"""Checkpoint signatures: verification (any ECDSA P-256 public key) and the LOCAL signing key.

Deployed stacks sign with an asymmetric KMS key (ECC_NIST_P256, SIGN_VERIFY): the private key
never leaves KMS, and the auditor verifies with the public key from KMS GetPublicKey
(https://docs.aws.amazon.com/kms/latest/APIReference/API_GetPublicKey.html).

A ``--state`` folder signs with a local key (``audit-signing-key.pem``, PKCS#8, mode 0600) kept
IN THE SAME FOLDER.  That is much weaker: whoever can edit the folder can also re-sign forged
checkpoints with it.  It proves the chains were not changed by anything but the sandbox only if
the auditor pins the public key (``helpline audit verify --public-key FILE`` with a copy kept
elsewhere, e.g. ``audit-signing-key.pub.pem`` copied when the folder was created).
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path
from typing import Any

from functions.logic import checkpoints

KEY_FILE = "audit-signing-key.pem"
PUBLIC_KEY_FILE = "audit-signing-key.pub.pem"


def public_key_from_der(der: bytes) -> Any:
    from cryptography.hazmat.primitives.serialization import load_der_public_key

    return load_der_public_key(der)


def public_key_from_pem(pem: bytes) -> Any:
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    return load_pem_public_key(pem)


def fingerprint(public_key: Any) -> str:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    der = public_key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()[:32]


def signature_ok(envelope: dict[str, Any], public_key: Any) -> bool:
    """True when the envelope's signature is valid for its body under ``public_key``."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    try:
        if envelope.get("signing_algorithm") != checkpoints.SIGNING_ALGORITHM:
            return False
        signature = base64.b64decode(envelope["signature"], validate=True)
        message = checkpoints.signed_message(envelope["checkpoint"])
        public_key.verify(signature, message, ec.ECDSA(hashes.SHA256()))
        return True
    except (InvalidSignature, KeyError, TypeError, ValueError):
        return False


def local_private_key(folder: Path) -> Any:
    """The state folder's signing key, created (0600, with its public key beside it) on first use."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    path = folder / KEY_FILE
    if path.exists():
        return serialization.load_pem_private_key(path.read_bytes(), password=None)
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    (folder / PUBLIC_KEY_FILE).write_bytes(public)
    return key


def local_public_key(folder: Path) -> Any | None:
    path = folder / KEY_FILE
    if not path.exists():
        return None
    from cryptography.hazmat.primitives import serialization

    return serialization.load_pem_private_key(path.read_bytes(), password=None).public_key()


def sign_locally(folder: Path, body: dict[str, Any]) -> dict[str, Any]:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    key = local_private_key(folder)
    signature = key.sign(checkpoints.signed_message(body), ec.ECDSA(hashes.SHA256()))
    return checkpoints.envelope(body, signature, "local:" + fingerprint(key.public_key()))
