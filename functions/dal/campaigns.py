"""DynamoDB operations of the outbound needs-survey campaign (run_survey_campaign, survey_consent).

One function per request shape; each says how many requests it makes.  Every state change of a
CampaignContact is ONE conditional UpdateItem on the state (and, for the runner, the attempt it
read), so the runner and survey_consent never overwrite each other's decision.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from functions.dal.models import CampaignContact, SurveyCampaign, SurveyOptOut
from functions.dal.repository import error_code, live, prepare

RUNNER = "#runner"
CONDITION_FAILED = "ConditionalCheckFailedException"


def _conditional(item: Any, actions: list, condition: Any) -> bool:
    """1 UpdateItem; False when the condition failed."""
    prepare()
    try:
        item.update(actions=actions, condition=condition)
    except Exception as exc:
        if error_code(exc) == CONDITION_FAILED:
            return False
        raise
    return True


# --- the runner item: lease and token bucket ----------------------------------------------------


def take_lease(owner: str, now: float, seconds: int) -> SurveyCampaign | None:
    """1 UpdateItem: hold the runner lease until ``now + seconds`` unless another runner holds an
    unexpired one; returns the runner item (ALL_NEW: the token bucket) or None (busy)."""
    runner = SurveyCampaign(RUNNER)
    condition = SurveyCampaign.lease_until.does_not_exist() | (SurveyCampaign.lease_until < now)
    actions = [SurveyCampaign.lease_until.set(now + seconds), SurveyCampaign.lease_owner.set(owner)]
    return runner if _conditional(runner, actions, condition) else None


def release_lease(owner: str) -> bool:
    """1 UpdateItem: give the lease back (only if still ours)."""
    runner = SurveyCampaign(RUNNER)
    return _conditional(runner, [SurveyCampaign.lease_until.remove()], SurveyCampaign.lease_owner == owner)


def save_bucket(owner: str, now: float, tokens: float) -> bool:
    """1 UpdateItem: the token bucket after taking a token, only while we hold the lease."""
    condition = (SurveyCampaign.lease_owner == owner) & (SurveyCampaign.lease_until > now)
    actions = [SurveyCampaign.bucket_tokens.set(tokens), SurveyCampaign.bucket_at.set(now)]
    return _conditional(SurveyCampaign(RUNNER), actions, condition)


def campaigns() -> list[SurveyCampaign]:
    """Scan (a handful of items): every campaign that is active or paused."""
    prepare()
    return [c for c in SurveyCampaign.scan() if c.campaign_id != RUNNER and c.status in ("active", "paused")]


def campaign_status(campaign_id: str) -> str | None:
    """1 GetItem (consistent): the campaign's status now (None: gone)."""
    prepare()
    try:
        found = SurveyCampaign.get(campaign_id, consistent_read=True, attributes_to_get=["status"])
    except SurveyCampaign.DoesNotExist:
        return None
    return found.status


def set_campaign_status(campaign_id: str, status: str, expected: str) -> bool:
    """1 UpdateItem: the campaign's status, if it is still ``expected``."""
    campaign = SurveyCampaign(campaign_id)
    return _conditional(campaign, [SurveyCampaign.status.set(status)], SurveyCampaign.status == expected)


# --- contacts -----------------------------------------------------------------------------------


def queue(campaign_id: str, state: str, due_before: str | None = None, limit: int = 200) -> list[CampaignContact]:
    """1+ Query of the "by-state" index: at most ``limit`` live contacts of ``campaign_id`` in
    ``state``, oldest due first (expired items not yet deleted by TTL never use up the limit)."""
    found = []
    for contact in due(campaign_id, state, due_before, page_size=limit):
        found.append(contact)
        if len(found) >= limit:
            break
    return found


def due(campaign_id: str, state: str, due_before: str | None = None, page_size: int = 50) -> Iterator[CampaignContact]:
    """Queries of the "by-state" index, one page of ``page_size`` at a time as the caller reads
    on: every live contact of ``campaign_id`` in ``state`` (due by ``due_before``), oldest first."""
    prepare()
    condition = CampaignContact.due_at <= due_before if due_before else None
    key = f"{campaign_id}#{state}"
    for contact in CampaignContact.by_state.query(key, range_key_condition=condition, page_size=page_size):
        if live(contact) is not None:
            yield contact


