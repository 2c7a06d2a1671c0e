"""Appending to a case's record chain (``case#<case_id>``): every change to a case is one or more
chain records written in ONE TransactWriteItems with the case update that moves the chain head.

The case update is conditioned on the head it read (``chain_seq`` / ``chain_head``) and on the
operation's idempotency key (``op_seqs.<key>``) not existing, so two writers cannot fork the chain
and a replay of the same contact's operation writes nothing.  A moved head cancels the
transaction; the case is read again and the change re-planned (at most ``MAX_ATTEMPTS``
attempts, then ``backend_unavailable``).  Requests per attempt: 1 GetItem (Cases, consistent) +
1 TransactWriteItems, plus whatever the plan reads.

Chain payloads hold ids and codes only: never free text (the screening note), never a phone
number or pseudonym.  A record appended from the guide's chat contact carries ``voice_contact_id``
(the event's ``RelatedContactId``: the call's ContactId, which names its recording and contact
record); without one the key is not written.  Records carry the case's ``expires_at``: the chain expires with its case.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from functions.dal import repository
from functions.dal.changes import CaseUpdate, Put, Update
from functions.dal.models import Case, Interaction
from functions.errors import BackendUnavailable, CaseNotFound
from functions.logic.chain import compute_hash, with_voice
from functions.logic.common import iso, sha256_hex, utcnow

MAX_ATTEMPTS = 3


@dataclass
class Plan:
    """What one change writes: chain records, the case's update, extra transaction items (all
    from functions.dal.changes), the answer."""

    records: list[tuple[str, dict[str, str]]]  # (record_type, payload)
    answer: dict[str, str]
    update: CaseUpdate = field(default_factory=CaseUpdate)  # with its condition, ANDed to the head's
    puts: list[Put] = field(default_factory=list)
    updates: list[Update] = field(default_factory=list)
    actor: str = "operator"
    voice_contact_id: str | None = None  # the guide's related voice contact, in every record's payload
    # called when an extra item's condition failed: an answer, or None to read again and re-plan
    on_failed: Callable[[Any], dict[str, str] | None] | None = None


def op_key(operation: str, contact_id: str, params: dict[str, Any]) -> str:
    """``<operation>:<ContactId>:<digest>``: same contact and parameters -> same key (a replay)."""
    digest = sha256_hex(json.dumps({"c": contact_id, "p": params}, sort_keys=True, default=str))[:12]
    return f"{operation}:{contact_id}:{digest}"


def map_keys(value: Any) -> set[str]:
    return set(value.as_dict() if hasattr(value, "as_dict") else value or {})


def build_records(
    case: Case,
    contact_id: str,
    entries: list[tuple[str, dict[str, str]]],
    actor: str,
    voice_contact_id: str | None = None,
) -> list[Interaction]:
    """The next records of the case's chain (seq head+1, ...), linked and hashed."""
    now = iso(utcnow())
    seq = int(case.chain_seq or 0)
    prev = case.chain_head
    out = []
    for record_type, payload in entries:
        seq += 1
        record = Interaction(
            chain_id=f"case#{case.case_id}",
            seq=seq,
            record_type=record_type,
            contact_id=contact_id,
            case_id=case.case_id,
            event_id=None,
            actor=actor,
            occurred_at=now,
            recorded_at=now,
            payload={k: str(v) for k, v in with_voice(payload, voice_contact_id).items()},
            prev_hash=prev,
            record_hash="",
            expires_at=case.expires_at,
        )
        record.record_hash = compute_hash(record)
        prev = record.record_hash
        out.append(record)
    return out


def change_case(
    case_id: str,
    contact_id: str,
    key: str,
    plan_for: Callable[[Case], Plan | dict[str, str]],
    replay: Callable[[Case], dict[str, str]],
) -> dict[str, str]:
    """Read the case, plan the change, append it; a replay answers ``replay(case)``.

    ``plan_for`` may answer a plain dict instead of a Plan: nothing to write.
    """
    for _ in range(MAX_ATTEMPTS):
        case = repository.get_case(case_id)
        if case is None:
            raise CaseNotFound()
        if key in map_keys(case.op_seqs):
            return replay(case)
        plan = plan_for(case)
        if isinstance(plan, dict):
            return plan
        answer = commit(case, contact_id, key, plan)
        if answer is not None:
            return answer
    from functions.observability import count

    count("CaseChainConflict")
    raise BackendUnavailable("concurrent changes to the case; retries exhausted")


def commit(case: Case, contact_id: str, key: str, plan: Plan) -> dict[str, str] | None:
    records = build_records(case, contact_id, plan.records, plan.actor, plan.voice_contact_id)
    outcome, detail = repository.append_case_records(records, case, key, plan.update, utcnow(), plan.puts, plan.updates)
    if outcome == "appended":
        return plan.answer
    if outcome == "case_changed" and not detail:
        raise CaseNotFound()
    if outcome == "failed" and plan.on_failed is not None:
        return plan.on_failed(detail)
    return None  # head moved, a conflict or a replay raced: read again
