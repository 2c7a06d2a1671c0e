"""Partner directory: country-file partner dicts -> DynamoDB-JSON items (pure, no AWS imports).

Input shape (one per partner, from countries/<cc>.yaml)::

    {"id": "pl-legal-aid", "name": "...", "services": ["LP", "LP-ND"], "regions": ["*"],
     "languages": ["uk", "ru"], "channel": {"type": "email", "address": "..."}, "capacity": 40}

Output: ``{"partner_id": {"S": ...}, "name": {"S": ...}, "services": {"L": [{"S": ...}]}, ...,
"capacity": {"N": "40"}, "assigned": {"N": "0"}}`` matching ``functions.dal.models.Partner``.
Note: seeding with PutItem resets ``assigned`` (the capacity counter) to 0.
"""

from __future__ import annotations

import re
from typing import Any

from functions.logic.needs import ALL_CODES

_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
_LANG = re.compile(r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")
_REGION = re.compile(r"^(\*|[a-z0-9][a-z0-9_-]{0,63})$")
CHANNEL_TYPES = ("email", "phone", "webhook")


class PartnerError(ValueError):
    pass


def _strings(name: str, value: Any, pattern: re.Pattern[str] | None = None) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise PartnerError(f"{name} must be a non-empty list of strings")
    if pattern is not None:
        bad = [v for v in value if not pattern.match(v)]
        if bad:
            raise PartnerError(f"{name} has invalid values: {bad}")
    return list(dict.fromkeys(value))


def validate_partner(partner: dict[str, Any]) -> dict[str, Any]:
    """Normalised copy of a partner dict; raises PartnerError with a readable message."""
    pid = partner.get("id")
    if not isinstance(pid, str) or not _ID.match(pid):
        raise PartnerError(f"partner id {pid!r} must match {_ID.pattern}")
    name = partner.get("name")
    if not isinstance(name, str) or not name.strip():
        raise PartnerError(f"{pid}: name is required")
    services = [s.upper() for s in _strings(f"{pid}: services", partner.get("services"))]
    unknown = [s for s in services if s not in ALL_CODES]
    if unknown:
        raise PartnerError(f"{pid}: unknown needs codes {unknown}")
    regions = [r.lower() for r in _strings(f"{pid}: regions", partner.get("regions"))]
    regions = _strings(f"{pid}: regions", regions, _REGION)
    languages = _strings(f"{pid}: languages", partner.get("languages"), _LANG)
    channel = partner.get("channel")
    if not isinstance(channel, dict) or channel.get("type") not in CHANNEL_TYPES or not channel.get("address"):
        raise PartnerError(f"{pid}: channel must be {{type: {'|'.join(CHANNEL_TYPES)}, address: ...}}")
    capacity = partner.get("capacity")
    if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 0:
        raise PartnerError(f"{pid}: capacity must be a non-negative integer")
    return {
        "partner_id": pid,
        "name": name.strip(),
        "services": services,
        "regions": regions,
        "languages": languages,
        "channel_type": channel["type"],
        "channel_address": str(channel["address"]),
        "capacity": capacity,
    }


def partner_to_item(partner: dict[str, Any]) -> dict[str, dict[str, Any]]:
    p = validate_partner(partner)
    return {
        "partner_id": {"S": p["partner_id"]},
        "name": {"S": p["name"]},
        "services": {"L": [{"S": s} for s in p["services"]]},
        "regions": {"L": [{"S": r} for r in p["regions"]]},
        "languages": {"L": [{"S": lang} for lang in p["languages"]]},
        "channel_type": {"S": p["channel_type"]},
        "channel_address": {"S": p["channel_address"]},
        "capacity": {"N": str(p["capacity"])},
        "assigned": {"N": "0"},
    }


def partners_to_items(partners: list[dict[str, Any]]) -> list[dict[str, dict[str, Any]]]:
    """All partners as DynamoDB-JSON items; rejects duplicate ids."""
    items = [partner_to_item(p) for p in partners]
    ids = [i["partner_id"]["S"] for i in items]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise PartnerError(f"duplicate partner ids: {duplicates}")
    return items
