"""record_contact_event: append Amazon Connect contact events to the contact's interaction chain.

Recorded event types: INITIATED, QUEUED, CONNECTED_TO_AGENT, DISCONNECTED.  Every other type
(e.g. CONNECTED_TO_SYSTEM, CONTACT_DATA_UPDATED, COMPLETED, AMD_*) is ignored explicitly: no
write, ``status=ignored``, metric ``Status_ignored``. A recorded DISCONNECTED event of a
contact that was queued and never connected to an agent also counts ``CallAbandonedInQueue``.

Chain: ``contact#<ContactId>`` (the event carries no case id; create_case's records live in the
case chain and reference the contact id).  All records of a contact chain share the
``expires_at`` fixed by its first record (``RETENTION_DAYS_INTERACTIONS`` after the first event).

Idempotent on the EventBridge event ``id``: one TransactWriteItems puts a marker
``event#<id>`` (Idempotency table, attribute_not_exists) together with the chain record
(attribute_not_exists on (chain_id, seq)).  A duplicate delivery fails the marker's condition
and writes nothing.  A concurrent append to the same chain fails the record's condition; the
head is re-read and the append retried (at most ``MAX_ATTEMPTS``).  Requests: 1 Query + 1
TransactWriteItems per attempt.

Failure semantics differ from the flow handlers on purpose: this function is invoked
asynchronously by EventBridge, so a malformed event is dropped (logged, metric
``MalformedEvent``) while a backend failure RAISES so that Lambda retries and the
on-failure destination / DLQ keep the event.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from functions.dal import repository
from functions.dal.models import IdempotencyMarker, Interaction
from functions.logic.chain import GENESIS, compute_hash
from functions.logic.common import expiry, iso, utcnow
from functions.models.lean import RECORDED_EVENT_TYPES
from functions.settings import get_settings

if TYPE_CHECKING:
    from functions.models.contact_event import ContactEvent

MAX_ATTEMPTS = 3
ABANDONED_METRIC = "CallAbandonedInQueue"  # a DISCONNECTED event with queue info and no agent


def _arn_id(arn: str | None) -> str:
    return arn.rsplit("/", 1)[-1] if arn else ""


def _payload(event: ContactEvent) -> dict[str, str]:
    d = event.detail
    payload = {
        "event_type": d.eventType,
        "channel": d.channel or "",
        "initiation_method": d.initiationMethod or "",
        "initial_contact_id": d.initialContactId or "",
        "previous_contact_id": d.previousContactId or "",
    }
    if d.initiationTimestamp:
        payload["initiation_timestamp"] = iso(d.initiationTimestamp)
    if d.queueInfo is not None:
        payload["queue_id"] = _arn_id(d.queueInfo.queueArn)
        payload["queue_type"] = d.queueInfo.queueType or ""
        if d.queueInfo.enqueueTimestamp:
            payload["enqueue_timestamp"] = iso(d.queueInfo.enqueueTimestamp)
    if d.agentInfo is not None:
        payload["agent_id"] = _arn_id(d.agentInfo.agentArn)
        if d.agentInfo.connectedToAgentTimestamp:
            payload["connected_to_agent_timestamp"] = iso(d.agentInfo.connectedToAgentTimestamp)
    if d.disconnectTimestamp:
        payload["disconnect_timestamp"] = iso(d.disconnectTimestamp)
    if d.disconnectReason:
        payload["disconnect_reason"] = d.disconnectReason[:64]
    return payload


def run(event: ContactEvent) -> dict[str, str]:
    detail = event.detail
    if detail.eventType not in RECORDED_EVENT_TYPES:
        return {"status": "ignored", "event_type": detail.eventType}
    settings = get_settings()
    chain_id = f"contact#{detail.contactId}"
    now = utcnow()
    marker = IdempotencyMarker(
        idempotency_key=f"event#{event.id}",
        kind="contact_event",
        created_at=now,
        expires_at=now + timedelta(hours=settings.idempotency_ttl_hours),
    )
    payload = _payload(event)
    for _attempt in range(MAX_ATTEMPTS):
        head = repository.chain_head(chain_id)
        if head is None:
            seq, prev_hash = 1, GENESIS
            expires_at = expiry(event.time, settings.retention_days_interactions)
        else:
            seq, prev_hash, expires_at = int(head.seq) + 1, head.record_hash, head.expires_at
        record = Interaction(
            chain_id=chain_id,
            seq=seq,
            record_type=f"contact_{detail.eventType.lower()}",
            contact_id=detail.contactId,
            case_id=None,
            event_id=event.id,
            actor="amazon_connect",
            occurred_at=iso(event.time),
            recorded_at=iso(utcnow()),
            payload=payload,
            prev_hash=prev_hash,
            record_hash="",
            expires_at=expires_at,
        )
        record.record_hash = compute_hash(record)
        outcome = repository.append_with_marker(marker, record)
        if outcome == "committed":
            if detail.eventType == "DISCONNECTED" and detail.queueInfo is not None and detail.agentInfo is None:
                from functions.observability import count

                count(ABANDONED_METRIC)  # queued, never answered: the dashboard's abandoned calls
            return {"status": "ok", "chain_id": chain_id, "seq": str(seq)}
        if outcome == "duplicate":
            return {"status": "duplicate"}
    raise RuntimeError("could not append to the contact chain after retries")
