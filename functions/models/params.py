"""Pydantic models of the flow Parameters each handler accepts (unknown parameters are ignored).

Allowed values are documented on each field; violations answer ``status=invalid_parameter``
with ``error_field`` naming the first offending parameter.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

LANGUAGE = r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$"  # BCP-47-ish: uk, ru, pl, en-GB
SLUG = r"^[a-z0-9][a-z0-9_.-]{0,63}$"
CASE_ID = r"^[A-Z]{2,3}-[A-Z2-7]{12}$"
_PHONE_LIKE = re.compile(r"\d[\d\s\-().]{5,}\d")
_NOTE = re.compile(r"^[A-Za-z0-9 _:.,/#-]{0,200}$")

SURVEY_ANSWERS = ("0", "1", "2", "3", "4", "5", "yes", "no", "prefer_not", "no_answer", "skipped")


class _Params(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, str_strip_whitespace=True)


def _empty_to_none(value: object) -> object:
    return None if value == "" else value


def _bool_text(value: object) -> object:
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise ValueError("must be 'true' or 'false'")


class IdentifyParams(_Params):
    language: str | None = Field(default=None, pattern=LANGUAGE)  # language chosen in the IVR

    _none = field_validator("language", mode="before")(_empty_to_none)


class CreateCaseParams(_Params):
    topic: str = Field(pattern=SLUG)
    language: str = Field(pattern=LANGUAGE)
    priority: Literal["normal", "urgent"] = "normal"
    needs_codes: str = ""  # comma list of UNHCR specific-needs codes, see functions.logic.needs
    consent: bool = False
    channel_note: str | None = None  # short technical note set by the flow (no free text, no digits runs)

    _consent = field_validator("consent", mode="before")(_bool_text)

    @field_validator("channel_note", mode="before")
    @classmethod
    def _note(cls, value: object) -> object:
        if value in (None, ""):
            return None
        if not isinstance(value, str) or not _NOTE.match(value) or _PHONE_LIKE.search(value):
            raise ValueError("channel_note must be short plain text without digit runs")
        return value


class RouteReferralParams(_Params):
    case_id: str = Field(pattern=CASE_ID)
    needs_codes: str = ""
    region: str = Field(pattern=r"^[a-z0-9*][a-z0-9_*-]{0,63}$")
    language: str = Field(pattern=LANGUAGE)
    consent: bool = False

    _consent = field_validator("consent", mode="before")(_bool_text)

    @field_validator("region", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value


class SurveyAnswerParams(_Params):
    survey_id: str = Field(pattern=SLUG)
    question_id: str = Field(pattern=SLUG)
    answer: Literal[SURVEY_ANSWERS]  # type: ignore[valid-type]

    @field_validator("answer", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value


CALLER_ID = re.compile(r"^[0-9a-f]{64}$")
CASE_ID_RE = re.compile(CASE_ID)
NO_VALUE = ("", "none", "null", "undefined")
CALL_TYPES = ("real", "silent", "prank", "abusive", "wrong_number", "information")
OUTCOMES = ("resolved", "referred", "information_given", "follow_up", "dropped")
PARTNER_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
NOTE_MAX = 2000


def _optional_id(pattern: re.Pattern[str], name: str):  # noqa: ANN202 - a pydantic validator
    def check(value: object) -> object:
        if value is None or (isinstance(value, str) and value.strip().lower() in NO_VALUE):
            return None
        if not isinstance(value, str) or not pattern.match(value.strip()):
            raise ValueError(f"{name} is not valid")
        return value.strip()

    return check


class CallerContextParams(_Params):
    """get_caller_context: caller_id / case_id may be "" or "none"; the rest is echoed by the guide."""

    caller_id: str | None = None
    case_id: str | None = None
    language: str | None = Field(default=None, pattern=LANGUAGE)
    topic: str | None = Field(default=None, pattern=SLUG)
    priority: str | None = None
    callback: str | None = None

    _caller = field_validator("caller_id", mode="before")(_optional_id(CALLER_ID, "caller_id"))
    _case = field_validator("case_id", mode="before")(_optional_id(CASE_ID_RE, "case_id"))
    _none = field_validator("language", "topic", "priority", "callback", mode="before")(_empty_to_none)


class ClassifyCallParams(_Params):
    call_type: Literal[CALL_TYPES]  # type: ignore[valid-type]
    case_id: str | None = None

    _case = field_validator("case_id", mode="before")(_optional_id(CASE_ID_RE, "case_id"))

    @field_validator("call_type", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value


class ScreeningParams(_Params):
    caller_id: str | None = None
    case_id: str | None = None
    language: str = Field(pattern=LANGUAGE)
    topic: str = Field(default="screening", pattern=SLUG)
    needs_codes: str = ""
    region: str = Field(default="*", pattern=r"^[a-z0-9*][a-z0-9_*-]{0,63}$")
    urgency: Literal["normal", "urgent"] = "normal"
    consent: bool = False
    note: str = Field(default="", max_length=NOTE_MAX)  # free text: stored on the case only

    _caller = field_validator("caller_id", mode="before")(_optional_id(CALLER_ID, "caller_id"))
    _case = field_validator("case_id", mode="before")(_optional_id(CASE_ID_RE, "case_id"))
    # an unanswered consent question ("" from an unset contact attribute) is no consent
    _consent = field_validator("consent", mode="before")(lambda v: False if v in (None, "") else _bool_text(v))

    @field_validator("region", "topic", mode="before")
    @classmethod
    def _lower_or_default(cls, value: object, info) -> object:  # noqa: ANN001
        if value in (None, ""):
            return "*" if info.field_name == "region" else "screening"
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("urgency", mode="before")
    @classmethod
    def _urgency(cls, value: object) -> object:
        return "normal" if value in (None, "") else value.strip().lower() if isinstance(value, str) else value


class RouteReferralGuideParams(RouteReferralParams):
    """route_referral with the operator's confirmed partners (optional comma list)."""

    partner_ids: str = ""

    @field_validator("partner_ids", mode="before")
    @classmethod
    def _ids(cls, value: object) -> object:
        if value in (None,) or (isinstance(value, str) and value.strip().lower() in NO_VALUE):
            return ""
        if not isinstance(value, str):
            raise ValueError("partner_ids must be a comma list")
        ids = [v.strip() for v in value.split(",") if v.strip()]
        if len(ids) > 10 or not all(PARTNER_ID.match(i) for i in ids):
            raise ValueError("partner_ids must be a comma list of partner ids")
        return ",".join(dict.fromkeys(ids))

    @property
    def confirmed(self) -> list[str]:
        return [p for p in self.partner_ids.split(",") if p]


class OutcomeParams(_Params):
    case_id: str = Field(pattern=CASE_ID)
    outcome: Literal[OUTCOMES]  # type: ignore[valid-type]
    follow_up: bool = False
    callback_requested: bool = False

    _flags = field_validator("follow_up", "callback_requested", mode="before")(
        lambda v: False if v in (None, "") else _bool_text(v)
    )


class BlockCallerParams(_Params):
    caller_id: str = Field(pattern=CALLER_ID.pattern)
    hours: int = Field(ge=1, le=720)
    # arn:aws:connect:<region>:<account>:instance/<instance-id>/agent/<user-id> ($.Agent.ARN)
    agent_arn: str = Field(
        pattern=r"^arn:aws[a-z-]*:connect:[a-z0-9-]+:\d{12}:instance/[A-Za-z0-9-]+/agent/[A-Za-z0-9-]+$"
    )
