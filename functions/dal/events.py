"""Amazon EventBridge as the functions use it: publishing the outbox's notifications.
https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html
"""

from __future__ import annotations

from functions.dal import clients


def publish(bus: str, notifications: list[tuple[str, str, str]]) -> list[bool]:
    """1 events:PutEvents of (source, detail type, detail) entries (at most 10) on ``bus``: per entry
    EventBridge answered for, in order, whether it was accepted (an ``EventId``, no ``ErrorCode``).
    A failed request raises."""
    entries = [
        {"Source": source, "DetailType": detail_type, "Detail": detail, "EventBusName": bus}
        for source, detail_type, detail in notifications
    ]
    results = clients.client("events").put_events(Entries=entries).get("Entries", [])
    return [not result.get("ErrorCode") and bool(result.get("EventId")) for result in results]
