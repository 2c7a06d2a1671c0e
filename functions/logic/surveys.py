"""record_survey_answer: one answer per (ContactId, survey_id, question_id), first answer wins.

Allowed answers (case-insensitive): "0".."5" (keypad scales; flows use 1-4), "yes", "no",
"prefer_not", "no_answer" (time-out), "skipped".  Stored under sha256(ContactId) - not the caller
id - so survey data is not joinable to callers by the key alone.  One conditional PutItem; a
replay answers ``status=ok, recorded=false`` and writes nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from functions.dal import repository
from functions.dal.models import SurveyResponse
from functions.logic.common import expiry, parse_params, sha256_hex, utcnow
from functions.models.lean import SURVEY_ANSWER
from functions.settings import get_settings

if TYPE_CHECKING:
    from functions.models.connect import ContactFlowEvent

DEFAULTS = {"status": "ok", "recorded": "false"}


def run(event: ContactFlowEvent) -> dict[str, str]:
    params = parse_params(SURVEY_ANSWER, event.parameters)
    now = utcnow()
    item = SurveyResponse(
        response_key=sha256_hex(f"survey:{event.contact_id}"),
        item_key=f"{params.survey_id}#{params.question_id}",
        survey_id=params.survey_id,
        question_id=params.question_id,
        answer=params.answer,
        answered_at=now,
        expires_at=expiry(now, get_settings().retention_days_surveys),
    )
    recorded = repository.put_survey_answer(item)
    return {"status": "ok", "recorded": "true" if recorded else "false"}
