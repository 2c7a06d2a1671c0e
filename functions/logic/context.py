"""get_caller_context: what the operator's guide shows first (read only).

The guide runs as its own chat contact, which carries only what the docs promise: the call's
ContactId as ``RelatedContactId`` (functions.logic.voice_call). The caller and the call's case
come from the call's ContactLinks item; the IVR's path (language, its display name, topic,
priority, callback, returning) from the call's contact attributes (GetContactAttributes).
Parameters (direct invocations without a related call only): caller_id, case_id, language,
topic, priority, callback.

Answer: ``status``, ``language``, ``language_name``, ``topic``, ``priority``, ``callback``,
``returning``, ``case_id`` ("" if none), ``case_status``, ``case_priority``, ``needs_codes``
(comma list), ``consent``, ``last_interactions`` (up to 5, newest first, "YYYY-MM-DD
record_type; ..."), ``blocked``, ``blocked_until`` (ISO-8601 or "").  The case is the call's,
else the caller's open case.  Expired items are absent.  The guide keeps the answer in flow
attributes (never contact attributes: docs/audit.md).

Requests: [a related call: 1 GetItem (ContactLinks) + 1 connect:GetContactAttributes] + at most
1 GetItem (Callers) + 1 GetItem (Cases) + 1 Query (Interactions, the case chain newest first,
Limit 5); no write.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from functions.dal import repository
from functions.logic import voice_call
from functions.logic.common import iso, parse_params, utcnow
from functions.models.lean import OPTIONAL_CALLER, OPTIONAL_CASE, OPTIONAL_LANGUAGE, SLUG, Field, Spec, empty_to_none

if TYPE_CHECKING:
    from functions.models.connect import ContactFlowEvent

LAST_INTERACTIONS = 5
# caller_id / case_id may be "" or "none"; the rest is echoed by the guide (direct invocations only).
PARAMS = Spec(
    "CallerContextParams",
    [
        OPTIONAL_CALLER,
        OPTIONAL_CASE,
        OPTIONAL_LANGUAGE,
        Field("topic", "opt_str", None, pattern=SLUG, before=empty_to_none),
        Field("priority", "opt_str", None, before=empty_to_none),
        Field("callback", "opt_str", None, before=empty_to_none),
    ],
)
DEFAULTS = {
    "status": "ok",
    "language": "",
    "language_name": "",
    "topic": "",
    "priority": "",
    "callback": "",
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
    params = parse_params(PARAMS, event.parameters)
    now = utcnow()
    answer = dict(DEFAULTS)
    voice = event.related_contact_id
    link = voice_call.link(voice)
    caller_id = link.caller_id if link is not None else None if voice else params.caller_id
    answer.update(_path(params, voice))
    caller = repository.get_caller(caller_id) if caller_id else None
    if caller is not None:
        answer["returning"] = "true" if caller.first_contact_id not in (None, voice or event.contact_id) else "false"
        if caller.blocked_until is not None and caller.blocked_until > now:
            answer["blocked"] = "true"
            answer["blocked_until"] = iso(caller.blocked_until)
    linked_case = link.case_id if link is not None else None
    case_id = linked_case or params.case_id or (caller.open_case_id if caller is not None else None)
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


def _path(params, voice: str | None) -> dict[str, str]:
    """The call's IVR path: its contact attributes; the parameters without a related call."""
    if voice:
        return voice_call.path_of(voice)
    given = {"language": params.language, "topic": params.topic, "priority": params.priority}
    return {k: v for k, v in {**given, "callback": params.callback}.items() if v}
