"""survey_consent: what the person answered to the outbound survey's consent question.

Invoked by the outbound survey flow (contact_flows/outbound_survey.json) with Parameters
``campaign_id``, ``contact_key`` (the contact attributes the runner set), ``survey_id``,
``language`` and ``event``:

- ``accepted``: nothing written (the contact must exist; a metric is counted);
- ``answered``: no longer sent by the flow (the person would hear silence on pickup); still
  accepted from older flows, as a no-op like ``accepted``;
- ``declined``: SurveyOptOut(pseudonym, source=declined) first (the person is never called
  again, whatever happens next), then state ``declined``, number removed;
- ``help``: state ``help``, number removed (the flow transfers to the helpline's IVR);
- ``completed``: state ``completed``, number removed;
- ``no_input`` (nothing pressed through the consent question's retries: often an answering
  machine): while attempts remain (SURVEY_CAMPAIGN "attempts") the number is kept and the
  person waits in the ``no_input`` queue until retry_after_minutes; otherwise final, number
  removed.  (The other half of the one no_input rule is the runner's: a person who picked up
  and hung up before choosing, no event at all, is final ``no_input`` at once.)

Every final state also sets ``expires_at`` to now + RETENTION_DAYS_SURVEYS days
(functions.logic.campaign.finish).
Each change is one conditional UpdateItem from a non-final state, so a replay (or a late event
after a final state) writes nothing and answers ``ok``.  Unknown contact: ``not_found``, nothing
written.  The flow never branches on the answer (the person's choice stands).
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from functions.dal import campaigns as dal
from functions.errors import InvalidParameter
from functions.logic.common import utcnow

if TYPE_CHECKING:
    from functions.models.connect import ContactFlowEvent

DEFAULTS = {"status": "ok"}
EVENTS = ("answered", "accepted", "declined", "help", "no_input", "completed")
PATTERNS = {
    "campaign_id": re.compile(r"^[a-z0-9-]{3,40}$"),
    "contact_key": re.compile(r"^[0-9a-f]{32}$"),
    "survey_id": re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$"),
    "event": re.compile("^(" + "|".join(EVENTS) + ")$"),
}
LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")


def parse(parameters: dict) -> dict[str, str]:
    """The Parameters, checked; InvalidParameter names the first bad one."""
    values = {}
    for name, pattern in PATTERNS.items():
        value = parameters.get(name)
        value = value.strip() if isinstance(value, str) else value
        if not isinstance(value, str) or not pattern.match(value):
            raise InvalidParameter(name)
        values[name] = value
    language = parameters.get("language")
    if language not in (None, "") and not (isinstance(language, str) and LANGUAGE.match(language.strip())):
        raise InvalidParameter("language")
    return values


def _campaign_limits() -> tuple[int, int]:
    """(attempts, retry_after_minutes) of SURVEY_CAMPAIGN; the defaults when it is unusable."""
    from functions.logic.campaign_rules import ConfigError, load_settings

    try:
        settings = load_settings(os.environ.get("SURVEY_CAMPAIGN"))
    except ConfigError:
        return 3, 240
    return settings.attempts, settings.retry_after_minutes


# One metric per choice (the dashboard's outbound survey row graphs them by these names).
CONSENT_METRICS = {
    "answered": "SurveyConsent_answered",
    "accepted": "SurveyConsent_accepted",
    "declined": "SurveyConsent_declined",
    "help": "SurveyConsent_help",
    "no_input": "SurveyConsent_no_input",
    "completed": "SurveyConsent_completed",
}


def run(event: ContactFlowEvent) -> dict[str, str]:
    params = parse(event.parameters)
    contact = dal.get_contact(params["campaign_id"], params["contact_key"])
    if contact is None:
        return {"status": "not_found"}
    kind = params["event"]
    from functions.observability import count

    count(CONSENT_METRICS[kind])
    if kind in ("answered", "accepted"):
        return {"status": "ok"}
    if kind == "declined":
        dal.put_opt_out(contact.pseudonym, "declined", utcnow())
    from functions.logic import campaign

    now = datetime.fromtimestamp(campaign.clock(), UTC)  # the campaign's clock (simulated in tests)
    open_states = ("pending", "dialing", "no_input")  # not FINAL: a late or replayed event writes nothing
    if kind == "no_input":
        attempts, retry_after = _campaign_limits()
        if contact.attempts < attempts:
            campaign.requeue(contact, open_states, "no_input", now + timedelta(minutes=retry_after), now)
            return {"status": "ok"}
    campaign.finish(contact, open_states, kind, now)
    return {"status": "ok"}
