"""Pseudonymisation at the edge: caller id = HMAC-SHA256(key, E.164 number), hex.

The key is a Secrets Manager secret (env ``HASH_KEY_SECRET_ARN``) fetched through Powertools
``get_secret`` with ``max_age`` = ``HASH_KEY_MAX_AGE`` seconds.  Its strength is counted in BYTES
OF ENTROPY, not characters (:func:`key_entropy_bytes`, at least :data:`MIN_KEY_BYTES` = 32):

- ``hex:<hex digits>`` or ``base64:<base64>``: the decoded bytes are the HMAC key; at least 32 of them;
- any other string (e.g. the stack's generated 64-character alphanumeric secret, or the sandbox's 64
  hex characters): the UTF-8 text is the HMAC key, and its entropy is estimated as
  length x log2(alphabet) of the smallest alphabet it uses (hex 16, alphanumeric 62, base64 64,
  printable ASCII 95); it also needs at least 8 different characters.  32 characters of
  ``[a-z0-9]`` are ~20 bytes of entropy: rejected; 64 hex characters are 32 bytes: accepted.  Powertools parameters (and boto3, which it imports) are imported lazily on the first
call so they stay off the cold-start import path.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import re
import sys

from functions.errors import BackendUnavailable
from functions.settings import get_settings

_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
MIN_KEY_BYTES = 32
_HEX = frozenset("0123456789abcdefABCDEF")
_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_B64 = _ALNUM | frozenset("+/=-_")


class WeakKey(ValueError):
    """The pseudonymisation key has less than MIN_KEY_BYTES bytes of entropy (or a bad encoding)."""


def normalise_e164(address: str | None) -> str | None:
    """'+48 601-234-567' -> '+48601234567'; None when withheld or not a phone number.

    The ONE number check of every entry point (caller identification, case creation, the survey
    list, opt-out, erase, the simulator's --caller): digits of any one Unicode digit system
    (fullwidth, Arabic-Indic, Devanagari...) become ASCII first, so a number has one pseudonym
    however it was written; see :func:`_ascii_number` for what is refused."""
    number = _ascii_number(address or "")
    if number is None:
        return None
    if number.startswith("00"):
        number = "+" + number[2:]
    return number if _E164.match(number) else None


_PLUS = frozenset("+\uff0b\ufe62")  # plus, fullwidth plus, small plus
_SEPARATOR = frozenset("().\u2212\uff08\uff09\uff0e")  # and whitespace, dashes (Pd), format marks (Cf)


def _ascii_number(text: str) -> str | None:
    """Decimal digits (Unicode category Nd, ``unicodedata.decimal``) as ASCII, a plus sign variant as
    '+', separators, dashes and invisible format marks (bidi marks of copied right-to-left text)
    dropped.  None for any other character (letters, superscript or circled digits: not Nd) and for
    digits of two digit systems in one number (never written so by hand: a corrupted or spoofed
    entry)."""
    import unicodedata

    out: list[str] = []
    zeros: set[int] = set()  # the code point of each digit system's zero
    for char in text:
        if char in _PLUS:
            out.append("+")
        elif char.isspace() or char in _SEPARATOR or unicodedata.category(char) in ("Pd", "Cf"):
            continue
        elif unicodedata.category(char) == "Nd":
            value = unicodedata.decimal(char)
            zeros.add(ord(char) - value)
            out.append(chr(48 + value))
        else:
            return None
    return "".join(out) if len(zeros) <= 1 else None


def _hash_key() -> bytes:
    settings = get_settings()
    if not settings.hash_key_secret_arn:
        raise BackendUnavailable("HASH_KEY_SECRET_ARN is not set")
    from aws_lambda_powertools.utilities.parameters import base, get_secret

    if "secrets" not in base.DEFAULT_PROVIDERS:
        # Use a client from the shared botocore session instead of a fresh boto3 session.
        from aws_lambda_powertools.utilities.parameters.secrets import SecretsProvider

        from functions.aws import client

        base.DEFAULT_PROVIDERS["secrets"] = SecretsProvider(
            boto3_client=client(
                "secretsmanager",
                connect_timeout=settings.ddb_connect_timeout,
                read_timeout=settings.ddb_read_timeout,
                max_retries=settings.ddb_max_retries,
            )
        )
    value = get_secret(settings.hash_key_secret_arn, max_age=settings.hash_key_max_age)
    if isinstance(value, bytes):
        value = value.decode("utf-8")
    if not isinstance(value, str):
        raise BackendUnavailable("hash key secret is not a string")
    try:
        return key_bytes(value)
    except WeakKey as exc:
        raise BackendUnavailable(f"hash key secret is too weak: {exc}") from None


def key_entropy_bytes(value: str) -> float:
    """Bytes of entropy of a key given as text (see the module docstring for the forms)."""
    if value.startswith(("hex:", "base64:")):
        return float(len(_decode(value)))
    chars = set(value)
    if len(chars) < 8:
        return 0.0
    if chars <= _HEX:
        alphabet = 16
    elif chars <= _ALNUM:
        alphabet = 62
    elif chars <= _B64:
        alphabet = 64
    else:
        alphabet = 95
    return len(value) * math.log2(alphabet) / 8


def _decode(value: str) -> bytes:
    kind, _, text = value.partition(":")
    try:
        if kind == "hex":
            return bytes.fromhex(text)
        return base64.b64decode(text, validate=True)
    except ValueError:
        raise WeakKey(f"the {kind} key does not decode") from None


def key_bytes(value: str) -> bytes:
    """The HMAC key for a secret value; raises :class:`WeakKey` below MIN_KEY_BYTES of entropy."""
    value = value.strip()
    entropy = key_entropy_bytes(value)
    if entropy < MIN_KEY_BYTES:
        raise WeakKey(f"{entropy:.1f} bytes of entropy, need {MIN_KEY_BYTES}")
    if value.startswith(("hex:", "base64:")):
        return _decode(value)
    return value.encode("utf-8")


def pseudonymise_with(key: bytes, e164: str) -> str:
    return hmac.new(key, e164.encode("utf-8"), hashlib.sha256).hexdigest()


def pseudonymise(e164: str) -> str:
    return pseudonymise_with(_hash_key(), e164)


def caller_id_for(address: str | None) -> str | None:
    number = normalise_e164(address)
    return pseudonymise(number) if number else None


def reset_caches() -> None:
    """Forget the cached secret and the Powertools providers (their boto3 clients)."""
    module = sys.modules.get("aws_lambda_powertools.utilities.parameters.base")
    if module is not None:
        module.clear_caches()
