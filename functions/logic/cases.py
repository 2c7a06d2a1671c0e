"""create_case: one case per ContactId, written in ONE TransactWriteItems.

The transaction holds: the case (condition attribute_not_exists), the first record of the
case's interaction chain (``case#<case_id>``, seq 1, GENESIS link) and the caller's open-case
pointer (UpdateItem on Callers; skipped for withheld numbers).  The case id is derived from the
ContactId, so a replay computes the same id, fails the condition, and gets the stored case back
through ReturnValuesOnConditionCheckFailure in the same request: a replay costs one
(cancelled) TransactWriteItems and writes nothing.
"""

from __future__ import annotations

from functions.dal import repository
from functions.dal.models import Caller, Case, Interaction
from functions.logic.chain import GENESIS, compute_hash
from functions.logic.common import case_id_for, expiry, iso, parse_params, utcnow
from functions.logic.needs import any_urgent, needs_param
from functions.logic.pseudonym import caller_id_for
from functions.models.connect import ContactFlowEvent
from functions.models.params import CreateCaseParams
from functions.settings import get_settings

DEFAULTS = {"status": "ok", "case_id": "", "created": "false"}


def build_first_record(case: Case, now_iso: str) -> Interaction:
    record = Interaction(
        chain_id=f"case#{case.case_id}",
        seq=1,
        record_type="case_created",
        contact_id=case.contact_id,
        case_id=case.case_id,
        event_id=None,
        actor="contact_flow",
        occurred_at=now_iso,
        recorded_at=now_iso,
        payload={
            "topic": case.topic,
            "language": case.language,
            "priority": case.priority,
            "needs_codes": ",".join(case.needs_codes),
            "consent": "true" if case.consent else "false",
            "channel_note": case.channel_note or "",
        },
        prev_hash=GENESIS,
        record_hash="",
        expires_at=case.expires_at,
    )
    record.record_hash = compute_hash(record)
    return record


def run(event: ContactFlowEvent) -> dict[str, str]:
    params = parse_params(CreateCaseParams, event.parameters)
    needs = needs_param(params.needs_codes)
    settings = get_settings()
    contact_id = event.contact_id
    caller_id = caller_id_for(event.customer_address)
    now = utcnow()
    priority = "urgent" if params.priority == "urgent" or any_urgent(needs) else "normal"
    case = Case(
        case_id=case_id_for(settings.country_code, contact_id),
        country=settings.country_code.lower(),
        status="open",
        topic=params.topic,
        language=params.language,
        priority=priority,
        needs_codes=needs,
        consent=params.consent,
        caller_id=caller_id,
        contact_id=contact_id,
        channel_note=params.channel_note,
        partner_ids=[],
        referral_sets={},
        created_at=now,
        updated_at=now,
        expires_at=expiry(now, settings.retention_days_cases),
    )
    first = build_first_record(case, iso(now))
    caller_actions = None
    if caller_id:
        caller_actions = [
            Caller.open_case_id.set(case.case_id),
            Caller.first_contact_id.set(Caller.first_contact_id | contact_id),
            Caller.last_contact_id.set(contact_id),
            Caller.last_contact_at.set(now),
            Caller.expires_at.set(expiry(now, settings.retention_days_callers)),
            Caller.preferred_language.set(Caller.preferred_language | params.language),
        ]
    created, old = repository.create_case(case, first, caller_actions)
    if not created:
        old_contact = (old or {}).get("contact_id", {}).get("S")
        if old_contact not in (None, contact_id):
            from functions.observability import logger

            logger.error("case id collision", extra={"case_id": case.case_id})
            return {"status": "internal_error", "case_id": "", "created": "false"}
    return {"status": "ok", "case_id": case.case_id, "created": "true" if created else "false"}
