"""Rules of the outbound needs-survey campaign shared by run_survey_campaign and survey_consent:
the campaign settings (env SURVEY_CAMPAIGN), the contact states, calling hours, the token bucket.

Contact states (functions.dal.models.CampaignContact; queue "<campaign_id>#<state>" while the
person may still be called, phone and queue removed in the final states):

- ``pending`` -> ``dialing`` (the runner, write-ahead, attempts + 1) -> the person's answer via
  survey_consent: ``completed`` | ``declined`` (+ SurveyOptOut) | ``help`` | ``no_input``;
  or, when the call ended without a choice, the runner's reconciliation: back to ``pending``
  (due after retry_after_minutes) while attempts remain, else ``unreached``; ``opted_out`` when
  the person is on SurveyOptOut (checked before every call); ``unreached`` too when the
  person's language has no survey flow (SURVEY_FLOWS).
- The one ``no_input`` rule: the flow's event ``no_input`` (nothing pressed through the consent
  question's retries: often an answering machine) keeps the number and the ``no_input`` queue
  while attempts remain, called again after retry_after_minutes, final otherwise; a person who
  picked up and hung up before choosing (the reconciliation sees ConnectedToSystemTimestamp and
  no choice) is final ``no_input`` at once, never called again.
- Every final state (completed, declined, help, final no_input, unreached, opted_out) removes
  the number and the queue and sets ``expires_at`` to now + RETENTION_DAYS_SURVEYS days (the
  answers' retention: erasure still finds the person's calls through ``contact_ids``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

FINAL = ("completed", "declined", "help", "unreached", "opted_out")
CALLABLE = ("pending", "no_input")  # queues the runner places calls from
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class ConfigError(ValueError):
    """An environment variable of the campaign is missing or malformed (``field`` names it)."""

    def __init__(self, field: str) -> None:
        super().__init__(f"invalid {field}")
        self.field = field


@dataclass(frozen=True)
class CampaignSettings:
    survey_id: str
    timezone: str
    calls_per_second: float = 1.0
    burst: int = 2
    max_concurrent: int = 5
    attempts: int = 3
    retry_after_minutes: int = 240
    hours_from: int = 10 * 60  # minutes after local midnight
    hours_to: int = 19 * 60
    days: frozenset[int] = frozenset(range(6))  # Monday = 0
    closed_dates: frozenset[str] = frozenset()  # local "YYYY-MM-DD" on which the helpline is closed


def _minutes(text: Any, field: str) -> int:
    match = _HHMM.match(text) if isinstance(text, str) else None
    if not match:
        raise ConfigError(field)
    return int(match.group(1)) * 60 + int(match.group(2))


def parse_days(text: Any) -> frozenset[int]:
    """Days such as "mon-sat", "mon-fri,sun", "sat" -> weekday numbers (Monday 0)."""
    if not isinstance(text, str) or not text.strip():
        raise ConfigError("calling_hours.days")
    days: set[int] = set()
    for part in text.lower().replace(" ", "").split(","):
        first, _, last = part.partition("-")
        if first not in DAYS or (last and last not in DAYS):
            raise ConfigError("calling_hours.days")
        start, end = DAYS.index(first), DAYS.index(last or first)
        days.update(DAYS.index(d) % 7 for d in (DAYS * 2)[start : (end if end >= start else end + 7) + 1])
    return frozenset(days)


def _number(raw: dict, key: str, kind: type, low: float, high: float, default: Any) -> Any:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise ConfigError(key)
    if kind is int and value != int(value):
        raise ConfigError(key)
    return kind(value)


def load_settings(text: str | None) -> CampaignSettings:
    """SURVEY_CAMPAIGN: the outbound survey's ``campaign`` settings + "survey_id" + "timezone"
    (the ranges are the country file's, helpline/config/schema.py)."""
    try:
        raw = json.loads(text or "")
    except ValueError:
        raise ConfigError("SURVEY_CAMPAIGN") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("survey_id"), str) or not raw["survey_id"]:
        raise ConfigError("survey_id")
    hours = raw.get("calling_hours") or {"from": "10:00", "to": "19:00", "days": "mon-sat"}
    if not isinstance(hours, dict):
        raise ConfigError("calling_hours")
    start, end = _minutes(hours.get("from"), "calling_hours.from"), _minutes(hours.get("to"), "calling_hours.to")
    if end <= start:
        raise ConfigError("calling_hours.to")
    return CampaignSettings(
        survey_id=raw["survey_id"],
        timezone=_timezone(raw.get("timezone")),
        calls_per_second=_number(raw, "calls_per_second", float, 0.1, 5, 1.0),
        burst=_number(raw, "burst", int, 1, 5, 2),
        max_concurrent=_number(raw, "max_concurrent", int, 1, 100, 5),
        attempts=_number(raw, "attempts", int, 1, 5, 3),
        retry_after_minutes=_number(raw, "retry_after_minutes", int, 10, 10080, 240),
        hours_from=start,
        hours_to=end,
        days=parse_days(hours.get("days", "mon-sat")),
        closed_dates=parse_dates(raw.get("closed_dates", [])),
    )


