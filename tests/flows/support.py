"""Shared by the flow tests: every country file and the action-coverage record."""

from __future__ import annotations

from collections import defaultdict

from helpline.config import country_files

# Every country file: a new country gets the same flow checks as the shipped ones.
COUNTRIES = tuple(p.stem for p in country_files())
_VISITED: dict[tuple[str, str], set[str]] = defaultdict(set)
_TOTAL: dict[tuple[str, str], set[str]] = {}


def record(code: str, result) -> None:
    """Remember which actions a simulated call reached (printed at the end of the session)."""
    for flow, ids in result.visited.items():
        _VISITED[(code, flow)].update(ids)
