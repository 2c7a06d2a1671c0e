"""route_referral: refer a case, with the caller's consent, to partners from the service map.

Parameters: case_id, needs_codes, consent, region, language, partner_ids (optional: the partners
the operator confirmed; each must still be eligible - active, serving a need, the language and
region, with open capacity).  Selection: :func:`functions.logic.directory.select_partners` over
the partners found by needs code (no Scan).  One referral per selected partner carries the need
codes it was picked for.

Answer: ``status``, ``referred`` (count), ``partner_ids`` and ``referral_refs`` (comma lists, same
order; a reference like ``K7Q-M2P`` is read to the caller), ``urgent``, ``reason``
(``no_consent`` | ``no_needs`` | ``no_partner`` | ``replay`` | ""), ``queued`` ("true" when the
partners' notifications are in the outbox).  ``case_closed`` when the case is closed.

Writes (with consent, needs and an eligible partner): ONE TransactWriteItems holding, per
referral, the Referral item (``expires_at`` = the case's), its OutboxMessage (the notification,
delivered by deliver_outbox) and a ``referral_created`` record in the case chain, plus the case
update (needs, consent, priority, partner ids, ``referral_sets.<ContactId>``, status referred,
new chain head) and one PartnerLoads counter per partner (+1, condition: open referrals <
capacity).  Either all of it is written or nothing: a notification is never lost and never sent
for a referral that was not written.  Without consent or needs, or without an eligible partner,
nothing is written (the screening is saved by save_screening).

Idempotent on the ContactId: ``referral_sets.<ContactId>`` is checked on the case read and in
the transaction's condition; a replay answers the same partners and references and writes
nothing.  A partner that filled up concurrently cancels the transaction: ``capacity_conflict``,
nothing written, the flow may retry.

DynamoDB requests: no consent / no needs: 1 GetItem (Cases).  Otherwise 1 GetItem (Cases) +
1 Query (PartnerServices) per needs code + 1 BatchGetItem (Partners, PartnerLoads) + 1
TransactWriteItems; a replay: GetItem only.  Plus the same again per chain conflict retry.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from functions.dal import changes
from functions.dal.models import OPEN_STATUSES, Case, OutboxMessage, Referral
from functions.errors import CapacityConflict, CaseClosed
from functions.logic import directory
from functions.logic.case_chain import Plan, change_case, map_keys
from functions.logic.common import iso, parse_params, referral_id_for, sha256_hex, utcnow
from functions.logic.needs import any_urgent, needs_param
from functions.models.lean import (
    CASE_ID,
    CONSENT,
    REGION,
    REQUIRED_LANGUAGE,
    Field,
    PartnerChoice,
    Spec,
    lower,
    partner_ids,
)
from functions.settings import get_settings

if TYPE_CHECKING:
    from functions.models.connect import ContactFlowEvent
    from functions.models.lean import Params

DEFAULTS = {
    "status": "ok",
    "referred": "0",
    "partner_ids": "",
    "referral_refs": "",
    "urgent": "false",
    "reason": "",
    "queued": "false",
}
# partner_ids: the partners the operator confirmed (optional comma list; the flow passes none)
PARAMS = Spec(
    "RouteReferralGuideParams",
    [
        Field("case_id", pattern=CASE_ID),
        Field("needs_codes", default=""),
        Field("region", pattern=REGION, before=lower),
        REQUIRED_LANGUAGE,
        CONSENT,
        Field("partner_ids", default="", before=partner_ids),
    ],
    PartnerChoice,
)
EVENT_SOURCE = "helpline.referrals"
EVENT_DETAIL_TYPE = "Referral Created"
select_partners = directory.select_partners


def referral_ref(referral_id: str) -> str:
    """Short reference read to the caller: 6 base32 characters of the referral id ("K7Q-M2P")."""
    body = referral_id.removeprefix("R-")
    return f"{body[:3]}-{body[3:6]}"


def _answer(partner_ids: list[str], refs: list[str], urgent: bool, reason: str = "") -> dict[str, str]:
    return {
        "status": "ok",
        "referred": str(len(partner_ids)),
        "partner_ids": ",".join(partner_ids),
        "referral_refs": ",".join(refs),
        "urgent": "true" if urgent else "false",
        "reason": reason,
        "queued": "true" if partner_ids else "false",
    }


def _referral_id(case_id: str, partner_id: str, contact_id: str) -> str:
    return referral_id_for(case_id, f"{partner_id}:{contact_id}")


def _replay(case: Case, contact_id: str) -> dict[str, str]:
    stored = case.referral_sets.as_dict() if hasattr(case.referral_sets, "as_dict") else case.referral_sets or {}
    ids = [p for p in str(stored.get(contact_id, "")).split(",") if p]
    refs = [referral_ref(_referral_id(case.case_id, pid, contact_id)) for pid in ids]
    return _answer(ids, refs, any_urgent(list(case.needs_codes or [])), "replay")


def run(event: ContactFlowEvent) -> dict[str, str]:
    params = parse_params(PARAMS, event.parameters)
    needs = needs_param(params.needs_codes)
    contact_id = event.contact_id
    urgent = any_urgent(needs)

    def plan_for(case: Case) -> Plan | dict[str, str]:
        if contact_id in map_keys(case.referral_sets):
            return _replay(case, contact_id)
        if not params.consent or not needs:
            return _answer([], [], urgent, "no_consent" if not params.consent else "no_needs")
        if case.status not in OPEN_STATUSES:
            raise CaseClosed()
        found = directory.candidates(needs)
        if params.confirmed:
            found = [p for p in found if p["partner_id"] in params.confirmed]
        selection = select_partners(found, needs, params.region, params.language)
        if not selection:
            return _answer([], [], urgent, "no_partner")
        plan = _plan(case, contact_id, params, needs, selection, {p["partner_id"]: p for p in found})
        plan.voice_contact_id = event.related_contact_id
        return plan

    return change_case(params.case_id, contact_id, f"referral:{contact_id}", plan_for, lambda c: _replay(c, contact_id))


def _plan(
    case: Case,
    contact_id: str,
    params: Params,
    needs: list[str],
    selection: list[tuple[str, list[str]]],
    partners: dict[str, dict[str, Any]],
) -> Plan:
    now = utcnow()
    country = get_settings().country_code.lower()
    puts: list[changes.Put] = []
    records = []
    refs = []
    for partner_id, codes in selection:
        referral = _referral(case, contact_id, partner_id, codes, params, now)
        ref = str(referral.referral_ref)
        refs.append(ref)
        puts.append(changes.put_new(referral))
        puts.append(changes.put_new(_message(referral, country)))
        records.append(
            (
                "referral_created",
                {
                    "referral_id": referral.referral_id,
                    "referral_ref": ref,
                    "partner_id": partner_id,
                    "needs_codes": ",".join(codes),
                    "urgent": "true" if referral.urgent else "false",
                },
            )
        )
    partner_ids = [pid for pid, _ in selection]
    updates = [changes.take_referral_slot(pid, partners[pid]["capacity"]) for pid in partner_ids]
    urgent = any_urgent(needs)
    n_puts = len(puts)

    def on_failed(result: Any) -> dict[str, str] | None:
        # updates are sent after the puts, the chain records and the case update
        first_load = n_puts + len(records) + 1
        if any(result.failed(first_load + i) for i in range(len(partner_ids))):
            raise CapacityConflict()
        return None  # a referral of this contact exists: a replay raced; read again

    return Plan(
        records=records,
        update=changes.referred(contact_id, needs, partner_ids, urgent),
        answer=_answer(partner_ids, refs, urgent),
        puts=puts,
        updates=updates,
        on_failed=on_failed,
    )


def _referral(case: Case, contact_id: str, partner_id: str, codes: list[str], params: Params, now: Any) -> Referral:
    referral_id = _referral_id(case.case_id, partner_id, contact_id)
    fields = {
        "case_id": case.case_id,
        "referral_id": referral_id,
        "partner_id": partner_id,
        "contact_id": contact_id,
        "needs_codes": codes,
        "consent": True,
        "urgent": any_urgent(codes),
        "region": params.region,
        "language": params.language,
        "created_at": iso(now),
    }
    return Referral(
        case_id=case.case_id,
        referral_id=referral_id,
        partner_id=partner_id,
        contact_id=contact_id,
        needs_codes=codes,
        consent=True,
        urgent=any_urgent(codes),
        status="pending",
        referral_ref=referral_ref(referral_id),
        region=params.region,
        language=params.language,
        created_at=now,
        updated_at=now,
        record_hash=sha256_hex(json.dumps(fields, sort_keys=True, separators=(",", ":"))),
        expires_at=case.expires_at,  # a referral expires with its case
    )


def _message(referral: Referral, country: str) -> OutboxMessage:
    detail = {
        "referral_id": referral.referral_id,
        "referral_ref": referral.referral_ref,
        "case_id": referral.case_id,
        "partner_id": referral.partner_id,
        "needs_codes": list(referral.needs_codes),
        "urgent": bool(referral.urgent),
        "language": referral.language,
        "region": referral.region,
        "country": country,
        "created_at": iso(referral.created_at),
    }
    return OutboxMessage(
        message_id=f"referral#{referral.referral_id}",
        source=EVENT_SOURCE,
        detail_type=EVENT_DETAIL_TYPE,
        detail=json.dumps(detail, separators=(",", ":")),
        status="pending",
        pending="pending",
        attempts=0,
        created_at=iso(referral.created_at),
        expires_at=referral.expires_at,
    )
