"""UNHCR specific-needs codes: validation, specificity and urgency.

Accepted codes are the 12 top-level categories and their sub-codes (:mod:`functions.models.needs`,
shared with the partner directory's seeding).  Input is case-insensitive, comma separated,
whitespace tolerant, de-duplicated.

Urgency: a need is *urgent* when its code is in ``URGENT_CODES`` or is a sub-code of one of
``URGENT_FAMILIES``:

- families SV (sexual and gender-based violence), SC (unaccompanied/separated child),
  CR (child at risk), TR (torture) - every sub-code is urgent;
- single codes SM-CC (critical medical condition), LP-RR (at risk of refoulement),
  LP-IH / LP-DT (detained / held), LP-AN (violence or threat), SM-DP (difficult pregnancy),
  WR-HR (woman at high risk).
"""

from __future__ import annotations

from functions.models.needs import ALL_CODES, SUB_CODES, TOP_LEVEL

__all__ = [  # the code tables too: the tooling (helpline/) reads them here
    "ALL_CODES",
    "SUB_CODES",
    "TOP_LEVEL",
    "URGENT_CODES",
    "URGENT_FAMILIES",
    "NeedsCodeError",
    "any_urgent",
    "family",
    "is_urgent",
    "match_score",
    "needs_param",
    "parse_needs",
]

URGENT_FAMILIES = frozenset({"SV", "SC", "CR", "TR"})
URGENT_CODES = frozenset({"SM-CC", "SM-DP", "LP-RR", "LP-IH", "LP-DT", "LP-AN", "WR-HR"})


class NeedsCodeError(ValueError):
    pass


def parse_needs(raw: str | None) -> list[str]:
    """'sv, LP-ND' -> ['SV', 'LP-ND'] (order kept, duplicates removed); raises NeedsCodeError."""
    if raw is None:
        return []
    if len(raw) > 400:
        raise NeedsCodeError("too many needs codes")
    codes: list[str] = []
    for part in raw.split(","):
        code = part.strip().upper()
        if not code:
            continue
        if code not in ALL_CODES:
            raise NeedsCodeError("unknown needs code")
        if code not in codes:
            codes.append(code)
    if len(codes) > 20:
        raise NeedsCodeError("too many needs codes")
    return codes


def family(code: str) -> str:
    return code.split("-", 1)[0]


def is_urgent(code: str) -> bool:
    return family(code) in URGENT_FAMILIES or code in URGENT_CODES


def any_urgent(codes: list[str]) -> bool:
    return any(is_urgent(c) for c in codes)


def match_score(need: str, services: list[str] | tuple[str, ...] | set[str]) -> int:
    """2 = the partner serves exactly this code, 1 = it serves the parent family, 0 = no match.

    A partner listing a sub-code (``SM-CC``) does not serve the whole family (``SM``) for that.
    """
    if need in services:
        return 2
    if "-" in need and family(need) in services:
        return 1
    return 0


def needs_param(raw: str | None) -> list[str]:
    """The ``needs_codes`` flow parameter, parsed; an invalid list is an InvalidParameter."""
    from functions.errors import InvalidParameter

    try:
        return parse_needs(raw)
    except NeedsCodeError:
        raise InvalidParameter("needs_codes") from None
