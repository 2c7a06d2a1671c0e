"""A Lambda's event, parsed: first without pydantic (:mod:`functions.models.lean`, the hot path),
and by the pydantic model when the fast parser cannot vouch for it (a violation or a rare form:
the model raises its usual ``ValidationError``)."""

from __future__ import annotations

from typing import Any

from functions.models.lean import fast_contact_event, fast_flow_event


def parse_flow_event(event: object) -> Any:
    """An Amazon Connect ``ContactFlowEvent`` (:class:`functions.models.connect.ContactFlowEvent`)."""
    fast = fast_flow_event(event)
    if fast is not None:
        return fast
    from functions.models.connect import ContactFlowEvent

    return ContactFlowEvent.model_validate(event)


def parse_contact_event(event: object) -> Any:
    """An EventBridge contact event (:class:`functions.models.contact_event.ContactEvent`)."""
    fast = fast_contact_event(event)
    if fast is not None:
        return fast
    from functions.models.contact_event import ContactEvent

    return ContactEvent.model_validate(event)
