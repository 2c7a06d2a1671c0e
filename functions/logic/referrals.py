"""route_referral: pick partners from the directory, write referrals, notify through EventBridge.

Selection, per need code (urgent codes first, then in the given order):
1. the partner must serve the language, cover the region (or "*"), and have capacity left
   (``assigned < capacity``, counting referrals already picked in this call);
2. an exact service match (``SM-CC``) beats a family match (``SM`` serving an ``SM-CC`` need);
3. then a partner already picked for another need (fewer hand-offs for the caller), then a
   region-specific partner over a national one, then most capacity left, then partner id
   (deterministic).
One referral per selected partner carries all the need codes it was picked for.

DynamoDB budget: without consent / without needs: 1 UpdateItem on the case (needs recorded,
nothing referred).  With consent: 1 Scan of Partners + 1 TransactWriteItems (referrals + case
update + one capacity counter per partner), or Scan + a one-item TransactWriteItems (the case update,
conditioned like the referral's so that a replay is recognised) when no partner matches.
Idempotent on ContactId: the case update is conditioned on ``referral_sets.<ContactId>`` not
existing and returns the old case on failure (ALL_OLD), so a replay answers the first call's
partner ids without another read and writes nothing.  A concurrent capacity race cancels the
whole transaction (``capacity_conflict``; nothing written; the flow may retry).

Notifications: one EventBridge event per referral (source ``helpline.referrals``, detail-type
``Referral Created``) with ids and codes only, sent after the commit.  A replay does not re-send.
If PutEvents fails the referrals stay written, the answer is ``status=ok`` with
``notified=false`` and metric ``ReferralNotifyFailed`` is emitted.
"""

from __future__ import annotations

import json
from typing import Any

from functions.dal import repository
from functions.dal.models import Case, Partner, Referral
from functions.errors import CapacityConflict, CaseNotFound
from functions.logic.common import expiry, iso, parse_params, referral_id_for, sha256_hex, utcnow
from functions.logic.needs import any_urgent, is_urgent, match_score, needs_param
from functions.models.connect import ContactFlowEvent
from functions.models.params import RouteReferralParams
from functions.settings import get_settings

DEFAULTS = {"status": "ok", "referred": "0", "partner_ids": "", "urgent": "false", "reason": "", "notified": "false"}
EVENT_SOURCE = "helpline.referrals"
EVENT_DETAIL_TYPE = "Referral Created"

_events_client: Any = None


def _events() -> Any:
    global _events_client
    if _events_client is None:
        from functions.aws import client

        settings = get_settings()
        _events_client = client(
            "events",
            connect_timeout=settings.ddb_connect_timeout,
            read_timeout=settings.ddb_read_timeout,
            max_retries=settings.ddb_max_retries,
        )
    return _events_client


def reset_clients() -> None:
    global _events_client
    _events_client = None


def select_partners(
    partners: list[Partner] | list[dict], needs: list[str], region: str, language: str
) -> list[tuple[str, list[str]]]:
    """Pure selection: [(partner_id, [need codes]), ...] in selection order."""

    def get(p: Any, name: str) -> Any:
        return p.get(name) if isinstance(p, dict) else getattr(p, name)

    left: dict[str, int] = {}
    eligible = []
    for p in partners:
        languages = set(get(p, "languages") or [])
        regions = set(get(p, "regions") or [])
        if language not in languages and language.split("-")[0] not in languages:
            continue
        if "*" not in regions and region not in regions:
            continue
        pid = str(get(p, "partner_id"))
        left[pid] = int(get(p, "capacity") or 0) - int(get(p, "assigned") or 0)
        eligible.append((pid, set(get(p, "services") or []), "*" not in regions))

    ordered = sorted(needs, key=lambda c: (not is_urgent(c), needs.index(c)))
    chosen: dict[str, list[str]] = {}
    for need in ordered:
        best = None
        best_key = None
        for pid, services, regional in eligible:
            score = match_score(need, services)
            if score == 0 or (pid not in chosen and left[pid] <= 0):
                continue
            key = (-score, pid not in chosen, not regional, -left[pid], pid)
            if best_key is None or key < best_key:
                best, best_key = pid, key
        if best is None:
            continue
        if best not in chosen:
            chosen[best] = []
            left[best] -= 1
        chosen[best].append(need)
    return list(chosen.items())


def _needs_actions(needs: list[str], urgent: bool, now: Any, consent: bool) -> list:
    actions = [Case.needs_codes.set(needs), Case.updated_at.set(now), Case.consent.set(consent)]
    if urgent:
        actions.append(Case.priority.set("urgent"))
    return actions


