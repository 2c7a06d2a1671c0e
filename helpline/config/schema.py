"""Typed schema of a country file (after merging ``countries/defaults.yaml``).

Structure and types are checked by pydantic (unknown fields are errors); rules that span
several fields live in :mod:`helpline.config.rules`, which names the exact field at fault.
The full reference with an example of every field is ``docs/country-file.md``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from functools import cached_property, lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from helpline.config.files import COUNTRIES_DIR

_TIME_RANGE = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")
DAY_ALIASES = {
    "mon": "MONDAY",
    "tue": "TUESDAY",
    "wed": "WEDNESDAY",
    "thu": "THURSDAY",
    "fri": "FRIDAY",
    "sat": "SATURDAY",
    "sun": "SUNDAY",
}
_DAY_ORDER = list(DAY_ALIASES)
RECURRING_YEARS = 3  # years of a yearly closure written into the template (see Hours.closure_spans)
MAX_OVERRIDES = 50  # per hours of operation, not adjustable (Connect admin guide)
_ZONE_NAME = re.compile(r"^[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)*$")


@lru_cache(maxsize=64)
def zone(name: str) -> dt.tzinfo:
    """The IANA time zone ``name`` read from the pinned ``tzdata`` package.

    Not from the machine's own zone database: a name accepted on one machine and refused on
    another (or a rule that differs) would make synthesis and the simulator depend on where
    they run.  Raises LookupError for an unknown name.
    """
    if not _ZONE_NAME.match(name) or name.startswith(("posix/", "right/")):
        raise LookupError(name)
    resource = files("tzdata").joinpath("zoneinfo", *name.split("/"))
    if not resource.is_file():
        raise LookupError(name)
    with resource.open("rb") as fh:
        return ZoneInfo.from_file(fh, key=name)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def parse_time_range(text: str) -> tuple[tuple[int, int], tuple[int, int]]:
    """'09:00-17:00' -> ((9, 0), (17, 0)). '24:00' is allowed as an end (end of day)."""
    m = _TIME_RANGE.match(text.strip())
    if not m:
        raise ValueError(f"'{text}' is not a time range; fix: write it as HH:MM-HH:MM, e.g. 09:00-17:00")
    sh, sm, eh, em = (int(g) for g in m.groups())
    if sh > 23 or sm > 59 or eh > 24 or em > 59 or (eh == 24 and em != 0):
        raise ValueError(f"'{text}' has an impossible time; fix: hours 00-23 (24:00 only as an end), minutes 00-59")
    if (eh, em) <= (sh, sm):
        raise ValueError(
            f"'{text}' ends before it starts; fix: split a range past midnight into two days, e.g. 20:00-24:00"
        )
    return (sh, sm), (eh, em)


def parse_days(text: str) -> list[str]:
    """'mon-fri' -> ['MONDAY', ..., 'FRIDAY']; 'sat' -> ['SATURDAY']; 'mon,wed' also works.

    A range runs forward through the week and wraps past Sunday, so a week that starts on
    Sunday or Saturday is written as it is lived: 'sun-thu' is Sunday to Thursday, 'sat-wed'
    Saturday to Wednesday.
    """
    days: list[str] = []
    for part in text.lower().replace(" ", "").split(","):
        if "-" in part:
            a, b = part.split("-", 1)
            if a not in DAY_ALIASES or b not in DAY_ALIASES:
                raise ValueError(f"'{text}' is not a day range; fix: use mon tue wed thu fri sat sun, e.g. mon-fri")
            i, j = _DAY_ORDER.index(a), _DAY_ORDER.index(b)
            if i == j:
                raise ValueError(f"'{text}' starts and ends on the same day; fix: write the single day, e.g. {a}")
            span = j - i if j > i else j + 7 - i
            days.extend(DAY_ALIASES[_DAY_ORDER[(i + k) % 7]] for k in range(span + 1))
        elif part in DAY_ALIASES:
            days.append(DAY_ALIASES[part])
        else:
            raise ValueError(f"'{part}' is not a day; fix: use mon tue wed thu fri sat sun or a range like mon-fri")
    repeated = sorted({d for d in days if days.count(d) > 1}, key=list(DAY_ALIASES.values()).index)
    if repeated:
        raise ValueError(f"'{text}' names {repeated[0].lower()} twice; fix: list each day once")
    return days


class Slot(Strict):
    day: str
    start: tuple[int, int]
    end: tuple[int, int]


class Closure(Strict):
    """A holiday or other closure (whole days, in the country's time zone)."""

    # OverrideName allows 127 characters; a yearly closure's override gets " <year>" appended.
    name: str = Field(min_length=1, max_length=120)
    date: dt.date
    until: dt.date | None = None
    every_year: bool = Field(
        default=False,
        description="Closed on the same dates every year (e.g. Christmas); 'date' is the first year",
    )

    @model_validator(mode="after")
    def _order(self) -> Closure:
        if self.until is not None and self.until < self.date:
            raise ValueError(
                f"'until' ({self.until}) is before 'date' ({self.date}); fix: give the last closed day as until"
            )
        if self.every_year and (self.date.month, self.date.day) == (2, 29):
            raise ValueError("29 February does not come every year; fix: close on 28 February or 1 March")
        if self.every_year and self.until is not None and self.until.year != self.date.year:
            raise ValueError("a closure that comes every year may not span New Year; fix: split it into two closures")
        return self

    @property
    def last_day(self) -> dt.date:
        return self.until or self.date

    def in_year(self, year: int) -> tuple[dt.date, dt.date] | None:
        """The closure's days in ``year`` as (first, last), or None if it does not fall in that year."""
        if not self.every_year:
            return (self.date, self.last_day) if self.date.year <= year <= self.last_day.year else None
        if year < self.date.year:
            return None
        return self.date.replace(year=year), self.last_day.replace(year=year)

    def covers(self, day: dt.date) -> bool:
        span = self.in_year(day.year)
        return span is not None and span[0] <= day <= span[1]


class Hours(Strict):
    time_zone: str
    weekly: dict[str, str | list[str]]
    closures: list[Closure] = []
    spoken: dict[str, str] = Field(
        description="The opening hours as said in each language, inserted into the 'closed' and "
        "'closed_holiday' messages"
    )

    @field_validator("time_zone")
    @classmethod
    def _tz(cls, v: str) -> str:
        try:
            zone(v)
        except LookupError as exc:
            raise ValueError(f"'{v}' is not an IANA time zone; fix: use a name like Europe/Warsaw") from exc
        return v

    @property
    def zone(self) -> dt.tzinfo:
        return zone(self.time_zone)

    @field_validator("weekly")
    @classmethod
    def _weekly(cls, v: dict[str, str | list[str]]) -> dict[str, str | list[str]]:
        seen: dict[str, list[tuple[tuple[int, int], tuple[int, int]]]] = {}
        for days, ranges in v.items():
            for day in parse_days(days):
                for r in [ranges] if isinstance(ranges, str) else ranges:
                    s, e = parse_time_range(r)
                    for s2, e2 in seen.get(day, []):
                        if s < e2 and s2 < e:
                            raise ValueError(f"{day.lower()} has overlapping ranges; fix: merge them into one")
                    seen.setdefault(day, []).append((s, e))
        return v

    @cached_property
    def slots(self) -> list[Slot]:
        out = []
        for days, ranges in self.weekly.items():
            for day in parse_days(days):
                for r in [ranges] if isinstance(ranges, str) else ranges:
                    s, e = parse_time_range(r)
                    out.append(Slot(day=day, start=s, end=e))
        order = list(DAY_ALIASES.values())
        return sorted(out, key=lambda sl: (order.index(sl.day), sl.start))

    def closure_spans(self, today: dt.date) -> list[tuple[str, dt.date, dt.date]]:
        """The closures as Amazon Connect hours-of-operation overrides: (name, first day, last day).

        A closure that comes every year is written out for RECURRING_YEARS years from this
        year (or from its first year, if later): dated CLOSED overrides are the behaviour the
        CloudFormation reference documents (EffectiveFrom/EffectiveTill, both days included).
        Re-deploying at least once a year keeps them rolling.  Connect allows 50 overrides per
        hours of operation, not adjustable (adminguide/hours-of-operation-overrides.html);
        the country-file rules check the count.
        """
        spans = []
        for c in self.closures:
            if not c.every_year:
                spans.append((c.name, c.date, c.last_day))
                continue
            start = max(c.date.year, today.year)
            for year in range(start, start + RECURRING_YEARS):
                first, last = c.in_year(year)  # type: ignore[misc]
                spans.append((f"{c.name} {year}", first, last))
        return spans

    def is_open(self, when: dt.datetime, *, closures: bool = True) -> bool:
        """Whether the helpline is open at ``when`` (aware datetime; naive = local time).

        ``closures=False``: by the weekly hours alone, as if no closure were listed (the stack's
        second hours of operation, ``weekly``, which tells a closure from a normal closed hour)."""
        local = self.local(when)
        if closures and self.closed_for(when):
            return False
        day = list(DAY_ALIASES.values())[local.weekday()]
        hm = (local.hour, local.minute)
        return any(sl.day == day and sl.start <= hm < sl.end for sl in self.slots)

    def closed_for(self, when: dt.datetime) -> bool:
        """Whether a closure (``closures``) covers the local day of ``when``."""
        day = self.local(when).date()
        return any(c.covers(day) for c in self.closures)

    def local(self, when: dt.datetime) -> dt.datetime:
        """``when`` in the helpline's time zone (a naive datetime is local time already)."""
        tz = self.zone
        return when.replace(tzinfo=tz) if when.tzinfo is None else when.astimezone(tz)


class Language(Strict):
    code: str = Field(description="ISO 639-1 code, e.g. uk")
    digit: str = Field(pattern=r"^[0-9]$", description="Key pressed to choose this language")
    voice: str | None = Field(default=None, description="Amazon Polly voice id, e.g. Tatyana")
    recorded: bool = Field(default=False, description="Use recorded prompts from `recordings` instead of Polly")


class Recordings(Strict):
    folder: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9_][A-Za-z0-9_./-]*$",
        description="Folder with <lang>/<prompt id>.wav, relative to countries/; default <code>/prompts",
    )


