"""Pseudonymisation at the edge: caller id = HMAC-SHA256(key, E.164 number), hex.

The key is a Secrets Manager secret (env ``HASH_KEY_SECRET_ARN``, SecretString of at least 32
characters) fetched through Powertools ``get_secret`` with ``max_age`` = ``HASH_KEY_MAX_AGE``
seconds.  Powertools parameters (and boto3, which it imports) are imported lazily on the first
call so they stay off the cold-start import path.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import sys

from functions.errors import BackendUnavailable
from functions.settings import get_settings

_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_SEPARATORS = re.compile(r"[\s\-().]")
MIN_KEY_LENGTH = 32


def normalise_e164(address: str | None) -> str | None:
    """'+48 601-234-567' -> '+48601234567'; None when withheld or not a phone number."""
    if not address:
        return None
    number = _SEPARATORS.sub("", address)
    if number.startswith("00"):
        number = "+" + number[2:]
    return number if _E164.match(number) else None


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
    if not isinstance(value, str) or len(value) < MIN_KEY_LENGTH:
        raise BackendUnavailable("hash key secret is too short")
    return value.encode("utf-8")


def pseudonymise(e164: str) -> str:
    return hmac.new(_hash_key(), e164.encode("utf-8"), hashlib.sha256).hexdigest()


def caller_id_for(address: str | None) -> str | None:
    number = normalise_e164(address)
    return pseudonymise(number) if number else None


def reset_caches() -> None:
    """Forget the cached secret and the Powertools providers (their boto3 clients)."""
    module = sys.modules.get("aws_lambda_powertools.utilities.parameters.base")
    if module is not None:
        module.clear_caches()
