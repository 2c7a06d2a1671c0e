"""save_screening: the operator's vulnerability screening, consent and note; partner suggestions.

Parameters: case_id ("" / "none" when the contact has no case), language, topic,
needs_codes (UNHCR specific-needs codes), region, urgency (normal|urgent), consent (true|false),
note (free text, at most 2000 characters); language "" is the call's (GetContactAttributes through
``RelatedContactId``: the guide may have failed to read it) and is answered as ``language``; caller_id only for a direct invocation without a
related call: the guide's caller is the call's (``RelatedContactId`` -> ContactLinks,
functions.logic.voice_call; 1 GetItem, only when a case must be opened).

Without a case, one is opened first exactly as create_case does for this contact (same
``<CC>-...`` id from the ContactId; joins the caller's open case if there is one) with no needs
and no consent; the screening is then appended.  Records in the case chain, in ONE
TransactWriteItems with the case update: ``screening_saved`` (payload: needs_codes, region,
urgency, consent, note_present) and ``consent_recorded`` (payload: consent) when the consent
differs from the case's.  The case gets the needs, region, consent, priority (raised to urgent
by an urgent screening or need, never lowered) and the note.  The note is stored on the case
item only: never logged, never in a chain payload, not in the answer.

Answer: ``status``, ``case_id``, ``needs_codes``, ``consent``, ``urgent``,
``suggested_partner_ids`` (comma list, best first) and ``suggested_partner_names`` (" | ", same
order): functions.logic.directory.suggest.  Idempotent per contact and parameters: a replay
writes nothing and answers the same.

DynamoDB requests: [opening a case: create_case's budget] + 1 GetItem (Cases) + 1
TransactWriteItems + 1 Query (PartnerServices) per needs code + 1 BatchGetItem (Partners,
PartnerLoads) when there are needs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from functions.dal import changes
from functions.dal.models import Case
from functions.errors import BackendUnavailable, InvalidParameter
from functions.logic import case_chain, cases, directory, voice_call
from functions.logic.common import parse_params
from functions.logic.needs import any_urgent, needs_param
from functions.models.lean import (
    NOTE_MAX,
    OPTIONAL_CALLER,
    OPTIONAL_CASE,
    OPTIONAL_LANGUAGE,
    REGION,
    SLUG,
    Field,
    Spec,
    lower_or,
    unset_is_false,
    urgency,
)
from functions.settings import get_settings

if TYPE_CHECKING:
    from functions.models.connect import ContactFlowEvent
    from functions.models.lean import Params

DEFAULTS = {
    "status": "ok",
    "case_id": "",
    "language": "",
    "needs_codes": "",
    "consent": "false",
    "urgent": "false",
    "suggested_partner_ids": "",
    "suggested_partner_names": "",
}


# language None (the guide could not read the call's path): the call's, looked up; an unanswered
# consent question ("" from an unset contact attribute) is no consent; note: free text, stored on
# the case only.
PARAMS = Spec(
    "ScreeningParams",
    [
        OPTIONAL_CALLER,
        OPTIONAL_CASE,
        OPTIONAL_LANGUAGE,
        Field("topic", default="screening", pattern=SLUG, before=lower_or("screening")),
        Field("needs_codes", default=""),
        Field("region", default="*", pattern=REGION, before=lower_or("*")),
        Field("urgency", "literal", "normal", choices=("normal", "urgent"), before=urgency),
        Field("consent", "bool", False, before=unset_is_false),
        Field("note", default="", max_length=NOTE_MAX),
    ],
)


def _open_case(params: Params, language: str, contact_id: str, voice_contact_id: str | None) -> str:
    """The contact's case (create_case's logic: new, or the caller's open case)."""
    settings = get_settings()
    report = cases.Report(
        topic=params.topic,
        language=language,
        priority="normal",
        needs=[],
        consent=False,
        channel_note=None,
        voice_contact_id=voice_contact_id,
    )
    caller_id = voice_call.caller_of(voice_contact_id, params.caller_id)
    for _ in range(cases.MAX_ATTEMPTS):
        answer = cases.attempt(settings, contact_id, caller_id, report)
        if answer is not None:
            if answer.get("status", "ok") != "ok":
                raise BackendUnavailable("could not open the case")
            return answer["case_id"]
    raise BackendUnavailable("concurrent writes to the caller's case; retries exhausted")


def run(event: ContactFlowEvent) -> dict[str, str]:
    params = parse_params(PARAMS, event.parameters)
    needs = needs_param(params.needs_codes)
    contact_id = event.contact_id
    language = params.language or voice_call.path_of(event.related_contact_id).get("language")
    if not language:
        raise InvalidParameter("language")
    case_id = params.case_id or _open_case(params, language, contact_id, event.related_contact_id)
    urgent = params.urgency == "urgent" or any_urgent(needs)
    key = case_chain.op_key("screening", contact_id, {**params.model_dump(), "case_id": case_id})

    def plan_for(case: Case) -> case_chain.Plan:
        records = [
            (
                "screening_saved",
                {
                    "needs_codes": ",".join(needs),
                    "region": params.region,
                    "urgency": params.urgency,
                    "consent": "true" if params.consent else "false",
                    "note_present": "true" if params.note else "false",
                },
            )
        ]
        if bool(case.consent) != params.consent:
            records.append(("consent_recorded", {"consent": "true" if params.consent else "false"}))
        return case_chain.Plan(
            records=records,
            update=changes.screened(needs, params.region, params.consent, urgent, params.note),
            answer={},
            voice_contact_id=event.related_contact_id,
        )

    case_chain.change_case(case_id, contact_id, key, plan_for, lambda case: {})
    return _answer(case_id, needs, params, language, urgent)


def _answer(case_id: str, needs: list[str], params: Params, language: str, urgent: bool) -> dict[str, str]:
    suggested = directory.suggest(directory.candidates(needs), needs, params.region, language) if needs else []
    return {
        "status": "ok",
        "case_id": case_id,
        "language": language,
        "needs_codes": ",".join(needs),
        "consent": "true" if params.consent else "false",
        "urgent": "true" if urgent else "false",
        "suggested_partner_ids": ",".join(p["partner_id"] for p in suggested),
        "suggested_partner_names": " | ".join(p["name"] for p in suggested),
    }