class Emergency(Strict):
    number: str = Field(pattern=r"^[0-9]{2,6}$", description="Local emergency number said to callers")
    digit: str = Field(pattern=r"^[0-9]$", description="Key for 'in danger: operator now' (priority queue)")


class Ivr(Strict):
    max_attempts: int = Field(ge=1, le=5, description="Tries at a menu before the caller is put through")
    input_timeout_seconds: int = Field(ge=1, le=180)
    lambda_timeout_seconds: int = Field(ge=1, le=8, description="Connect allows at most 8 s")
    # AWS advises an interruption period above 20 s for Loop prompts (MessageParticipantIteratively).
    # At most 240 s: the hold music between two messages is one prompt, and Connect plays
    # prompts shorter than 5 minutes (prompts.html); the generated music lasts 250 s.
    queue_message_seconds: int = Field(
        gt=20, le=240, description="Interval of the waiting message (21-240 s; AWS: above 20 s, loop-prompts.html)"
    )


class Topic(Strict):
    key: str = Field(pattern=r"^[a-z][a-z0-9_]{1,30}$")
    digit: str = Field(pattern=r"^[1-9]$")
    menu: dict[str, str] = Field(description="Menu option per language, e.g. 'For health care, press 1.'")
    info: dict[str, str] = Field(description="The information read to the caller, per language")


