"""identify_caller: who is calling (pseudonym), known?, preferred language, open case, blocked.

DynamoDB budget: exactly ONE GetItem on Callers, then ONE UpdateItem on ContactLinks (this
contact -> the pseudonym: later Lambdas of the call and the operators' guide look the caller up
by contact id, so no pseudonym is written as a Connect contact attribute, and erasure finds every
contact).  A write on Callers (one UpdateItem) happens only when something must change - the
caller is new, the IVR language differs from the stored one, or the stored last contact is more
than ``TOUCH_AFTER`` old (refreshes the caller's retention TTL at most once a day per caller).  A replay of the same contact is recognised through
``first_contact_id`` so ``returning`` stays "false" for a first-time caller's replays.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from functions.dal import repository
from functions.logic.common import expiry, parse_params, utcnow
from functions.logic.pseudonym import caller_id_for
from functions.models.lean import OPTIONAL_LANGUAGE, Spec
from functions.settings import get_settings

if TYPE_CHECKING:
    from functions.models.connect import ContactFlowEvent

TOUCH_AFTER = timedelta(hours=24)
PARAMS = Spec("IdentifyParams", [OPTIONAL_LANGUAGE])  # the language chosen in the IVR

DEFAULTS = {
    "status": "ok",
    "caller_id": "",
    "returning": "false",
    "preferred_language": "",
    "open_case_id": "",
    "has_open_case": "false",  # non-personal: the flow keeps this, never the case id (docs/audit.md)
    "blocked": "false",
}


def run(event: ContactFlowEvent) -> dict[str, str]:
    params = parse_params(PARAMS, event.parameters)
    contact_id = event.contact_id
    caller_id = caller_id_for(event.customer_address)
    if caller_id is None:
        return {"status": "no_caller_id", "preferred_language": params.language or ""}

    now = utcnow()
    caller = repository.get_caller(caller_id)
    settings = get_settings()
    repository.link_contact(
        contact_id,
        caller_id,
        channel=event.channel,
        now=now,
        expires_at=expiry(now, settings.retention_days_interactions),
    )

    returning = caller is not None and caller.first_contact_id not in (None, contact_id)
    stored_language = caller.preferred_language if caller is not None else None
    language = params.language or stored_language or ""
    blocked = bool(caller is not None and caller.blocked_until is not None and caller.blocked_until > now)
    open_case_id = (caller.open_case_id or "") if caller is not None else ""

    needs_write = (
        caller is None
        or (params.language is not None and params.language != stored_language)
        or caller.last_contact_at is None
        or now - caller.last_contact_at > TOUCH_AFTER
    )
    if needs_write:
        expires_at = expiry(now, settings.retention_days_callers)
        repository.touch_caller(repository.CallerContact(caller_id, contact_id, now, expires_at, params.language))

    return {
        "status": "ok",
        "caller_id": caller_id,
        "returning": "true" if returning else "false",
        "preferred_language": language,
        "open_case_id": open_case_id,
        "has_open_case": "true" if open_case_id else "false",
        "blocked": "true" if blocked else "false",
    }
