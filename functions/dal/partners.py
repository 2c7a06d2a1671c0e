"""Partner directory: country-file partner dicts -> DynamoDB-JSON items (pure, no AWS imports).

Input shape (one per partner, from countries/<cc>.yaml)::

    {"id": "pl-legal-aid", "name": "...", "services": ["LP", "LP-ND"], "regions": ["*"],
     "languages": ["uk", "ru"], "channel": {"type": "email", "address": "..."}, "capacity": 40}

What the stack's seeding writes (:func:`seed_items`), keyed by the tables' LOGICAL_NAME::

    {"Partners": [ {"partner_id": {"S": "pl-legal-aid"}, "name": {"S": ...},
                    "services": {"L": [{"S": "LP"}, ...]}, "regions": {"L": ...},
                    "languages": {"L": ...}, "channel_type": {"S": "email"},
                    "channel_address": {"S": ...}, "capacity": {"N": "40"},
                    "active": {"BOOL": true}}, ... ],
     "PartnerServices": [ {"service_code": {"S": "LP"}, "partner_id": {"S": "pl-legal-aid"},
                           "match": {"S": "exact"}},
                          {"service_code": {"S": "LP-BN"}, "partner_id": {"S": "pl-legal-aid"},
                           "match": {"S": "family"}}, ... ]}

- write every item with PutItem (they are the directory; overwriting is intended);
- delete what the country file no longer lists: :func:`stale_keys(old_partners, new_partners)`
  gives the primary keys to DeleteItem per table (``{"Partners": [{"partner_id": {"S": ...}}],
  "PartnerServices": [{"service_code": {"S": ...}, "partner_id": {"S": ...}}]}``); without the
  previous list, :func:`seed_keys` of the old items does the same by difference.
  A partner whose Partners item is gone (or ``active`` false) receives no referral even if a
  PartnerServices item lingers: route_referral reads both.
- never write the PartnerLoads table: it holds the open-referral counters (kept across deploys).

A partner listing a family code (``SM``) gets one PartnerServices item for the family (match
"exact") and one per known sub-code (``SM-CC``... match "family"), so one Query on a need's code
finds every partner that serves it.  :func:`partners_to_items` (the Partners items alone) is kept
for existing callers.
"""

from __future__ import annotations

import re
from typing import Any

from functions.models.needs import ALL_CODES, SUB_CODES, TOP_LEVEL

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
        "active": {"BOOL": True},
    }


def partners_to_items(partners: list[dict[str, Any]]) -> list[dict[str, dict[str, Any]]]:
    """All partners as DynamoDB-JSON items; rejects duplicate ids."""
    items = [partner_to_item(p) for p in partners]
    ids = [i["partner_id"]["S"] for i in items]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise PartnerError(f"duplicate partner ids: {duplicates}")
    return items


def service_codes(services: list[str]) -> list[tuple[str, str]]:
    """[(code, "exact"|"family"), ...]: the codes a partner serving ``services`` is found under."""
    out: dict[str, str] = {}
    for code in services:
        out[code] = "exact"
    for code in services:
        if code in TOP_LEVEL:
            for sub in SUB_CODES.get(code, ()):
                out.setdefault(f"{code}-{sub}", "family")
    return sorted(out.items())


def service_items(partners: list[dict[str, Any]]) -> list[dict[str, dict[str, Any]]]:
    items = []
    for partner in partners:
        p = validate_partner(partner)
        for code, match in service_codes(p["services"]):
            items.append({"service_code": {"S": code}, "partner_id": {"S": p["partner_id"]}, "match": {"S": match}})
    return items


def seed_items(partners: list[dict[str, Any]]) -> dict[str, list[dict[str, dict[str, Any]]]]:
    """Everything the seeding writes, per table LOGICAL_NAME (see the module docstring)."""
    return {"Partners": partners_to_items(partners), "PartnerServices": service_items(partners)}


_KEYS = {"Partners": ("partner_id",), "PartnerServices": ("service_code", "partner_id")}


def seed_keys(items: dict[str, list[dict[str, dict[str, Any]]]]) -> dict[str, list[dict[str, dict[str, Any]]]]:
    """The primary keys of seed items, per table."""
    return {table: [{k: item[k] for k in _KEYS[table]} for item in rows] for table, rows in items.items()}


def stale_keys(
    old_partners: list[dict[str, Any]], new_partners: list[dict[str, Any]]
) -> dict[str, list[dict[str, dict[str, Any]]]]:
    """Keys to DeleteItem after a country-file change: in the old directory, not in the new one."""
    old, new = seed_keys(seed_items(old_partners)), seed_keys(seed_items(new_partners))
    out = {}
    for table, keys in old.items():
        keep = {json_key(k) for k in new[table]}
        out[table] = [k for k in keys if json_key(k) not in keep]
    return out


def json_key(key: dict[str, Any]) -> str:
    import json

    return json.dumps(key, sort_keys=True)