# E.164, as Amazon Connect's phone-number quick connects require it (AWS::Connect::QuickConnect
# PhoneNumberQuickConnectConfig: pattern ^\+[1-9]\d{1,14}$).
E164_PATTERN = r"^\+[1-9][0-9]{1,14}$"


class PartnerChannel(Strict):
    type: Literal["email", "phone", "webhook", "sms"]
    address: str = Field(min_length=3)

    @property
    def e164(self) -> str | None:
        """The address as an E.164 number (spaces, dots, dashes and brackets dropped), or None."""
        number = re.sub(r"[\s.()-]", "", self.address)
        return number if re.match(E164_PATTERN, number) else None


class Partner(Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")
    name: str = Field(min_length=2)
    services: list[str] = Field(min_length=1, description="UNHCR specific-needs codes served")
    regions: list[str] = Field(min_length=1, description="Regions served, or ['*'] for the whole country")
    languages: list[str] = Field(min_length=1)
    channel: PartnerChannel
    capacity: int = Field(ge=1, le=100000, description="Open referrals the partner accepts at once")


# ARNs of things that already exist in the account ("bring your own").
INSTANCE_ARN_PATTERN = r"^arn:aws[a-z-]*:connect:[a-z0-9-]+:[0-9]{12}:instance/[0-9a-f-]{36}$"
PHONE_NUMBER_ARN_PATTERN = r"^arn:aws[a-z-]*:connect:[a-z0-9-]+:[0-9]{12}:phone-number/[0-9a-f-]{36}$"
# CreateInstance: InstanceAlias is 1-45 characters, ^(?!d-)([\da-zA-Z]+)([-]*[\da-zA-Z])*$ and unique
# across every Connect instance in every Region (API_Instance.html / API_CreateInstance.html).
INSTANCE_ALIAS_PATTERN = r"^([0-9a-zA-Z]+)(-*[0-9a-zA-Z])*$"  # plus: does not start with "d-"
INSTANCE_ALIAS_MAX = 45


NumberType = Literal["DID", "TOLL_FREE", "UIFN", "SHARED", "THIRD_PARTY_DID", "THIRD_PARTY_TF"]


class NumberSpec(Strict):
    """A Connect number: an existing one (arn) or one to claim (type, country_code, prefix)."""

    arn: str | None = Field(
        default=None,
        pattern=PHONE_NUMBER_ARN_PATTERN,
        description="An existing Connect phone number (claimed already): nothing is claimed",
    )
    type: NumberType | None = None
    country_code: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    prefix: str | None = Field(default=None, pattern=r"^\+[0-9]{1,15}$")


class PhoneNumber(NumberSpec):
    """The number callers dial, and optionally a separate number the helpline calls out from."""

    outbound: NumberSpec | None = Field(
        default=None,
        description="The queues' outbound caller ID (callbacks, agents' calls) and the outbound survey's "
        "source number, where the inbound number cannot call out; default the inbound number",
    )


class Instance(Strict):
    arn: str | None = Field(
        default=None,
        pattern=INSTANCE_ARN_PATTERN,
        description="An existing Connect instance: no instance is created; everything attaches to it",
    )
    alias: str | None = Field(
        default=None,
        max_length=INSTANCE_ALIAS_MAX,
        pattern=INSTANCE_ALIAS_PATTERN,
        description="Instance alias (unique across all Connect instances); default derived per stack",
    )

    @field_validator("alias")
    @classmethod
    def _alias(cls, v: str | None) -> str | None:
        if v is not None and v.startswith("d-"):
            raise ValueError(
                f"'{v}' starts with 'd-', which Connect keeps for directory ids; fix: choose another alias"
            )
        return v

    contact_lens: bool = True
    inbound_calls: bool = True
    outbound_calls: bool = True


class Operators(Strict):
    language: str | None = Field(
        default=None,
        description="Working language of the operators (agent whisper, guide); default the first language; "
        "may be a language callers do not use",
    )
    voice: str | None = Field(
        default=None,
        description="Amazon Polly voice of the whisper when the operators' language is not a caller language; "
        "default the language's first Polly voice",
    )
    labels: dict[str, str] = Field(
        default={},
        description="The operators' guide's labels in the operators' language, merged over the shipped set "
        "(helpline/guide/labels/<lang>.yaml); every key of en.yaml when no set is shipped",
    )


class Capacity(Strict):
    """The load to plan for (surge readiness): it sizes the service quotas to raise before launch."""

    calls_per_day: int = Field(default=500, ge=1, le=1_000_000, description="Calls on the busiest expected day")
    peak_hour_share: float = Field(
        default=0.15, gt=0, le=1, description="Share of that day's calls arriving in its busiest hour"
    )
    handle_minutes: float = Field(default=8, gt=0, le=180, description="Average time an operator spends on a call")
    wait_minutes: float = Field(default=5, ge=0, le=180, description="Average wait in the queue at the peak")


class Tables(Strict):
    # DynamoDB refuses DeleteTable while deletion protection is on, so a failed first create
    # could not roll its (empty) tables back and the stack would end in ROLLBACK_FAILED.
    deletion_protection: bool = Field(
        default=False,
        description="DynamoDB deletion protection; turn on once the first deploy has succeeded",
    )


# IAM principals that may assume the auditor role: a role or user ARN, or an account id.
AUDITOR_PRINCIPAL_PATTERN = r"^(arn:aws[a-z-]*:iam::[0-9]{12}:(role|user)/[A-Za-z0-9+=,.@_/-]{1,512}|[0-9]{12})$"


class Audit(Strict):
    archive_retention_days: int | None = Field(
        default=None,
        ge=1,
        le=3650,
        description="S3 Object Lock (compliance mode) retention of archived records and signed checkpoints; "
        "default retention_days.cases",
    )
    checkpoint_batch_seconds: int = Field(
        default=60,
        ge=0,
        le=300,
        description="How long the archive gathers stream records before it writes a batch and a signed "
        "checkpoint (Lambda MaximumBatchingWindowInSeconds, 0-300)",
    )
    auditor_principals: list[str] = Field(
        default=[],
        description="Who may assume the auditor role (role/user ARNs or account ids); default this account, with MFA",
    )

    @field_validator("auditor_principals")
    @classmethod
    def _principals(cls, v: list[str]) -> list[str]:
        bad = [p for p in v if not re.match(AUDITOR_PRINCIPAL_PATTERN, p)]
        if bad:
            raise ValueError(
                f"'{bad[0]}' is not an IAM role or user ARN or an account id; "
                "fix: e.g. arn:aws:iam::123456789012:role/auditors or 123456789012"
            )
        return list(dict.fromkeys(v))


SURVEY_KEYS = {"repeat": "0", "prefer_not": "*", "end_number": "#", "yes": "1", "no": "2", "help": "9"}
_CLOCK = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$")


class SurveyQuestion(Strict):
    """One keypad question. Keys: 1..N a choice (1 yes, 2 no), 0 repeats, * prefer not to say,
    # ends a number. Say them in ``text``."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]{1,30}$")
    kind: Literal["choice", "number", "yes_no"]
    text: dict[str, str] = Field(description="The question as said in each language, with the keys to press")
    label: str = Field(min_length=2, max_length=120, description="Short English label for reports and charts")
    choices: list[str] = Field(
        default=[], description="choice only: the English label of each answer 1..N (2 to 9 answers)"
    )
    max_digits: int = Field(default=3, ge=1, le=6, description="number only: most digits before #")
    timeout_seconds: int = Field(default=8, ge=1, le=30, description="Wait for a key, then ask again")
    retries: int = Field(default=1, ge=0, le=3, description="Times the question is asked again after no or a wrong key")

    @model_validator(mode="after")
    def _shape(self) -> SurveyQuestion:
        if self.kind == "choice" and not 2 <= len(self.choices) <= 9:
            raise ValueError(f"question '{self.id}' offers {len(self.choices)} answers; fix: list 2 to 9 choices")
        if self.kind != "choice" and self.choices:
            raise ValueError(f"question '{self.id}' is {self.kind} but lists choices; fix: remove choices")
        return self


class CallingHours(Strict):
    """When survey calls may be placed: local time in the country's hours time zone."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    start: str = Field(default="10:00", alias="from", description="First minute calls may be placed, HH:MM")
    end: str = Field(default="19:00", alias="to", description="No call is placed from this minute on, HH:MM")
    days: str = Field(default="mon-sat", description="Days, e.g. mon-sat or mon,wed,fri")

    @field_validator("start", "end")
    @classmethod
    def _clock(cls, v: str) -> str:
        if not _CLOCK.match(v):
            raise ValueError(f"'{v}' is not a time of day; fix: write it as HH:MM, e.g. 10:00")
        return v

    @field_validator("days")
    @classmethod
    def _days(cls, v: str) -> str:
        parse_days(v)
        return v

    @model_validator(mode="after")
    def _order(self) -> CallingHours:
        if self.end <= self.start:
            raise ValueError(
                f"calling hours from {self.start} to {self.end} end before they start; "
                "fix: give 'from' earlier than 'to' on the same day, e.g. from 10:00 to 19:00"
            )
        return self

    @property
    def day_names(self) -> list[str]:
        """['MONDAY', ..., 'SATURDAY']."""
        return parse_days(self.days)


class Campaign(Strict):
    """How an outbound survey is placed (helpline survey-campaign; the run_survey_campaign Lambda)."""

    calls_per_second: float = Field(
        default=1.0,
        ge=0.1,
        le=5,
        description="Calls placed per second at most (StartOutboundVoiceContact: 2/s default)",
    )
    burst: int = Field(default=2, ge=1, le=5, description="Calls placed at once after a pause (token bucket)")
    max_concurrent: int = Field(default=5, ge=1, le=100, description="Survey calls in progress at once")
    attempts: int = Field(default=3, ge=1, le=5, description="Calls placed to one person at most")
    retry_after_minutes: int = Field(default=240, ge=10, le=10080, description="Wait before calling again")
    calling_hours: CallingHours = CallingHours()
    list_retention_days: int = Field(
        default=14, ge=1, le=90, description="Days the contact list (with phone numbers) is kept at most"
    )


class Survey(Strict):
    """A keypad survey: after a call (the caller stays on the line) or placed to people who agreed."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]{1,30}$")
    kind: Literal["post_call", "outbound"]
    consent: dict[str, str] = Field(
        description="Said first in each language: who asks, why, that it is voluntary; 1 to take part, 2 to decline"
        " (outbound: 2 is never called again, 9 speaks with the helpline now)"
    )
    thanks: dict[str, str] = Field(description="Said at the end in each language; names the emergency number")
    declined: dict[str, str] = Field(
        default={},
        description="outbound only: said to whoever presses 2 (never called again); names the emergency number",
    )
    opener: dict[str, str] = Field(
        default={},
        description="outbound only: said first on pickup, before the consent, naming nothing (not the helpline, "
        "refugees, the survey's topic, the country or the emergency services): 1 continues to the consent",
    )
    opener_goodbye: dict[str, str] = Field(
        default={},
        description="outbound only: the neutral goodbye when nobody pressed 1 at the opener (a voicemail, "
        "someone else on a shared phone); names nothing, like the opener",
    )
    campaign: Campaign | None = Field(default=None, description="outbound only: how the calls are placed")
    questions: list[SurveyQuestion] = Field(min_length=1, max_length=20)

    @model_validator(mode="after")
    def _kind(self) -> Survey:
        if self.kind == "outbound" and self.campaign is None:
            raise ValueError(
                f"outbound survey '{self.id}' has no campaign; fix: add campaign: {{}} "
                "(defaults: 1 call per second, 3 attempts, 10:00-19:00 mon-sat)"
            )
        if self.kind == "outbound" and not self.declined:
            raise ValueError(
                f"outbound survey '{self.id}' has no declined text; fix: add declined: {{<lang>: ...}}, "
                "said to whoever presses 2, naming {emergency_number}"
            )
        for name in ("opener", "opener_goodbye"):
            if self.kind == "outbound" and not getattr(self, name):
                raise ValueError(
                    f"outbound survey '{self.id}' has no {name} text; fix: add {name}: {{<lang>: ...}}, "
                    + (
                        "said first on pickup, naming nothing, e.g. 'Hello. This is the call you agreed to receive. "
                        "If you are the person we are calling and can talk now, press 1. Otherwise you can hang up.'"
                        if name == "opener"
                        else "a neutral goodbye when nobody pressed 1 at the opener, e.g. 'Goodbye.'"
                    )
                )
            if self.kind == "post_call" and getattr(self, name):
                raise ValueError(
                    f"post_call survey '{self.id}' has an {name} text; fix: remove {name} "
                    "(only a call the helpline places opens with a neutral opener)"
                )
        if self.kind == "post_call" and self.campaign is not None:
            raise ValueError(
                f"post_call survey '{self.id}' has a campaign; fix: remove campaign (only an outbound survey places calls)"
            )
        if self.kind == "post_call" and self.declined:
            raise ValueError(
                f"post_call survey '{self.id}' has a declined text; fix: remove declined "
                "(after a call, declining hears the goodbye message)"
            )
        return self


class Retention(Strict):
    callers: int = Field(ge=1, le=3650)
    cases: int = Field(ge=1, le=3650)
    interactions: int = Field(ge=1, le=3650)
    referrals: int = Field(ge=1, le=3650)
    surveys: int = Field(ge=1, le=3650)
    recordings: int = Field(ge=1, le=3650)


class CountryConfig(Strict):
    code: str = Field(pattern=r"^[a-z]{2}$", description="ISO 3166-1 alpha-2, lower case; equals the file name")
    name: str = Field(min_length=2)
    region: str
    account: str | None = Field(default=None, pattern=r"^[0-9]{12}$")
    stage: str = Field(pattern=r"^[a-z][a-z0-9]{1,15}$")
    instance: Instance
    languages: list[Language] = Field(min_length=1)
    recordings: Recordings = Recordings()
    operators: Operators = Operators()
    tables: Tables = Tables()
    capacity: Capacity = Capacity()
    audit: Audit = Audit()
    hours: Hours
    emergency: Emergency
    ivr: Ivr
    topics: list[Topic] = Field(min_length=1)
    regions: list[str] = Field(
        default=[],
        description="The country's regions: the operators' guide asks which one the caller is in, "
        "and partners serve some of them or all ('*')",
    )
    partners: list[Partner] = []
    surveys: list[Survey] = []
    phone_number: PhoneNumber
    retention_days: Retention
    messages: dict[str, dict[str, str]]
    tags: dict[str, str] = {}
    stages: dict[str, dict] = Field(default={}, description="Per-stage overrides, merged when that stage is chosen")
    _countries_dir: Path | None = PrivateAttr(default=None)

    # ---- derived names (one place, used by stacks and tools) ----
    @property
    def language_codes(self) -> list[str]:
        return [lang.code for lang in self.languages]

    @property
    def stack_name(self) -> str:
        return f"Helpline-{self.code.upper()}-{self.stage}"

    @property
    def archive_retention_days(self) -> int:
        """Object Lock retention of the audit archive: audit.archive_retention_days or the cases' retention."""
        return self.audit.archive_retention_days or self.retention_days.cases

    @property
    def operator_language(self) -> str:
        return self.operators.language or self.languages[0].code

    @property
    def countries_dir(self) -> Path:
        """The folder the country file was loaded from (set by the loader)."""
        return self._countries_dir or COUNTRIES_DIR

    @property
    def prompts_dir(self) -> Path:
        """Folder of this country's recorded prompts: ``<prompts_dir>/<lang>/<prompt id>.wav``."""
        return self.countries_dir / (self.recordings.folder or f"{self.code}/prompts")

    def language(self, code: str) -> Language:
        """A caller language, or the operators' language when callers do not use it (its voice
        is ``operators.voice`` or the language's first Polly voice; it has no menu digit)."""
        for lang in self.languages:
            if lang.code == code:
                return lang
        if code == self.operator_language:
            from helpline.config.reference import LANGUAGES

            info = LANGUAGES.get(code)
            voice = self.operators.voice or (info.polly_voices[0] if info and info.polly_voices else None)
            return Language.model_construct(code=code, digit="", voice=voice, recorded=False)
        raise KeyError(code)

    @property
    def operators_only(self) -> bool:
        """The operators work in a language no caller is offered."""
        return self.operator_language not in self.language_codes

    def queue_names(self) -> dict[str, str]:
        """Logical queue key -> queue name: per language ``<lang>`` and ``priority_<lang>``.

        Priority callers (emergency, report of someone at risk) keep their language: each
        language has its own priority queue, which that language's operators take first.
        """
        names: dict[str, str] = {}
        for lang in self.languages:
            names[lang.code] = f"{self.code.upper()} {lang.code}"
            names[f"priority_{lang.code}"] = f"{self.code.upper()} priority {lang.code}"
        return names

    def spoken(self, lang: str) -> dict[str, str]:
        """Every text spoken in ``lang``: prompt id -> text (placeholders filled).

        Prompt ids are the message keys plus ``topic_<key>_menu`` and ``topic_<key>_info``,
        ``survey_<id>_consent``, ``survey_<id>_thanks``, ``survey_<id>_declined``,
        ``survey_<id>_opener`` and ``survey_<id>_opener_goodbye`` (outbound) and
        ``survey_<id>_<question id>``, and
        in the operators' language ``whisper_language_<code>`` for every caller language.
        For a recorded language each id is one audio file, see :meth:`recording_uri`.
        """
        from helpline.config.messages import (
            LANGUAGE_NAME_PREFIX,
            OPERATOR_MESSAGES,
            REQUIRED_MESSAGES,
            TEMPLATE_MESSAGES,
        )

        if lang not in self.language_codes:  # an operators' language callers do not use: the whisper only
            out = {key: self.message(lang, key) for key in OPERATOR_MESSAGES if key not in TEMPLATE_MESSAGES}
        else:
            out = {key: self.message(lang, key) for key in REQUIRED_MESSAGES if key not in TEMPLATE_MESSAGES}
        if lang == self.operator_language:  # the whisper: each caller language, said to operators
            for code in self.language_codes:
                name = self.messages[lang][f"{LANGUAGE_NAME_PREFIX}{code}"]
                out[f"whisper_language_{code}"] = self.message(lang, "whisper_language", caller_language=name)
        if lang not in self.language_codes:
            return out
        for topic in self.topics:
            out[f"topic_{topic.key}_menu"] = topic.menu[lang].format(**self._values(lang))
            out[f"topic_{topic.key}_info"] = topic.info[lang].format(**self._values(lang))
        for survey in self.surveys:  # survey_<id>_consent/_thanks/_declined/_opener/_opener_goodbye, _<question>
            texts = {"consent": survey.consent, "thanks": survey.thanks} | {q.id: q.text for q in survey.questions}
            for extra in ("declined", "opener", "opener_goodbye"):  # outbound only
                if getattr(survey, extra):
                    texts[extra] = getattr(survey, extra)
            for key, per_lang in texts.items():
                if lang in per_lang:
                    out[f"survey_{survey.id}_{key}"] = per_lang[lang].format(**self._values(lang))
        return out

    @property
    def post_call_survey(self) -> Survey | None:
        """The survey offered after a call (the first ``post_call`` one), if any."""
        return next((s for s in self.surveys if s.kind == "post_call"), None)

    @property
    def outbound_survey(self) -> Survey | None:
        """The survey placed by outbound calls (the ``outbound`` one), if any."""
        return next((s for s in self.surveys if s.kind == "outbound"), None)

    def campaign_runner_settings(self, today: dt.date | None = None) -> str:
        """``SURVEY_CAMPAIGN`` of run_survey_campaign and survey_consent, as the stack sets it (read by
        ``functions.logic.campaign_rules.load_settings``): the outbound survey's ``campaign`` settings
        (``calling_hours`` with the file's ``from``/``to``), its id, the time zone of the country's
        hours and ``closed_dates``: every local date of ``hours.closures`` (yearly ones written out
        like the hours-of-operation overrides), on which nobody is called (9, "speak with the
        helpline now", would reach a closed helpline); "" for a country without an outbound survey."""
        survey = self.outbound_survey
        if survey is None or survey.campaign is None:
            return ""
        closed = set()
        for _name, first, last in self.hours.closure_spans(today or dt.date.today()):
            closed.update((first + dt.timedelta(days=n)).isoformat() for n in range((last - first).days + 1))
        settings = survey.campaign.model_dump(by_alias=True) | {"closed_dates": sorted(closed)}
        return json.dumps({**settings, "survey_id": survey.id, "timezone": self.hours.time_zone}, sort_keys=True)

    def uses_recordings(self, lang: str) -> bool:
        return self.language(lang).recorded

    def recording_path(self, lang: str, prompt_id: str) -> Path:
        """Local file of the recorded prompt ``prompt_id`` in ``lang`` (uploaded as a CDK asset)."""
        return self.prompts_dir / lang / f"{prompt_id}.wav"

    def _values(self, lang: str, **extra: str) -> dict[str, str]:
        values = {
            "emergency_number": self.emergency.number,
            "emergency_digit": self.emergency.digit,
            "hours": self.hours.spoken.get(lang, ""),
            "country": self.name,
            "digit": self.language(lang).digit if any(lg.code == lang for lg in self.languages) else "",
        }
        values.update(extra)
        return values

    def message(self, lang: str, key: str, **extra: str) -> str:
        """A spoken message in ``lang`` with its placeholders filled."""
        return self.messages[lang][key].format(**self._values(lang, **extra))
