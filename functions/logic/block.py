"""block_caller: a supervisor blocks a caller for N hours (abusive or prank calls).

Parameters: hours (1-720), agent_arn (``$.Agent.ARN``); the caller is the call's, looked up
through the guide contact's ``RelatedContactId`` (functions.logic.voice_call, 1 GetItem on
ContactLinks; a caller_id parameter only for a direct invocation without a related call). A call
without an identified caller answers ``status=no_caller`` and writes nothing.  The agent must
have the supervisor security profile, checked server-side with connect:DescribeUser
(functions.logic.supervisors); otherwise ``status=forbidden`` and nothing is written.

Writes ONE TransactWriteItems: the caller's ``blocked_until`` (now + hours; identify_caller
answers blocked=true until then), a ``caller_blocked`` record (payload: hours, blocked_until,
agent_id - the Connect user id, never the caller's pseudonym) in the contact chain with an
idempotency marker and, when the caller has an open case, the same record in the case chain.

Answer: ``status`` (ok | forbidden), ``blocked_until``.  Idempotent per contact and parameters.

Requests: 1 connect:DescribeUser + 1 GetItem (Callers) + [open case: 1 GetItem (Cases)] +
1 Query (contact chain head) + 1 TransactWriteItems; per race, the DynamoDB part again.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from functions.dal import changes, repository
from functions.dal.models import OPEN_STATUSES, Caller
from functions.errors import BackendUnavailable
from functions.logic import case_chain, contact_chain, supervisors, voice_call
from functions.logic.common import iso, parse_params, utcnow
from functions.models.lean import AGENT_ARN, OPTIONAL_CALLER, Field, Spec

if TYPE_CHECKING:
    from functions.models.connect import ContactFlowEvent

DEFAULTS = {"status": "ok", "blocked_until": ""}
# caller_id: only without a related call (the guide's caller is looked up by contact id);
# agent_arn: arn:aws:connect:<region>:<account>:instance/<instance-id>/agent/<user-id> ($.Agent.ARN)
PARAMS = Spec(
    "BlockCallerParams",
    [OPTIONAL_CALLER, Field("hours", "int", ge=1, le=720), Field("agent_arn", pattern=AGENT_ARN)],
)


def run(event: ContactFlowEvent) -> dict[str, str]:
    params = parse_params(PARAMS, event.parameters)
    if not supervisors.is_supervisor(params.agent_arn):
        from functions.observability import count, logger

        logger.warning("block refused: not a supervisor")
        count("BlockForbidden")
        return {"status": "forbidden", "blocked_until": ""}
    contact_id = event.contact_id
    voice = event.related_contact_id
    caller_id = voice_call.caller_of(voice, params.caller_id)
    if caller_id is None:
        return {"status": "no_caller", "blocked_until": ""}
    key = case_chain.op_key("block", contact_id, {**params.model_dump(), "caller_id": caller_id})
    until = (utcnow() + timedelta(hours=params.hours)).replace(microsecond=0)
    payload = {
        "hours": str(params.hours),
        "blocked_until": iso(until),
        "agent_id": supervisors.agent_user_id(params.agent_arn),
    }
    caller_update = changes.block_caller(caller_id, until)
    for _ in range(case_chain.MAX_ATTEMPTS):
        caller = repository.get_caller(caller_id, consistent=True)
        pointer = caller.open_case_id if caller is not None else None
        case = repository.get_case(pointer) if pointer else None
        if case is not None and case.status not in OPEN_STATUSES:
            case = None
        record = contact_chain.next_record(
            contact_id, "caller_blocked", {**payload, "case_id": case.case_id if case else ""}, "operator", voice
        )
        marker = contact_chain.marker(key, "block_caller")
        puts = [changes.put_new(marker), changes.put_new(record)]
        answer = {"status": "ok", "blocked_until": iso(until)}
        if case is None:
            result = repository.transact(puts, [caller_update])
            if result.committed or result.failed(0):
                return answer if result.committed else _replayed(caller)
            continue
        if key in case_chain.map_keys(case.op_seqs):
            return _replayed(caller)
        plan = case_chain.Plan(
            records=[("caller_blocked", payload)],
            answer=answer,
            puts=puts,
            updates=[caller_update],
            on_failed=lambda result, caller=caller: _replayed(caller) if result.failed(0) else None,
            voice_contact_id=voice,
        )
        done = case_chain.commit(case, contact_id, key, plan)
        if done is not None:
            return done
    raise BackendUnavailable("concurrent appends; retries exhausted")


def _replayed(caller: Caller | None) -> dict[str, str]:
    until = caller.blocked_until if caller is not None else None
    return {"status": "ok", "blocked_until": iso(until) if until else ""}
