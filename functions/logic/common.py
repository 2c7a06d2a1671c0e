"""Small helpers shared by the logic modules (time, TTL, ids, parameter parsing)."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from functions.errors import InvalidParameter

if TYPE_CHECKING:
    from functions.models.lean import Spec


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso(ts: datetime) -> str:
    return ts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def expiry(start: datetime, days: float) -> datetime:
    return (start + timedelta(days=days)).replace(microsecond=0)


def case_id_for(country: str, contact_id: str) -> str:
    """Deterministic, speakable case id from the ContactId: ``PL-ABCDEFGH2345`` (base32, 60 bits).

    Deterministic so that a replay of create_case computes the same id without a read.
    """
    digest = hashlib.sha256(f"case:{contact_id}".encode()).digest()
    return f"{country.upper()}-{base64.b32encode(digest).decode()[:12]}"


def referral_id_for(case_id: str, partner_id: str) -> str:
    digest = hashlib.sha256(f"referral:{case_id}:{partner_id}".encode()).digest()
    return "R-" + base64.b32encode(digest).decode()[:16]


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def parse_params(spec: Spec, params: dict[str, Any]) -> Any:
    """The flow Parameters parsed by ``spec`` (functions.models.lean); what it cannot vouch for
    goes to its pydantic model (functions.models.params), whose first error names ``error_field``."""
    fast = spec.fast(params)
    if fast is not None:
        return fast
    from pydantic import ValidationError

    from functions.models.params import model_for

    try:
        return model_for(spec).model_validate(params)
    except ValidationError as exc:
        errors = exc.errors(include_input=False, include_url=False)
        field = str(errors[0]["loc"][0]) if errors and errors[0].get("loc") else "parameters"
        raise InvalidParameter(field) from None
