"""deliver_outbox: publish the outbox's notifications to EventBridge until each is acknowledged.

Triggers (functions.permissions): the Outbox table's DynamoDB stream (NEW_IMAGE; INSERT records
of pending messages) and a schedule every ``REDRIVE_MINUTES`` minutes that re-drives pending
messages older than ``REDRIVE_MINUTES`` (a stream batch that failed past its retries, a lease
that ran out).  Stream event shape:
https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html ; scheduled event:
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-run-lambda-schedule.html .

Per message: 1 UpdateItem claims it (condition: still pending and not leased: ``claimed_until``
absent or past; lease ``LEASE_SECONDS``), then PutEvents (up to 10 entries per request), then
1 UpdateItem marks it delivered (condition: still holding the same lease) and removes it from
the sparse ``pending`` index.  An entry EventBridge rejects (``ErrorCode`` in the answer,
https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html) or a failed
request gives the lease back and the function RAISES after the batch, so the stream retries
it; delivered messages are skipped on the retry (their claim fails).  A message is therefore
never lost, and published more than once in two cases: the PutEvents answer is lost after
EventBridge accepted the entries (no acknowledgement: the lease is given back and the retry
publishes again), or the mark after a successful PutEvents fails (the re-drive publishes again
once the lease has run out).  Consumers de-duplicate on ``referral_id`` (the same in every
delivery; EventBridge's event id is not): docs/partners.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from functions.dal import events, repository
from functions.dal.models import OutboxMessage
from functions.errors import BackendUnavailable
from functions.logic.common import iso, utcnow
from functions.settings import get_settings

LEASE_SECONDS = 60
REDRIVE_MINUTES = 5
REDRIVE_LIMIT = 100


class DeliveryFailed(BackendUnavailable):
    """Some messages were not acknowledged; raised so that the stream / schedule retries them."""


@dataclass(frozen=True)
class OutboxEvent:
    message_ids: list[str]
    scheduled: bool


def parse_outbox_event(event: Any) -> OutboxEvent:
    """A DynamoDB stream batch (INSERT of pending messages) or an EventBridge scheduled event."""
    if not isinstance(event, dict):
        raise ValueError("event must be an object")
    if "Records" in event:
        ids = []
        for record in event["Records"]:
            if record.get("eventName") != "INSERT":
                continue  # our own claims and marks (MODIFY) are not new messages
            image = record["dynamodb"].get("NewImage") or {}
            if image.get("status", {}).get("S") == "pending":
                ids.append(record["dynamodb"]["Keys"]["message_id"]["S"])
        return OutboxEvent(ids, scheduled=False)
    if event.get("detail-type") == "Scheduled Event":
        return OutboxEvent([], scheduled=True)
    raise ValueError("neither a DynamoDB stream batch nor a scheduled event")


def run(event: OutboxEvent) -> dict[str, str]:
    ids = event.message_ids
    if event.scheduled:
        before = iso(utcnow() - timedelta(minutes=REDRIVE_MINUTES))
        ids = [m.message_id for m in repository.pending_messages(before, REDRIVE_LIMIT)]
    now_epoch = int(utcnow().timestamp())
    claimed: list[tuple[OutboxMessage, int]] = []
    for message_id in dict.fromkeys(ids):
        message = repository.claim_message(message_id, now_epoch, LEASE_SECONDS)
        if message is not None:
            claimed.append((message, int(message.claimed_until)))
    delivered, failed = 0, 0
    for start in range(0, len(claimed), 10):
        ok, bad = _publish(claimed[start : start + 10])
        delivered += ok
        failed += bad
    from functions.observability import count

    count("OutboxDelivered", delivered)
    if failed:
        count("OutboxDeliveryFailed", failed)
        raise DeliveryFailed(f"{failed} notification(s) not acknowledged")
    return {"status": "ok", "delivered": str(delivered), "skipped": str(len(ids) - len(claimed))}


def _publish(batch: list[tuple[OutboxMessage, int]]) -> tuple[int, int]:
    bus = get_settings().event_bus_name
    try:
        if not bus:
            raise DeliveryFailed("EVENT_BUS_NAME not set")
        accepted = events.publish(bus, [(m.source, m.detail_type, m.detail) for m, _ in batch])
    except Exception as exc:  # noqa: BLE001 - give the leases back, then report
        from functions.errors import backend_error_code
        from functions.observability import logger

        logger.error("notification publish failed", extra={"error": backend_error_code(exc)})
        accepted = [False] * len(batch)
    ok = 0
    delivered_at = iso(utcnow())
    for (message, lease), acknowledged in zip(batch, accepted, strict=False):
        if not acknowledged:
            repository.release_message(message.message_id, lease)
            continue
        repository.mark_delivered(message.message_id, lease, delivered_at)
        ok += 1
    return ok, len(batch) - ok
