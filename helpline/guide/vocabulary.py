"""The guide's vocabulary: the values its forms send to the Lambda functions, and the needs rows."""

from __future__ import annotations

from functions.logic.needs import SUB_CODES, TOP_LEVEL

# Values the guide's forms send to the Lambda functions (the contract's parameter values).
CALL_TYPES = ("real", "silent", "prank", "abusive", "wrong_number", "information")
OUTCOMES = ("resolved", "referred", "information_given", "follow_up", "dropped")
BLOCK_HOURS = ("24", "72", "168", "720")
# Needs families highlighted on the screening screens: gender-based violence and children.
PROTECTION_FAMILIES = ("SV", "CR", "SC")
HIGHLIGHT = "⚠ "


def needs_families() -> list[dict[str, str]]:
    """Rows for the top-level needs options: code, and a highlight mark for protection needs."""
    return [{"code": c, "mark": HIGHLIGHT if c in PROTECTION_FAMILIES else ""} for c in TOP_LEVEL]


def needs_subcodes() -> list[dict[str, str]]:
    """Rows for the sub-code options (``SV-VA`` ...), grouped by family, in UNHCR order."""
    return [
        {"code": f"{top}-{sub}", "family": top, "mark": HIGHLIGHT if top in PROTECTION_FAMILIES else ""}
        for top in TOP_LEVEL
        for sub in SUB_CODES[top]
    ]
