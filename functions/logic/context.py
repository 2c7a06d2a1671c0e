"""get_caller_context: what the operator's guide shows first (read only).

Parameters: caller_id (the pseudonym from identify_caller), case_id (the contact's case, if the
IVR opened or found one); both may be "" or "none".  language, topic, priority and callback are
the IVR's path, accepted (validated) and shown by the guide from the contact's attributes.

Answer: ``status``, ``returning``, ``case_id`` ("" if none), ``case_status``, ``case_priority``,
``needs_codes`` (comma list), ``consent``, ``last_interactions`` (up to 5, newest first,
"YYYY-MM-DD record_type; ..."), ``blocked``, ``blocked_until`` (ISO-8601 or "").  The case is the
given one, else the caller's open case.  Expired items are absent.

DynamoDB requests: at most 1 GetItem (Callers) + 1 GetItem (Cases) + 1 Query (Interactions,
the case chain newest first, Limit 5); no write.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from functions.dal import repository
from functions.logic.common import iso, parse_params, utcnow
from functions.models.lean import CALLER_CONTEXT

if TYPE_CHECKING:
    from functions.models.connect import ContactFlowEvent

LAST_INTERACTIONS = 5
DEFAULTS = {
    "status": "ok",
    "returning": "false",
    "case_id": "",
    "case_status": "",
    "case_priority": "",
    "needs_codes": "",
    "consent": "false",
    "last_interactions": "",
    "blocked": "false",
    "blocked_until": "",
}


def run(event: ContactFlowEvent) -> dict[str, str]:
    params = parse_params(CALLER_CONTEXT, event.parameters)
    now = utcnow()
    answer = dict(DEFAULTS)
    caller = repository.get_caller(params.caller_id) if params.caller_id else None
    if caller is not None:
        answer["returning"] = "true" if caller.first_contact_id not in (None, event.contact_id) else "false"
        if caller.blocked_until is not None and caller.blocked_until > now:
            answer["blocked"] = "true"
            answer["blocked_until"] = iso(caller.blocked_until)
    case_id = params.case_id or (caller.open_case_id if caller is not None else None)
    case = repository.get_case(case_id) if case_id else None
    if case is None:
        return answer
    records = repository.recent_records(f"case#{case.case_id}", LAST_INTERACTIONS)
    answer.update(
        case_id=case.case_id,
        case_status=case.status,
        case_priority=case.priority,
        needs_codes=",".join(case.needs_codes or []),
        consent="true" if case.consent else "false",
        last_interactions="; ".join(f"{r.occurred_at[:10]} {r.record_type}" for r in records),
    )
    return answer