def run(event: ContactFlowEvent) -> dict[str, str]:
    params = parse_params(RouteReferralParams, event.parameters)
    needs = needs_param(params.needs_codes)
    contact_id = event.contact_id
    urgent = any_urgent(needs)
    urgent_text = "true" if urgent else "false"
    now = utcnow()

    if not params.consent or not needs:
        if not repository.update_case(params.case_id, _needs_actions(needs, urgent, now, params.consent)):
            raise CaseNotFound()
        return {
            "status": "ok",
            "referred": "0",
            "urgent": urgent_text,
            "reason": "no_consent" if not params.consent else "no_needs",
        }

    partners = repository.scan_partners()
    selection = select_partners(partners, needs, params.region, params.language)
    if not selection:
        # Conditioned on this contact not having referred yet: a replay after the chosen partner
        # filled up must answer what was referred, not "no partner".
        outcome, old = repository.update_case_unless_referred(
            params.case_id, contact_id, _needs_actions(needs, urgent, now, True)
        )
        if outcome == "case_not_found":
            raise CaseNotFound()
        if outcome == "replay":
            return _replay_answer(old, contact_id, [], urgent_text)
        return {"status": "ok", "referred": "0", "urgent": urgent_text, "reason": "no_partner"}

    settings = get_settings()
    expires = expiry(now, settings.retention_days_referrals)
    referrals = []
    for partner_id, codes in selection:
        referral_id = referral_id_for(params.case_id, f"{partner_id}:{contact_id}")
        fields = {
            "case_id": params.case_id,
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
        referrals.append(
            Referral(
                case_id=params.case_id,
                referral_id=referral_id,
                partner_id=partner_id,
                contact_id=contact_id,
                needs_codes=codes,
                consent=True,
                urgent=any_urgent(codes),
                status="pending",
                region=params.region,
                language=params.language,
                created_at=now,
                updated_at=now,
                record_hash=sha256_hex(json.dumps(fields, sort_keys=True, separators=(",", ":"))),
                expires_at=expires,
            )
        )
    partner_ids = [pid for pid, _ in selection]
    case_actions = _needs_actions(needs, urgent, now, True) + [
        Case.partner_ids.set(Case.partner_ids.append(partner_ids)),
        Case.referral_sets[contact_id].set(",".join(partner_ids)),
        Case.status.set("referred"),
    ]
    outcome, old = repository.commit_referrals(params.case_id, contact_id, case_actions, referrals, partner_ids)
    if outcome == "case_not_found":
        raise CaseNotFound()
    if outcome == "capacity":
        raise CapacityConflict()
    if outcome == "replay":
        return _replay_answer(old, contact_id, partner_ids, urgent_text)

    notified = _notify(referrals, settings.country_code)
    return {
        "status": "ok",
        "referred": str(len(referrals)),
        "partner_ids": ",".join(partner_ids),
        "urgent": urgent_text,
        "reason": "",
        "notified": "true" if notified else "false",
    }


def _replay_answer(old: dict | None, contact_id: str, partner_ids: list[str], urgent_text: str) -> dict[str, str]:
    """The answer to a replay: the partners this contact referred to (from the stored case)."""
    stored = ""
    if old:
        stored = old.get("referral_sets", {}).get("M", {}).get(contact_id, {}).get("S", "")
        old_needs = [v.get("S", "") for v in old.get("needs_codes", {}).get("L", [])]
        urgent_text = "true" if any_urgent(old_needs) else urgent_text
    ids = [p for p in stored.split(",") if p] if stored else partner_ids
    return {
        "status": "ok",
        "referred": str(len(ids)),
        "partner_ids": ",".join(ids),
        "urgent": urgent_text,
        "reason": "replay",
        "notified": "true",
    }


def _notify(referrals: list[Referral], country: str) -> bool:
    from functions.observability import count, logger

    bus = get_settings().event_bus_name
    if not bus:
        logger.error("EVENT_BUS_NAME not set; referral notifications not sent")
        count("ReferralNotifyFailed", len(referrals))
        return False
    entries = [
        {
            "Source": EVENT_SOURCE,
            "DetailType": EVENT_DETAIL_TYPE,
            "EventBusName": bus,
            "Detail": json.dumps(
                {
                    "referral_id": r.referral_id,
                    "case_id": r.case_id,
                    "partner_id": r.partner_id,
                    "needs_codes": list(r.needs_codes),
                    "urgent": bool(r.urgent),
                    "language": r.language,
                    "region": r.region,
                    "country": country.lower(),
                    "created_at": iso(r.created_at),
                },
                separators=(",", ":"),
            ),
        }
        for r in referrals
    ]
    try:
        failed = 0
        for start in range(0, len(entries), 10):
            response = _events().put_events(Entries=entries[start : start + 10])
            failed += int(response.get("FailedEntryCount", 0))
    except Exception as exc:  # noqa: BLE001 - referrals are committed; report, do not fail the call
        from functions.errors import backend_error_code

        logger.error("referral notification failed", extra={"error": backend_error_code(exc)})
        count("ReferralNotifyFailed", len(entries))
        return False
    if failed:
        count("ReferralNotifyFailed", failed)
        return False
    count("ReferralsNotified", len(entries))
    return True
