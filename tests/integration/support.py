"""Helpers for the backend integration tests: events from JSON fixtures, shared constants."""

from __future__ import annotations

import copy
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

EVENTS = ROOT / "tests" / "fixtures" / "events"
PHONE = "+48601234567"
CONTACT_EVENT_FIXTURES = (
    "contact_event_initiated",
    "contact_event_queued",
    "contact_event_connected_to_agent",
    "contact_event_disconnected",
)


def load_event(name: str) -> dict:
    return json.loads((EVENTS / f"{name}.json").read_text())


def partners() -> list[dict]:
    return load_event("partners_pl")


def with_params(event: dict, **params: str) -> dict:
    event = copy.deepcopy(event)
    event["Details"]["Parameters"].update(params)
    return event


def with_contact(event: dict, contact_id: str) -> dict:
    event = copy.deepcopy(event)
    event["Details"]["ContactData"]["ContactId"] = contact_id
    return event


GUIDE_CONTACT = "5ca32fbd-8f92-46af-92a5-6b0f970f0efe"


def guide_event(contact_id: str = GUIDE_CONTACT, **params: str) -> dict:
    """An Amazon Connect Lambda event of the operators' guide with exactly ``params``."""
    event = load_event("route_referral")
    event["Details"]["Parameters"] = dict(params)
    event["Details"]["ContactData"]["ContactId"] = contact_id
    return event
