"""record_outcome: how the call ended (outcome, follow-up needed, callback requested).

outcome in resolved | referred | information_given | follow_up | dropped.  The case is CLOSED
when the outcome is resolved, information_given or dropped and neither a follow-up nor a
callback is needed; otherwise its status stays (open / referred).

Closing a case closes its pending referrals: each one's status becomes ``closed`` (condition:
still pending) and its partner's open-referral counter (PartnerLoads) goes down by one - this
is where capacity is given back.  Records in the case chain, in ONE TransactWriteItems with the
case update: ``outcome_recorded`` (payload: outcome, follow_up, callback_requested, status) and
one ``referral_closed`` (payload: referral_id, partner_id) per closed referral.

Answer: ``status``, ``case_status``.  Idempotent per contact and parameters.

DynamoDB requests: 1 GetItem (Cases) + [closing: 1 Query (Referrals of the case)] +
1 TransactWriteItems; per conflict, the same again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from functions.dal import changes, repository
from functions.dal.models import Case
from functions.logic import case_chain
from functions.logic.common import parse_params, utcnow
from functions.models.lean import CASE_ID, OUTCOMES, Field, Spec, unset_is_false

if TYPE_CHECKING:
    from functions.models.connect import ContactFlowEvent

DEFAULTS = {"status": "ok", "case_status": ""}
CLOSING = ("resolved", "information_given", "dropped")
PARAMS = Spec(
    "OutcomeParams",
    [
        Field("case_id", pattern=CASE_ID),
        Field("outcome", "literal", choices=OUTCOMES),
        Field("follow_up", "bool", False, before=unset_is_false),
        Field("callback_requested", "bool", False, before=unset_is_false),
    ],
)


def run(event: ContactFlowEvent) -> dict[str, str]:
    params = parse_params(PARAMS, event.parameters)
    contact_id = event.contact_id
    key = case_chain.op_key("outcome", contact_id, params.model_dump())
    closing = params.outcome in CLOSING and not params.follow_up and not params.callback_requested

    def plan_for(case: Case) -> case_chain.Plan:
        status = "closed" if closing else case.status
        records = [
            (
                "outcome_recorded",
                {
                    "outcome": params.outcome,
                    "follow_up": "true" if params.follow_up else "false",
                    "callback_requested": "true" if params.callback_requested else "false",
                    "status": status,
                },
            )
        ]
        updates = []
        if closing and case.status != "closed":
            now = utcnow()
            for referral in repository.case_referrals(case.case_id):
                if referral.status != "pending":
                    continue
                records.append(
                    ("referral_closed", {"referral_id": referral.referral_id, "partner_id": referral.partner_id})
                )
                updates.append(changes.close_referral(case.case_id, referral.referral_id, now))
                updates.append(changes.free_referral_slot(referral.partner_id))
        return case_chain.Plan(
            records=records,
            update=changes.outcome_recorded(params.outcome, params.follow_up, params.callback_requested, status),
            updates=updates,
            answer={"status": "ok", "case_status": status},
            voice_contact_id=event.related_contact_id,
        )

    return case_chain.change_case(
        params.case_id, contact_id, key, plan_for, lambda case: {"status": "ok", "case_status": case.status}
    )
