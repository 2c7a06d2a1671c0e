"""Shared by the flow tests: the shipped countries and the action-coverage record."""

from __future__ import annotations

from collections import defaultdict

COUNTRIES = ("pl", "hu", "ro")
_VISITED: dict[tuple[str, str], set[str]] = defaultdict(set)
_TOTAL: dict[tuple[str, str], set[str]] = {}


def record(code: str, result) -> None:
    """Remember which actions a simulated call reached (printed at the end of the session)."""
    for flow, ids in result.visited.items():
        _VISITED[(code, flow)].update(ids)
