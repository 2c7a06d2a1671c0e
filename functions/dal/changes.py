"""What the functions' writes change, named by what they do: every update and condition
expression of a transaction item lives here (the logic composes these and builds none).

- :class:`CaseUpdate` - the change one guide operation makes to a case, appended together with its
  chain records by :func:`functions.dal.repository.append_case_records` (which adds the move of
  the chain head and its conditions);
- :func:`put_new` and the ``*_slot`` / :func:`close_referral` / :func:`block_caller` items - the
  other items of the same TransactWriteItems (``puts`` and ``updates``), in the order given.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from functions.dal.models import OPEN_STATUSES, Caller, Case, PartnerLoad, Referral

Put = tuple[Any, Any, str | None]  # (item, condition, return values) of a transaction
Update = tuple[Any, list, Any, str | None]  # (item, actions, condition, return values)


@dataclass(frozen=True)
class CaseUpdate:
    """The update actions of one change to a case, and the condition it adds (None: none)."""

    actions: list = field(default_factory=list)
    condition: Any = None


def referred(contact_id: str, needs: list[str], partner_ids: list[str], urgent: bool) -> CaseUpdate:
    """route_referral: the needs, consent, the partners (appended) and this contact's referral set;
    status ``referred``, priority raised to urgent for an urgent need.  Condition: the case is
    still open and this contact has referred nothing yet."""
    actions = [
        Case.needs_codes.set(needs),
        Case.consent.set(True),
        Case.partner_ids.set(Case.partner_ids.append(partner_ids)),
        Case.referral_sets[contact_id].set(",".join(partner_ids)),
        Case.status.set("referred"),
    ]
    if urgent:
        actions.append(Case.priority.set("urgent"))
    condition = Case.status.is_in(*OPEN_STATUSES) & Case.referral_sets[contact_id].does_not_exist()
    return CaseUpdate(actions, condition)


def outcome_recorded(outcome: str, follow_up: bool, callback_requested: bool, status: str) -> CaseUpdate:
    """record_outcome: the outcome, the follow-up and callback flags and the case's status."""
    return CaseUpdate(
        [
            Case.outcome.set(outcome),
            Case.follow_up.set(follow_up),
            Case.callback_requested.set(callback_requested),
            Case.status.set(status),
        ]
    )


def screened(needs: list[str], region: str, consent: bool, urgent: bool, note: str) -> CaseUpdate:
    """save_screening: needs, region, consent; priority raised to urgent (never lowered); the note
    when there is one (stored on the case only)."""
    actions = [Case.needs_codes.set(needs), Case.region.set(region), Case.consent.set(consent)]
    if urgent:
        actions.append(Case.priority.set("urgent"))
    if note:
        actions.append(Case.note.set(note))
    return CaseUpdate(actions)


def classified(call_type: str) -> CaseUpdate:
    """classify_call: the case's last call type."""
    return CaseUpdate([Case.call_type.set(call_type)])


def put_new(item: Any) -> Put:
    """Put ``item`` unless an item with its key exists (a replay writes nothing)."""
    hash_key = next(a for a in type(item).get_attributes().values() if a.is_hash_key)
    return (item, hash_key.does_not_exist(), None)


def take_referral_slot(partner_id: str, capacity: int) -> Update:
    """One more open referral of the partner, only while it has fewer than ``capacity``."""
    load = PartnerLoad.open_referrals
    return (PartnerLoad(partner_id), [load.add(1)], load.does_not_exist() | (load < capacity), None)


def free_referral_slot(partner_id: str) -> Update:
    """One open referral fewer (never below zero): a closed referral gives capacity back."""
    load = PartnerLoad.open_referrals
    return (PartnerLoad(partner_id), [load.add(-1)], load > 0, None)


def close_referral(case_id: str, referral_id: str, at: datetime) -> Update:
    """A pending referral closed (condition: still pending)."""
    return (
        Referral(case_id, referral_id),
        [Referral.status.set("closed"), Referral.updated_at.set(at)],
        Referral.status == "pending",
        None,
    )


def block_caller(caller_id: str, until: datetime) -> Update:
    """The caller is blocked until ``until`` (identify_caller answers blocked=true till then)."""
    return (Caller(caller_id), [Caller.blocked_until.set(until)], None, None)
