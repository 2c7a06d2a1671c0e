"""A simulated clock, a fake Amazon Connect and list loading for the outbound survey campaign tests.

moto has no Amazon Connect.  :class:`FakeConnect` answers StartOutboundVoiceContact and
DescribeContact on the REAL botocore client of functions.logic.campaign (``before-call`` hook,
as botocore's Stubber does: parameters are validated against the service model and every call
is recorded by the sandbox), following the documented behaviour: a ClientToken seen before
returns the same contact while it is going and starts a new one once it has ended; a call
rings at most 60 s; DisconnectTimestamp / ConnectedToSystemTimestamp as in API_Contact.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.awsrequest import AWSResponse

CAMPAIGN = "spring-needs"
SURVEY = "needs-2026"
FLOWS = {"uk": "flow-uk-0001", "ru": "flow-ru-0001"}
SOURCE = "+48800123456"
# Wednesday 25 November 2026, 12:00 in Warsaw (CET, UTC+1)
NOON_WARSAW = datetime(2026, 11, 25, 11, 0, tzinfo=UTC).timestamp()


class Crash(BaseException):  # noqa: N818 - the Lambda process dies (not an exception handlers catch)
    pass


class SimClock:
    def __init__(self, start: float = NOON_WARSAW) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.now += seconds


@dataclass
class Call:
    contact_id: str
    phone: str
    token: str
    attributes: dict
    flow: str
    start: float
    end: float
    connected: bool


@dataclass
class FakeConnect:
    clock: SimClock
    # phone -> "no_answer" (rings 60 s) | "answer" (picks up, talks ``talk`` s) ; default no_answer
    behaviour: dict[str, str] = field(default_factory=dict)
    talk: float = 30.0
    calls: list[Call] = field(default_factory=list)  # every call that really rang
    requests: list[float] = field(default_factory=list)  # sim time of every Start request
    errors: list[str | None] = field(default_factory=list)  # per Start request: an error code or None
    crash_before: set[int] = field(default_factory=set)  # request numbers that crash before reaching Connect
    crash_after: set[int] = field(default_factory=set)  # ... after Connect started the call
    hang: set[int] = field(default_factory=set)  # requests that hang past the Lambda timeout (60 s)
    describes: list[float] = field(default_factory=list)  # sim time of every DescribeContact
    describe_errors: list[str | None] = field(default_factory=list)  # per DescribeContact: an error code
    unknown_until: float = 0.0  # DescribeContact answers ResourceNotFound before this sim time
    after_start: Any = None  # called with the request number after each call Connect started
    max_active: int = 0
    _params: dict = field(default_factory=dict)

    def attach(self) -> None:
        from functions.dal import clients

        client = clients.client("connect", clients.PACED)  # the campaign's Connect client
        events = client.meta.events
        events.register("before-parameter-build.connect.*", self._remember)
        events.register("before-call.connect.StartOutboundVoiceContact", self._start)
        events.register("before-call.connect.DescribeContact", self._describe)

    def _remember(self, params: dict, **_: Any) -> None:
        self._params = dict(params)

    def active(self, at: float) -> int:
        return sum(1 for c in self.calls if c.start <= at < c.end)

    def _start(self, **_: Any) -> tuple:
        p, now = self._params, self.clock.now
        number = len(self.requests)
        self.requests.append(now)
        if number in self.crash_before:
            raise Crash("before the request")
        if number in self.hang:  # the Lambda runtime ends the process at its timeout
            self.clock.now += 60
            raise Crash("Task timed out after 60.00 seconds")
        error = self.errors[number] if number < len(self.errors) else None
        if error:
            return _error(error)
        same = [c for c in self.calls if c.token == p["ClientToken"]]
        if same and same[-1].end > now:  # ClientToken: the contact already started
            return _ok({"ContactId": same[-1].contact_id})
        answer = self.behaviour.get(p["DestinationPhoneNumber"], "no_answer") == "answer"
        end = now + (5 + self.talk if answer else 60)
        call = Call(
            secrets.token_hex(8),
            p["DestinationPhoneNumber"],
            p["ClientToken"],
            p["Attributes"],
            p["ContactFlowId"],
            now,
            end,
            answer,
        )
        self.calls.append(call)
        self.max_active = max(self.max_active, self.active(now))
        if number in self.crash_after:
            raise Crash("after the call started")
        if self.after_start is not None:
            self.after_start(number)
        return _ok({"ContactId": call.contact_id, "ContactArn": "arn:aws:connect:::contact"})

    def _describe(self, **_: Any) -> tuple:
        now = self.clock.now
        number = len(self.describes)
        self.describes.append(now)
        error = self.describe_errors[number] if number < len(self.describe_errors) else None
        if error:
            return _error(error)
        if now < self.unknown_until:
            return _error("ResourceNotFoundException", 404)
        found = [c for c in self.calls if c.contact_id == self._params["ContactId"]]
        if not found:
            return _error("ResourceNotFoundException", 404)
        call = found[0]
        contact: dict[str, Any] = {"Id": call.contact_id, "InitiationTimestamp": call.start}
        if call.connected and now >= call.start + 5:
            contact["ConnectedToSystemTimestamp"] = call.start + 5
        if now >= call.end:
            contact["DisconnectTimestamp"] = call.end
        return _ok({"Contact": contact})

    def calls_to(self, phone: str) -> int:
        return sum(1 for c in self.calls if c.phone == phone)


def _ok(body: dict) -> tuple:
    return AWSResponse(None, 200, {}, None), {**body, "ResponseMetadata": {"HTTPStatusCode": 200}}


def _error(code: str, status: int = 429) -> tuple:
    body = {"Error": {"Code": code, "Message": "fake connect"}, "ResponseMetadata": {"HTTPStatusCode": status}}
    return AWSResponse(None, status, {}, None), body


class Context:
    function_name = "run_survey_campaign"
    aws_request_id = "req-campaign"

    def __init__(self, remaining_ms: int = 60_000) -> None:
        self.remaining_ms = remaining_ms

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


SCHEDULED = {
    "version": "0",
    "id": "e-1",
    "detail-type": "Scheduled Event",
    "source": "aws.events",
    "time": "2026-11-25T11:00:00Z",
    "resources": [],
    "detail": {},
}


def settings(**overrides: Any) -> dict:
    base = {
        "survey_id": SURVEY,
        "timezone": "Europe/Warsaw",
        "calls_per_second": 1.0,
        "burst": 2,
        "max_concurrent": 5,
        "attempts": 3,
        "retry_after_minutes": 10,
        "calling_hours": {"from": "10:00", "to": "19:00", "days": "mon-sat"},
        "list_retention_days": 14,
    }
    return {**base, **overrides}


def configure(monkeypatch, clock: SimClock, **overrides: Any) -> None:
    from functions.logic import campaign

    monkeypatch.setenv("SURVEY_CAMPAIGN", json.dumps(settings(**overrides)))
    monkeypatch.setenv("SURVEY_FLOWS", json.dumps(FLOWS))
    monkeypatch.setenv("SURVEY_SOURCE_NUMBER", SOURCE)
    monkeypatch.setattr(campaign, "clock", clock)
    monkeypatch.setattr(campaign, "sleep", clock.sleep)


def phone(n: int) -> str:
    return f"+4860{n:07d}"


def pseudonym(number: str) -> str:
    return hashlib.sha256(f"test:{number}".encode()).hexdigest()


def load_list(backend, clock: SimClock, phones: list[str], campaign_id: str = CAMPAIGN, language: str = "uk") -> dict:
    """The campaign item and one pending contact per phone (what `helpline survey-campaign start` writes)."""
    from functions.dal.models import CampaignContact, SurveyCampaign

    keys = {}
    loaded = datetime.fromtimestamp(clock.now, UTC)
    expires = datetime.now(UTC) + timedelta(days=14)
    with backend.internal():
        SurveyCampaign(
            campaign_id,
            survey_id=SURVEY,
            status="active",
            created_at=loaded,
            list_expires_at=int(expires.timestamp()),
            contacts=len(phones),
        ).save()
        for number in phones:
            key = secrets.token_hex(16)
            keys[number] = key
            CampaignContact(
                campaign_id,
                key,
                pseudonym=pseudonym(number),
                phone=number,
                language=language,
                consent_ref="form-2026-03",
                state="pending",
                queue=f"{campaign_id}#pending",
                due_at=loaded.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                attempts=0,
                expires_at=expires,
            ).save()
    return keys


def contacts(backend, campaign_id: str = CAMPAIGN) -> dict[str, dict]:
    """contact_key -> item (plain values)."""
    items = backend.dump_tables()["SurveyCampaignContacts"]
    return {i["contact_key"]: i for i in items if i["campaign_id"] == campaign_id}


_SCHEDULED = object()


def run_once(clock: SimClock | None = None, remaining_ms: int = 60_000, event: Any = _SCHEDULED) -> dict:
    from functions.handlers.run_survey_campaign import handler

    return handler(SCHEDULED if event is _SCHEDULED else event, Context(remaining_ms))


def run_minutes(clock: SimClock, minutes: int) -> list[dict]:
    """One run at the start of each minute (the schedule), the simulated time running on."""
    answers = []
    for _ in range(minutes):
        start = clock.now
        answers.append(run_once(clock))
        clock.now = max(clock.now, start + 60)
    return answers


def exercise(backend, name: str) -> None:
    """Drive every AWS request of run_survey_campaign / survey_consent (permissions test)."""
    import pytest

    with pytest.MonkeyPatch.context() as monkeypatch:
        clock = SimClock()
        configure(monkeypatch, clock, attempts=2)
        with backend.internal():
            fake = FakeConnect(clock, behaviour={phone(2): "answer"})
            fake.attach()
        keys = load_list(backend, clock, [phone(1), phone(2), phone(3)])
        run_minutes(clock, 3)  # places, reconciles (DescribeContact), retries later
        if name == "survey_consent":
            backend.reset_calls()  # only survey_consent's own requests below
        with backend.internal() if name == "run_survey_campaign" else _nothing():
            for number, event in ((phone(1), "answered"), (phone(2), "declined"), (phone(3), "no_input")):
                params = {
                    "campaign_id": CAMPAIGN,
                    "contact_key": keys[number],
                    "survey_id": SURVEY,
                    "language": "uk",
                    "event": event,
                }
                flow = {
                    "Name": "ContactFlowEvent",
                    "Details": {"ContactData": {"ContactId": "outbound-contact-1"}, "Parameters": params},
                }
                assert backend.invoke("survey_consent", flow)["status"] == "ok"
        if name == "run_survey_campaign":
            run_minutes(clock, 30)


@contextmanager
def _nothing() -> Iterator[None]:
    yield