def parse_dates(value: Any) -> frozenset[str]:
    """SURVEY_CAMPAIGN "closed_dates": a list of local calendar dates "YYYY-MM-DD" (absent: none)."""
    if not isinstance(value, list):
        raise ConfigError("closed_dates")
    for text in value:
        try:
            if not isinstance(text, str) or len(text) != 10 or date.fromisoformat(text).isoformat() != text:
                raise ValueError(text)
        except ValueError:
            raise ConfigError("closed_dates") from None
    return frozenset(value)


def _timezone(name: Any) -> str:
    from zoneinfo import ZoneInfo

    if not isinstance(name, str) or not name:
        raise ConfigError("timezone")
    try:
        ZoneInfo(name)
    except (ValueError, KeyError, OSError):  # ZoneInfoNotFoundError is a KeyError
        raise ConfigError("timezone") from None
    return name


def closed_reason(settings: CampaignSettings, now: datetime) -> str:
    """Why no call may be placed at ``now`` (aware), in the country's local time (zoneinfo:
    daylight saving time included; a calendar day's hours, [from, to)): "closed_date" (a date
    of closed_dates), "outside_calling_hours", or "" (calls may be placed)."""
    from zoneinfo import ZoneInfo

    local = now.astimezone(ZoneInfo(settings.timezone))
    if local.date().isoformat() in settings.closed_dates:
        return "closed_date"
    minute = local.hour * 60 + local.minute
    if local.weekday() in settings.days and settings.hours_from <= minute < settings.hours_to:
        return ""
    return "outside_calling_hours"


def within_calling_hours(settings: CampaignSettings, now: datetime) -> bool:
    """True when calls may be placed at ``now`` (see closed_reason)."""
    return not closed_reason(settings, now)


class TokenBucket:
    """``rate`` tokens a second, at most ``burst`` saved: StartOutboundVoiceContact's quota is a
    token bucket per account and Region (default 2 requests/s, burst 5: Amazon Connect API
    reference, "Amazon Connect service quotas",
    https://docs.aws.amazon.com/connect/latest/adminguide/amazon-connect-service-limits.html)."""

    def __init__(self, rate: float, burst: int, tokens: float | None, at: float | None) -> None:
        self.rate, self.burst = rate, burst
        self.tokens = float(burst) if tokens is None else min(float(tokens), float(burst))
        self.at = at

    def refill(self, now: float) -> None:
        if self.at is not None and now > self.at:
            self.tokens = min(float(self.burst), self.tokens + (now - self.at) * self.rate)
        if self.at is None or now > self.at:
            self.at = now

    def wait(self, now: float) -> float:
        """Seconds until one token is available (0 when one is)."""
        self.refill(now)
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate + 0.001  # + float rounding of epochs

    def take(self, now: float) -> bool:
        self.refill(now)
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True
