"""Pseudonymisation at the edge: caller id = HMAC-SHA256(key, E.164 number), hex.

The key is a KMS HMAC key (KeySpec HMAC_256, KeyUsage GENERATE_VERIFY_MAC; env
``PSEUDONYM_KEY_ID``) and every pseudonym is one ``kms:GenerateMac`` request with MacAlgorithm
HMAC_SHA_256.  The key material never leaves KMS unencrypted, so nobody can compute pseudonyms
off-line (the 22-second enumeration of every Polish mobile number needs the key); each request is
logged by CloudTrail and throttled by KMS (KMS developer guide, hmac.html; API_GenerateMac.html:
``Mac`` is "the standard, raw HMAC defined in RFC 2104", so this module's hex of it equals
``hmac.new(key, number, sha256).hexdigest()`` for the same key material).

No cache of pseudonyms: a map number -> pseudonym in a warm Lambda container would keep phone
numbers in memory for as long as the container lives (hours), far beyond the call.  The price is
one GenerateMac per pseudonym (identify_caller and create_case: two per call), inside the flow's
time budget: the request is :func:`functions.dal.keys.mac` (the client cache's flow profile: the
DDB_* timeouts and retries and the deadline hooks of ``functions.deadline``).

``key_bytes`` / ``pseudonymise_with`` are the same HMAC computed locally: the sandbox's state
folder keeps its (test-only) key material in a file and imports it into its moto KMS key, and
``helpline`` tooling uses them for a state folder.  Text keys count their strength in BYTES OF
ENTROPY (:func:`key_entropy_bytes`, at least :data:`MIN_KEY_BYTES` = 32): ``hex:<hex>`` and
``base64:<b64>`` decode to the key; any other text is used as UTF-8, its entropy estimated as
length x log2(alphabet) of the smallest alphabet it uses (hex 16, alphanumeric 62, base64 64,
printable ASCII 95), with at least 8 different characters.  No AWS import here (cold start).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import re
from dataclasses import dataclass
from typing import Any

from functions.dal import keys
from functions.errors import BackendUnavailable
from functions.settings import get_settings

_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
MIN_KEY_BYTES = 32
_HEX = frozenset("0123456789abcdefABCDEF")
_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_B64 = _ALNUM | frozenset("+/=-_")


@dataclass(frozen=True)
class KmsMacKey:
    """A deployed stack's pseudonym key as the tooling holds it: a KMS client and the key id; no
    material.  :func:`key_bytes` passes it through and :func:`pseudonymise_with` calls GenerateMac."""

    kms: Any
    key_id: str


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


def pseudonymise_with_kms(kms, key_id: str, e164: str) -> str:
    """One kms:GenerateMac with ``kms`` (any boto3/botocore KMS client): the pseudonym, hex."""
    return keys.mac_with(kms, key_id, e164)


def _generate_mac(e164: str) -> str:
    """Throttling, AccessDenied, a disabled key or a timeout raise botocore's errors: the flow
    handlers answer ``backend_unavailable`` for them (functions.errors.is_backend_error)."""
    key_id = get_settings().pseudonym_key_id
    if not key_id:
        raise BackendUnavailable("PSEUDONYM_KEY_ID is not set")
    return keys.mac(key_id, e164)


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


def key_bytes(value: str | KmsMacKey) -> bytes | KmsMacKey:
    """The HMAC key for a secret value; raises :class:`WeakKey` below MIN_KEY_BYTES of entropy."""
    if isinstance(value, KmsMacKey):
        return value
    value = value.strip()
    entropy = key_entropy_bytes(value)
    if entropy < MIN_KEY_BYTES:
        raise WeakKey(f"{entropy:.1f} bytes of entropy, need {MIN_KEY_BYTES}")
    if value.startswith(("hex:", "base64:")):
        return _decode(value)
    return value.encode("utf-8")


def pseudonymise_with(key: bytes | KmsMacKey, e164: str) -> str:
    if isinstance(key, KmsMacKey):
        return pseudonymise_with_kms(key.kms, key.key_id, e164)
    return hmac.new(key, e164.encode("utf-8"), hashlib.sha256).hexdigest()


def pseudonymise(e164: str) -> str:
    return _generate_mac(e164)


def caller_id_for(address: str | None) -> str | None:
    number = normalise_e164(address)
    return pseudonymise(number) if number else None
