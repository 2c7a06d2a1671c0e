"""The partner directory as route_referral and save_screening read it: by needs code, no Scan.

Requests: 1 Query of PartnerServices per needs code (``needs`` holds at most 20 codes; a typical
screening has 1-3) + 1 BatchGetItem of Partners and PartnerLoads for the partners found.
Partners missing from the directory or ``active`` false are not candidates (a partner removed
from the country file stops receiving referrals).  ``assigned`` in a candidate is its number of
OPEN referrals (PartnerLoads), compared with its capacity.
"""

from __future__ import annotations

from typing import Any

from functions.dal import repository
from functions.logic.needs import is_urgent, match_score

MAX_SUGGESTIONS = 5


def candidates(needs: list[str]) -> list[dict[str, Any]]:
    """Active partners serving at least one of ``needs``, as dicts for :func:`select_partners`."""
    ids: list[str] = []
    for code in needs:
        ids.extend(s.partner_id for s in repository.partners_serving(code))
    if not ids:
        return []
    partners, loads = repository.partners_with_loads(ids)
    return [
        {
            "partner_id": p.partner_id,
            "name": p.name,
            "services": list(p.services or []),
            "regions": list(p.regions or []),
            "languages": list(p.languages or []),
            "capacity": int(p.capacity or 0),
            "assigned": loads.get(p.partner_id, 0),
        }
        for p in partners.values()
    ]


def _eligible(
    partners: list[Any], region: str, language: str
) -> tuple[list[tuple[str, set[str], bool]], dict[str, int]]:
    def get(p: Any, name: str) -> Any:
        return p.get(name) if isinstance(p, dict) else getattr(p, name)

    left: dict[str, int] = {}
    eligible = []
    for p in partners:
        languages = set(get(p, "languages") or [])
        regions = set(get(p, "regions") or [])
        if language not in languages and language.split("-")[0] not in languages:
            continue
        if "*" not in regions and region not in regions:
            continue
        pid = str(get(p, "partner_id"))
        left[pid] = int(get(p, "capacity") or 0) - int(get(p, "assigned") or 0)
        eligible.append((pid, set(get(p, "services") or []), "*" not in regions))
    return eligible, left


def select_partners(partners: list[Any], needs: list[str], region: str, language: str) -> list[tuple[str, list[str]]]:
    """Pure selection: [(partner_id, [need codes]), ...] in selection order.

    Per need code (urgent codes first, then in the given order): the partner must serve the
    language, cover the region (or "*") and have capacity left (``assigned < capacity``, counting
    the referrals picked in this call); an exact service match beats a family match; then a
    partner already picked (fewer hand-offs), a regional partner over a national one, most
    capacity left, partner id (deterministic).
    """
    eligible, left = _eligible(partners, region, language)
    ordered = sorted(needs, key=lambda c: (not is_urgent(c), needs.index(c)))
    chosen: dict[str, list[str]] = {}
    for need in ordered:
        best = None
        best_key = None
        for pid, services, regional in eligible:
            score = match_score(need, services)
            if score == 0 or (pid not in chosen and left[pid] <= 0):
                continue
            key = (-score, pid not in chosen, not regional, -left[pid], pid)
            if best_key is None or key < best_key:
                best, best_key = pid, key
        if best is None:
            continue
        if best not in chosen:
            chosen[best] = []
            left[best] -= 1
        chosen[best].append(need)
    return list(chosen.items())


def suggest(partners: list[dict[str, Any]], needs: list[str], region: str, language: str) -> list[dict[str, Any]]:
    """Partners to show the operator, best first: the selection route_referral would make, then
    the other eligible partners with capacity left (most specific match, regional, most capacity)."""
    picked = [pid for pid, _ in select_partners(partners, needs, region, language)]
    eligible, left = _eligible(partners, region, language)
    rest = []
    for pid, services, regional in eligible:
        score = max((match_score(n, services) for n in needs), default=0)
        if pid in picked or score == 0 or left[pid] <= 0:
            continue
        rest.append(((-score, not regional, -left[pid], pid), pid))
    order = picked + [pid for _, pid in sorted(rest)]
    by_id = {p["partner_id"]: p for p in partners}
    return [by_id[pid] for pid in order[:MAX_SUGGESTIONS]]
