"""The pseudonymisation key's strength is counted in bytes of entropy, not characters."""

from __future__ import annotations

import base64
import random
import secrets

import pytest

from functions.logic.pseudonym import (
    MIN_KEY_BYTES,
    WeakKey,
    key_bytes,
    key_entropy_bytes,
    pseudonymise_with,
)


def test_the_sandbox_and_stack_key_forms_are_strong_enough():
    sandbox = secrets.token_hex(32)  # 64 hex characters = 32 bytes
    assert key_entropy_bytes(sandbox) == 32 and key_bytes(sandbox) == sandbox.encode()
    alnum = "".join(secrets.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(64))
    assert key_entropy_bytes(alnum) > 47  # the stack's generated secret: 64 x log2(62) bits


# Parameters are drawn from a seeded generator: pytest-xdist workers must collect the same ids.
_RNG = random.Random(20261125)


@pytest.mark.parametrize(
    "weak",
    [
        "k" * 40,  # 40 characters, one symbol: no entropy at all
        "abababababababababababababababababab",  # two symbols
        _RNG.randbytes(24).hex(),  # 48 hex characters = 24 bytes
        "0123456789abcdefghijklmnopqrstuv",  # 32 alphanumeric characters ~ 23.8 bytes
        "hex:" + _RNG.randbytes(16).hex(),  # decodes to 16 bytes
        "base64:" + base64.b64encode(_RNG.randbytes(24)).decode(),  # decodes to 24 bytes
    ],
)
def test_keys_below_32_bytes_of_entropy_are_refused(weak):
    assert key_entropy_bytes(weak) < MIN_KEY_BYTES
    with pytest.raises(WeakKey, match="bytes of entropy"):
        key_bytes(weak)


def test_hex_and_base64_forms_are_decoded_to_the_hmac_key():
    raw = secrets.token_bytes(32)
    assert key_bytes("hex:" + raw.hex()) == raw
    assert key_bytes("base64:" + base64.b64encode(raw).decode()) == raw
    assert pseudonymise_with(raw, "+48600700800") == pseudonymise_with(key_bytes("hex:" + raw.hex()), "+48600700800")


def test_a_prefixed_key_that_does_not_decode_is_refused():
    with pytest.raises(WeakKey, match="does not decode"):
        key_bytes("hex:" + "zz" * 32)
