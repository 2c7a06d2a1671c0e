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
