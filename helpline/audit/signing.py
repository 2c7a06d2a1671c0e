"""Checkpoint signatures: verification (any ECDSA P-256 public key) and the LOCAL signing key.

Deployed stacks sign with an asymmetric KMS key (ECC_NIST_P256, SIGN_VERIFY): the private key
never leaves KMS, and the auditor verifies with the public key from KMS GetPublicKey
(https://docs.aws.amazon.com/kms/latest/APIReference/API_GetPublicKey.html).

A ``--state`` folder signs with a local ECDSA P-256 key whose PRIVATE half is kept OUTSIDE the
folder: ``$HELPLINE_AUDIT_KEY_DIR/<folder id>.pem`` (default ``~/.config/helpline/keys``; PKCS#8,
mode 0600, directory 0700), the folder id being the random hex in the folder's ``audit-folder-id``.
The folder keeps only the PUBLIC half (``audit-signing-key.pub.pem``), which verify uses and prints
the fingerprint of.  What that proves depends on custody (docs/audit.md, "What a local key proves"):
someone who can edit the folder but not read the key file cannot re-sign a forged checkpoint; a
replaced public key in the folder is caught only against a copy pinned elsewhere
(``--public-key``).  A folder made before this change keeps its in-folder private key
(``audit-signing-key.pem``): it is still used, and proves nothing against whoever can edit the folder.
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path
from typing import Any

from functions.logic import checkpoints

KEY_FILE = "audit-signing-key.pem"  # a private key IN the folder: older folders only
PUBLIC_KEY_FILE = "audit-signing-key.pub.pem"
FOLDER_ID_FILE = "audit-folder-id"
KEY_DIR_ENV = "HELPLINE_AUDIT_KEY_DIR"


class SigningKeyMissing(RuntimeError):
    """The folder has a public key but its private key is not in the key directory."""


def key_dir() -> Path:
    return Path(os.environ.get(KEY_DIR_ENV) or Path.home() / ".config" / "helpline" / "keys")


def folder_id(folder: Path) -> str:
    """The folder's random id (created on first use): names its private key in the key directory."""
    import secrets

    path = folder / FOLDER_ID_FILE
    if not path.exists():
        path.write_text(secrets.token_hex(16) + "\n", encoding="ascii")
    return path.read_text(encoding="ascii").strip()


def private_key_path(folder: Path) -> Path:
    legacy = folder / KEY_FILE
    return legacy if legacy.exists() else key_dir() / f"{folder_id(folder)}.pem"


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
    """The folder's signing key, created on first use (private half in the key directory, 0600;
    public half in the folder).  SigningKeyMissing when the folder has a public key but the private
    key is not where it should be (another machine, another HELPLINE_AUDIT_KEY_DIR)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    path = private_key_path(folder)
    if path.exists():
        return serialization.load_pem_private_key(path.read_bytes(), password=None)
    if (folder / PUBLIC_KEY_FILE).exists():
        raise SigningKeyMissing(f"{folder}: its signing key {path} is missing (set {KEY_DIR_ENV} to its folder)")
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    (folder / PUBLIC_KEY_FILE).write_bytes(public)
    return key


def local_public_key(folder: Path) -> Any | None:
    """The folder's public key (its PEM file; an older folder's in-folder private key otherwise)."""
    if (folder / PUBLIC_KEY_FILE).exists():
        return public_key_from_pem((folder / PUBLIC_KEY_FILE).read_bytes())
    if (folder / KEY_FILE).exists():
        from cryptography.hazmat.primitives import serialization

        return serialization.load_pem_private_key((folder / KEY_FILE).read_bytes(), password=None).public_key()
    return None


def sign_locally(folder: Path, body: dict[str, Any]) -> dict[str, Any]:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    key = local_private_key(folder)
    signature = key.sign(checkpoints.signed_message(body), ec.ECDSA(hashes.SHA256()))
    return checkpoints.envelope(body, signature, "local:" + fingerprint(key.public_key()))