def get_contact(campaign_id: str, contact_key: str) -> CampaignContact | None:
    """1 GetItem (consistent)."""
    prepare()
    try:
        return live(CampaignContact.get(campaign_id, contact_key, consistent_read=True))
    except CampaignContact.DoesNotExist:
        return None


def _transition(
    contact: CampaignContact, states: tuple[str, ...], actions: list, attempts: int | None = None, also: Any = None
) -> bool:
    """1 UpdateItem: apply ``actions`` if the contact is still in one of ``states`` (and at
    ``attempts``, when given, and ``also`` holds); False when someone else moved it first."""
    condition = CampaignContact.state.is_in(*states)
    if attempts is not None:
        condition = condition & (CampaignContact.attempts == attempts)
    if also is not None:
        condition = condition & also
    return _conditional(contact, actions, condition)


def _queued(campaign_id: str, state: str, due: str, at: datetime) -> list:
    c = CampaignContact
    return [c.state.set(state), c.queue.set(f"{campaign_id}#{state}"), c.due_at.set(due), c.updated_at.set(at)]


def finish(
    contact: CampaignContact,
    states: tuple[str, ...],
    state: str,
    at: datetime,
    expires_at: datetime,
    attempts: int | None = None,
) -> bool:
    """1 UpdateItem: a final ``state`` - the number, the queue and the due time removed, the item
    kept until ``expires_at`` - if the contact is still in one of ``states`` (at ``attempts``)."""
    c = CampaignContact
    actions = [
        c.state.set(state),
        c.phone.remove(),
        c.queue.remove(),
        c.due_at.remove(),
        c.updated_at.set(at),
        c.expires_at.set(expires_at),
    ]
    return _transition(contact, states, actions, attempts)


def requeue(
    contact: CampaignContact,
    states: tuple[str, ...],
    state: str,
    due: str,
    at: datetime,
    attempts: int | None = None,
) -> bool:
    """1 UpdateItem: back in the ``state`` queue, due at ``due`` (ISO-8601 UTC), if the contact is
    still in one of ``states`` (at ``attempts``)."""
    return _transition(contact, states, _queued(contact.campaign_id, state, due, at), attempts)


def mark_dialing(contact: CampaignContact, from_state: str, attempt: int, at: datetime, due: str) -> bool:
    """1 UpdateItem (write-ahead of a call): ``dialing`` as attempt ``attempt``, dialled at ``at``
    (``due``: the same time as text), the last attempt's ContactId removed; only if the contact is
    still in ``from_state`` at the attempts read."""
    c = CampaignContact
    actions = [
        *_queued(contact.campaign_id, "dialing", due, at),
        c.attempts.set(attempt),
        c.dialled_at.set(at),
        c.contact_id.remove(),
    ]
    return _transition(contact, (from_state,), actions, attempts=int(contact.attempts))


def store_call(contact: CampaignContact, contact_id: str, attempt: int) -> bool:
    """1 UpdateItem: the call's ContactId, also appended to ``contact_ids`` (erasure finds every
    call), if the contact is still ``dialing`` attempt ``attempt`` without one."""
    c = CampaignContact
    stored = [c.contact_id.set(contact_id), c.contact_ids.set((c.contact_ids | []).append([contact_id]))]
    return _transition(contact, ("dialing",), stored, attempts=attempt, also=c.contact_id.does_not_exist())


def is_opted_out(pseudonym: str) -> bool:
    """1 GetItem (consistent)."""
    prepare()
    try:
        SurveyOptOut.get(pseudonym, consistent_read=True, attributes_to_get=["pseudonym"])
    except SurveyOptOut.DoesNotExist:
        return False
    return True


def put_opt_out(pseudonym: str, source: str, now: datetime) -> bool:
    """1 conditional PutItem: the first opt-out stays (its source and time); False if present."""
    prepare()
    try:
        SurveyOptOut(pseudonym, source=source, opted_out_at=now).save(condition=SurveyOptOut.pseudonym.does_not_exist())
    except Exception as exc:
        if error_code(exc) == CONDITION_FAILED:
            return False
        raise
    return True
