"""Records of the guide's operator actions in the contact's chain (``contact#<ContactId>``).

The contact chain is the one record_contact_event appends Amazon Connect's contact events to; its
records share the ``expires_at`` of its first record.  An operator action is appended after the
head (1 Query, newest first, Limit 1) together with an idempotency marker ``op#<key>`` (same
key as the case chain's ``op_seqs``), so a replay writes nothing.
"""

from __future__ import annotations

from datetime import timedelta

from functions.dal import repository
from functions.dal.models import IdempotencyMarker, Interaction
from functions.logic.chain import GENESIS, compute_hash, with_voice
from functions.logic.common import expiry, iso, utcnow
from functions.settings import get_settings


def next_record(
    contact_id: str, record_type: str, payload: dict[str, str], actor: str, voice_contact_id: str | None = None
) -> Interaction:
    """The record after the contact chain's current head (1 Query); ``voice_contact_id`` (the
    guide contact's RelatedContactId) goes into the payload when given."""
    chain_id = f"contact#{contact_id}"
    head = repository.chain_head(chain_id)
    now = utcnow()
    record = Interaction(
        chain_id=chain_id,
        seq=int(head.seq) + 1 if head is not None else 1,
        record_type=record_type,
        contact_id=contact_id,
        case_id=payload.get("case_id") or None,
        event_id=None,
        actor=actor,
        occurred_at=iso(now),
        recorded_at=iso(now),
        payload=with_voice(payload, voice_contact_id),
        prev_hash=head.record_hash if head is not None else GENESIS,
        record_hash="",
        expires_at=(
            head.expires_at
            if head is not None and head.expires_at is not None
            else expiry(now, get_settings().retention_days_interactions)
        ),
    )
    record.record_hash = compute_hash(record)
    return record


def marker(key: str, kind: str) -> IdempotencyMarker:
    now = utcnow()
    return IdempotencyMarker(
        idempotency_key=f"op#{key}",
        kind=kind,
        created_at=now,
        expires_at=now + timedelta(hours=get_settings().idempotency_ttl_hours),
    )
