"""Transition coverage of contact flows: which branches exist, which calls took them.

A transition is one way out of an action: ``Next`` (its NextAction), ``Condition:<i>`` (the
i-th condition) or ``Error:<type>``. An action with conditions leaves only through them or an
error; an action that transfers or ends the contact (queue, another flow, disconnect, end)
leaves only through its errors on the flow's own graph. Coverage is measured on the flows the
simulator runs, which are the flows the stack deploys (one renderer).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

# Success leaves the flow: the contact is queued, runs another flow, or ends.
LEAVES_FLOW = frozenset({"TransferContactToQueue", "TransferToFlow", "DisconnectParticipant", "EndFlowExecution"})

Transition = tuple[str, str, str]  # (flow, action id, label)


def action_transitions(action: dict[str, Any]) -> list[str]:
    """The labels of every way out of one action."""
    tr = action.get("Transitions") or {}
    labels: list[str] = []
    conditions = tr.get("Conditions") or []
    if conditions:
        labels += [f"Condition:{i}" for i in range(len(conditions))]
    elif tr.get("NextAction") and action.get("Type") not in LEAVES_FLOW:
        labels.append("Next")
    labels += [f"Error:{e.get('ErrorType')}" for e in tr.get("Errors") or []]
    return labels


def flow_transitions(name: str, content: dict[str, Any]) -> set[Transition]:
    return {(name, a["Identifier"], label) for a in content.get("Actions", []) for label in action_transitions(a)}


def all_transitions(flows: dict[str, Any]) -> set[Transition]:
    """Every transition of every rendered flow (``{name: RenderedFlow}``)."""
    out: set[Transition] = set()
    for name, flow in flows.items():
        out |= flow_transitions(name, flow.content)
    return out


def missing(flows: dict[str, Any], taken: Iterable[Transition]) -> list[Transition]:
    return sorted(all_transitions(flows) - set(taken))


def injectable(transition: Transition) -> str | None:
    """The error type to inject to take this transition, if it is an error branch."""
    label = transition[2]
    return label.split(":", 1)[1] if label.startswith("Error:") else None
