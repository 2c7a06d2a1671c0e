"""record_survey_answer: one answer per (ContactId, survey_id, question_id), first answer wins.

The survey flow (contact_flows/post_call_survey.json) passes the caller's keys as ``answer``
with the question's ``kind``, ``choices`` and ``max_digits`` from the country file, and the
``language``. Keys become the stored answer here, in one place:

- ``*`` -> ``prefer_not``; the words ``prefer_not``, ``no_answer`` (time-outs), ``skipped``
  are stored as they are;
- ``yes_no``: ``1`` -> ``yes``, ``2`` -> ``no``; ``choice``: ``1``..``choices``;
  ``number``: 1 to ``max_digits`` digits (leading zeros dropped);
- without ``kind`` (older callers): "0".."5", "yes", "no" as before.

Anything else is ``invalid_parameter`` (error_field ``answer``) and nothing is written: the
flow asks again. Stored under sha256(ContactId) - not the caller id - so survey data is not
joinable to callers by the key alone.  One conditional PutItem; a replay answers
``status=ok, recorded=false`` and writes nothing (the first answer wins).

The outbound needs survey (contact_flows/outbound_survey.json) also passes ``campaign_id``
(``[a-z0-9-]{3,40}``; empty or absent for the post-call survey), stored with the answer: it names
the campaign, never the person (the list's contact_key is not stored here).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from functions.dal import repository
from functions.dal.models import SurveyResponse
from functions.errors import InvalidParameter
from functions.logic.common import expiry, parse_params, sha256_hex, utcnow
from functions.models.lean import (
    OPTIONAL_LANGUAGE,
    SLUG,
    SURVEY_ANSWER,
    SURVEY_ANSWERS,
    SURVEY_KINDS,
    Field,
    Spec,
    lower,
)
from functions.settings import get_settings

if TYPE_CHECKING:
    from functions.models.connect import ContactFlowEvent

DEFAULTS = {"status": "ok", "recorded": "false"}
# answer: the caller's keys or a word; kind / choices / max_digits (from the question in the country
# file) say which keys are an answer (stored_answer); language: the one the question was asked in.
PARAMS = Spec(
    "SurveyAnswerParams",
    [
        Field("survey_id", pattern=SLUG),
        Field("question_id", pattern=SLUG),
        Field("answer", pattern=SURVEY_ANSWER, before=lower),
        Field("kind", "literal", "", choices=SURVEY_KINDS, before=lower),
        Field("choices", "int", 9, ge=2, le=9),
        Field("max_digits", "int", 6, ge=1, le=6),
        OPTIONAL_LANGUAGE,
    ],
)


CAMPAIGN_ID = re.compile(r"^[a-z0-9-]{3,40}$")
WORDS = ("prefer_not", "no_answer", "skipped")
SURVEY_ANSWERED, SURVEY_NOT_ANSWERED = "SurveyAnswered", "SurveyNotAnswered"  # metrics, per stored answer


def stored_answer(answer: str, kind: str, choices: int, max_digits: int) -> str | None:
    """The answer to store for the caller's keys, or None when they are no answer."""
    if answer == "*":
        return "prefer_not"
    if answer in WORDS:
        return answer
    if kind == "yes_no":
        return {"1": "yes", "2": "no", "yes": "yes", "no": "no"}.get(answer)
    if kind == "choice":
        return answer if answer.isdigit() and len(answer) == 1 and 1 <= int(answer) <= choices else None
    if kind == "number":
        return str(int(answer)) if answer.isdigit() and len(answer) <= max_digits else None
    return answer if answer in SURVEY_ANSWERS else None


def _campaign_id(parameters: dict) -> str | None:
    """The outbound survey's optional ``campaign_id`` (empty: a post-call survey)."""
    value = parameters.get("campaign_id")
    value = value.strip() if isinstance(value, str) else value
    if value in (None, ""):
        return None
    if not isinstance(value, str) or not CAMPAIGN_ID.match(value):
        raise InvalidParameter("campaign_id")
    return value


def run(event: ContactFlowEvent) -> dict[str, str]:
    params = parse_params(PARAMS, event.parameters)
    answer = stored_answer(params.answer, params.kind, params.choices, params.max_digits)
    if answer is None:
        raise InvalidParameter("answer")
    campaign_id = _campaign_id(event.parameters)
    now = utcnow()
    item = SurveyResponse(
        response_key=sha256_hex(f"survey:{event.contact_id}"),
        item_key=f"{params.survey_id}#{params.question_id}",
        survey_id=params.survey_id,
        question_id=params.question_id,
        answer=answer,
        language=params.language,
        campaign_id=campaign_id,
        answered_at=now,
        expires_at=expiry(now, get_settings().retention_days_surveys),
    )
    recorded = repository.put_survey_answer(item)
    if recorded:  # the dashboard's survey completion: answered / (answered + not answered)
        from functions.observability import count

        count(SURVEY_NOT_ANSWERED if answer in WORDS else SURVEY_ANSWERED)
    return {"status": "ok", "recorded": "true" if recorded else "false"}
