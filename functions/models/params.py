"""Pydantic models of the flow Parameters each handler accepts (unknown parameters are ignored).

Allowed values are documented on each field; violations answer ``status=invalid_parameter``
with ``error_field`` naming the first offending parameter.  The handlers parse with the
pydantic-free twins in :mod:`functions.models.lean` and come here only for what those cannot
vouch for (the error path): keep the two in step (tests/unit/functions/test_fn_lean_parsing.py).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from functions.models import lean
from functions.models.lean import (  # noqa: F401 - the rules, shared with the fast parsers
    AGENT_ARN,
    CALL_TYPES,
    CALLER_ID,
    CASE_ID,
    CASE_ID_RE,
    LANGUAGE,
    NO_VALUE,
    NOTE_MAX,
    OUTCOMES,
    PARTNER_ID,
    REGION,
    SLUG,
    SURVEY_ANSWER,
    SURVEY_ANSWERS,
    SURVEY_KINDS,
    bool_text,
    empty_to_none,
    lower,
    lower_or,
    optional_id,
    unset_is_false,
)


class _Params(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, str_strip_whitespace=True)


class IdentifyParams(_Params):
    language: str | None = Field(default=None, pattern=LANGUAGE)  # language chosen in the IVR

    _none = field_validator("language", mode="before")(empty_to_none)


class CreateCaseParams(_Params):
    topic: str = Field(pattern=SLUG)
    language: str = Field(pattern=LANGUAGE)
    priority: Literal["normal", "urgent"] = "normal"
    needs_codes: str = ""  # comma list of UNHCR specific-needs codes, see functions.logic.needs
    consent: bool = False
    channel_note: str | None = None  # short technical note set by the flow (no free text, no digits runs)

    _consent = field_validator("consent", mode="before")(bool_text)
    _note = field_validator("channel_note", mode="before")(lean.channel_note)


class RouteReferralParams(_Params):
    case_id: str = Field(pattern=CASE_ID)
    needs_codes: str = ""
    region: str = Field(pattern=REGION)
    language: str = Field(pattern=LANGUAGE)
    consent: bool = False

    _consent = field_validator("consent", mode="before")(bool_text)
    _lower = field_validator("region", mode="before")(lower)


class SurveyAnswerParams(_Params):
    """``answer``: the caller's keys or a word; ``kind``/``choices``/``max_digits`` (from the
    question in the country file) say which keys are an answer (functions/logic/surveys.py)."""

    survey_id: str = Field(pattern=SLUG)
    question_id: str = Field(pattern=SLUG)
    answer: str = Field(pattern=SURVEY_ANSWER)
    kind: Literal[SURVEY_KINDS] = ""  # type: ignore[valid-type]
    choices: int = Field(default=9, ge=2, le=9)
    max_digits: int = Field(default=6, ge=1, le=6)
    language: str | None = Field(default=None, pattern=LANGUAGE)

    _lower = field_validator("answer", "kind", mode="before")(lower)
    _empty = field_validator("language", mode="before")(empty_to_none)


class CallerContextParams(_Params):
    """get_caller_context: caller_id / case_id may be "" or "none"; the rest is echoed by the guide."""

    caller_id: str | None = None
    case_id: str | None = None
    language: str | None = Field(default=None, pattern=LANGUAGE)
    topic: str | None = Field(default=None, pattern=SLUG)
    priority: str | None = None
    callback: str | None = None

    _caller = field_validator("caller_id", mode="before")(optional_id(CALLER_ID, "caller_id"))
    _case = field_validator("case_id", mode="before")(optional_id(CASE_ID_RE, "case_id"))
    _none = field_validator("language", "topic", "priority", "callback", mode="before")(empty_to_none)


class ClassifyCallParams(_Params):
    call_type: Literal[CALL_TYPES]  # type: ignore[valid-type]
    case_id: str | None = None

    _case = field_validator("case_id", mode="before")(optional_id(CASE_ID_RE, "case_id"))
    _lower = field_validator("call_type", mode="before")(lower)


class ScreeningParams(_Params):
    caller_id: str | None = None
    case_id: str | None = None
    language: str | None = Field(default=None, pattern=LANGUAGE)  # None: the call's, looked up
    topic: str = Field(default="screening", pattern=SLUG)
    needs_codes: str = ""
    region: str = Field(default="*", pattern=REGION)
    urgency: Literal["normal", "urgent"] = "normal"
    consent: bool = False
    note: str = Field(default="", max_length=NOTE_MAX)  # free text: stored on the case only

    _caller = field_validator("caller_id", mode="before")(optional_id(CALLER_ID, "caller_id"))
    _case = field_validator("case_id", mode="before")(optional_id(CASE_ID_RE, "case_id"))
    _language = field_validator("language", mode="before")(empty_to_none)
    # an unanswered consent question ("" from an unset contact attribute) is no consent
    _consent = field_validator("consent", mode="before")(unset_is_false)
    _region = field_validator("region", mode="before")(lower_or("*"))
    _topic = field_validator("topic", mode="before")(lower_or("screening"))
    _urgency = field_validator("urgency", mode="before")(lean.urgency)


class RouteReferralGuideParams(RouteReferralParams):
    """route_referral with the operator's confirmed partners (optional comma list)."""

    partner_ids: str = ""

    _ids = field_validator("partner_ids", mode="before")(lean.partner_ids)

    @property
    def confirmed(self) -> list[str]:
        return [p for p in self.partner_ids.split(",") if p]


class OutcomeParams(_Params):
    case_id: str = Field(pattern=CASE_ID)
    outcome: Literal[OUTCOMES]  # type: ignore[valid-type]
    follow_up: bool = False
    callback_requested: bool = False

    _flags = field_validator("follow_up", "callback_requested", mode="before")(unset_is_false)


class BlockCallerParams(_Params):
    caller_id: str | None = None  # only without a related call (the guide: looked up by contact id)
    hours: int = Field(ge=1, le=720)
    # arn:aws:connect:<region>:<account>:instance/<instance-id>/agent/<user-id> ($.Agent.ARN)
    agent_arn: str = Field(pattern=AGENT_ARN)

    _caller = field_validator("caller_id", mode="before")(optional_id(CALLER_ID, "caller_id"))
