"""run_survey_campaign: place the outbound needs-survey calls, within the quota, the calling hours
and ``max_concurrent``, never twice for one attempt (schedule: every minute).

One run (at most ``RUN_SECONDS``, less when Lambda has less time left):

1. the lease on the "#runner" item (conditional UpdateItem, ``LEASE_SECONDS``): a second runner
   answers ``busy`` and does nothing;
2. every active or paused campaign's in-flight contacts (state ``dialing``) are reconciled with
   connect:DescribeContact (https://docs.aws.amazon.com/connect/latest/APIReference/API_DescribeContact.html,
   fields of https://docs.aws.amazon.com/connect/latest/APIReference/API_Contact.html):
   ``DisconnectTimestamp`` set = the call has ended; ``ConnectedToSystemTimestamp`` ("when
   customer endpoint connected to Amazon Connect") set = the person picked up.  A contact still
   ``dialing`` when its call ended was reached without giving an answer (hung up) if it connected:
   ``no_input``, final, never called again; else it was not answered: ``pending`` again after
   retry_after_minutes while attempts remain, else ``unreached``.  survey_consent moves reached
   people out of ``dialing`` itself;
3. outside the calling hours (local time, zoneinfo) nothing is placed;
4. calls are placed while fewer than ``max_concurrent`` are in flight, one token of the persisted
   token bucket each (functions.logic.campaign_rules.TokenBucket).  WRITE-AHEAD: the contact is
   marked ``dialing`` with attempts + 1 (conditional on the state and attempts read) BEFORE
   StartOutboundVoiceContact, whose ClientToken is "<campaign>-<contact_key>-<attempt>".  A run
   that stops between the two (crash, throttling, timeout) leaves the contact ``dialing``
   without a ContactId; the next run dials that SAME attempt with the SAME ClientToken, which
   Connect answers with the existing contact if one was started and is still going
   (https://docs.aws.amazon.com/connect/latest/APIReference/API_StartOutboundVoiceContact.html:
   ClientToken "valid for 7 days after creation. If a contact is already started, the contact
   ID is returned. If the contact is disconnected, a new contact is started" - the one case
   left, a request that reached Connect and a run that died before storing the ContactId,
   may ring the person once more).  Errors of StartOutboundVoiceContact:
   ThrottlingException / TooManyRequestsException / LimitExceededException stop the run;
   DestinationNotAllowedException / InvalidParameterException make the person ``unreached``;
   any other error (InternalServiceException, ResourceNotFoundException,
   OutboundContactNotPermittedException, InvalidRequestException, network) stops the run and
   the attempt is dialled again by the next run.  Anyone on SurveyOptOut is skipped
   (``opted_out``, number removed) before the mark;
5. an active campaign with nobody left to call or in flight becomes ``done``.

Nothing personal is logged: counts, campaign ids and error codes only.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from functions.dal import campaigns as dal
from functions.dal.models import CampaignContact
from functions.logic.campaign_rules import CALLABLE, CampaignSettings, ConfigError, TokenBucket, load_settings
from functions.logic.campaign_rules import within_calling_hours as in_hours
from functions.logic.common import iso

LEASE_SECONDS = 120  # longer than a run (Lambda timeout <= 60 s)
RUN_SECONDS = 50.0
RESERVE_SECONDS = 5.0  # stop when Lambda has less than this left
DIAL_SECONDS = 60  # Connect stops dialling after 60 s (StartOutboundVoiceContact)
MISSING_GRACE_SECONDS = 600  # DescribeContact may not know a just-started contact yet
STOP_CODES = ("ThrottlingException", "TooManyRequestsException", "LimitExceededException")
UNREACHED_CODES = ("DestinationNotAllowedException", "InvalidParameterException")

clock: Callable[[], float] = time.time  # replaceable in tests (simulated time)
sleep: Callable[[float], None] = time.sleep
_connect_client: Any = None


@dataclass(frozen=True)
class ScheduleEvent:
    time: str


@dataclass(frozen=True)
class Env:
    settings: CampaignSettings
    instance_id: str
    source: str
    flows: dict[str, str]


@dataclass
class Run:
    env: Env
    owner: str
    bucket: TokenBucket
    stop_at: float
    counts: dict[str, int] = field(default_factory=dict)
    in_flight: int = 0
    stopped: str = ""

    def add(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n


def parse_schedule_event(event: Any) -> ScheduleEvent:
    """An EventBridge scheduled event (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-run-lambda-schedule.html)."""
    if not isinstance(event, dict) or event.get("detail-type") != "Scheduled Event":
        raise ValueError("not a scheduled event")
    return ScheduleEvent(str(event.get("time", "")))


def _connect() -> Any:
    global _connect_client
    if _connect_client is None:
        from functions.aws import client

        # no botocore retries: a retry would spend quota behind the token bucket's back
        _connect_client = client("connect", connect_timeout=2, read_timeout=5, max_retries=0)
    return _connect_client


def reset_clients() -> None:
    global _connect_client
    _connect_client = None


def load_env(environ: Any = None) -> Env:
    import json

    environ = os.environ if environ is None else environ
    settings = load_settings(environ.get("SURVEY_CAMPAIGN"))
    try:
        flows = json.loads(environ.get("SURVEY_FLOWS") or "")
    except ValueError:
        raise ConfigError("SURVEY_FLOWS") from None
    if not isinstance(flows, dict) or not flows or not all(isinstance(v, str) and v for v in flows.values()):
        raise ConfigError("SURVEY_FLOWS")
    for name in ("CONNECT_INSTANCE_ID", "SURVEY_SOURCE_NUMBER"):
        if not environ.get(name):
            raise ConfigError(name)
    return Env(settings, environ["CONNECT_INSTANCE_ID"], environ["SURVEY_SOURCE_NUMBER"], flows)


def run(event: ScheduleEvent, context: Any = None) -> dict[str, str]:
    try:
        env = load_env()
    except ConfigError as exc:
        _log("warning", "campaign configuration invalid", error_field=exc.field)
        return {"status": "invalid_configuration", "error_field": exc.field}
    owner = uuid.uuid4().hex
    runner = dal.take_lease(owner, clock(), LEASE_SECONDS)
    if runner is None:
        return {"status": "busy"}
    settings = env.settings
    bucket = TokenBucket(settings.calls_per_second, settings.burst, runner.bucket_tokens, runner.bucket_at)
    state = Run(env, owner, bucket, clock() + _budget(context))
    try:
        _run_campaigns(state)
    except Exception as exc:
        from functions.errors import backend_error_code, is_backend_error

        if not is_backend_error(exc):
            raise
        state.stopped = "backend_unavailable"
        _log("error", "campaign run stopped", error=backend_error_code(exc))
    finally:
        _release(owner)
    return _answer(state)


def _budget(context: Any) -> float:
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    if not callable(remaining):
        return RUN_SECONDS
    try:
        return max(0.0, min(RUN_SECONDS, remaining() / 1000 - RESERVE_SECONDS))
    except Exception:  # noqa: BLE001 - a foreign context object
        return RUN_SECONDS


def _release(owner: str) -> None:
    try:
        dal.release_lease(owner)
    except Exception:  # noqa: BLE001 - the lease runs out by itself
        _log("warning", "lease not released")


def _answer(state: Run) -> dict[str, str]:
    counts = {k: str(v) for k, v in sorted(state.counts.items())}
    for key in ("placed", "reconciled"):
        counts.setdefault(key, "0")
    status = "backend_unavailable" if state.stopped == "backend_unavailable" else "ok"
    result = {"status": status, **counts, "in_flight": str(state.in_flight)}
    if state.stopped:
        result["stopped"] = state.stopped
    return result


def _run_campaigns(state: Run) -> None:
    active = dal.campaigns()
    survey_id = state.env.settings.survey_id
    mine = [c for c in active if c.survey_id == survey_id]
    if len(mine) < len(active):
        state.add("other_survey", len(active) - len(mine))
    redial: list[CampaignContact] = []
    for campaign in mine:
        redial += _reconcile(state, campaign.campaign_id)
    if not in_hours(state.env.settings, datetime.fromtimestamp(clock(), UTC)):
        state.stopped = "outside_calling_hours"
    else:
        _place(state, redial, [c.campaign_id for c in mine if c.status == "active"])
    for campaign in mine:
        done = campaign.status == "active" and not state.stopped and _finished(campaign.campaign_id)
        if done and dal.set_campaign_status(campaign.campaign_id, "done", "active"):
            state.add("campaigns_done")


def _finished(campaign_id: str) -> bool:
    return not any(dal.queue(campaign_id, s, limit=1) for s in ("dialing", *CALLABLE))


# --- reconciliation -----------------------------------------------------------------------------


def _reconcile(state: Run, campaign_id: str) -> list[CampaignContact]:
    """Settle the campaign's ended calls; returns the attempts marked but never placed."""
    unplaced = []
    for contact in dal.queue(campaign_id, "dialing"):
        if not contact.contact_id:
            unplaced.append(contact)
            state.in_flight += 1
            continue
        ended, connected = _call_status(state, contact)
        if not ended:
            state.in_flight += 1
            continue
        if _settle(state, contact, connected):
            state.add("reconciled")
    return unplaced


def _call_status(state: Run, contact: CampaignContact) -> tuple[bool, bool]:
    """(ended?, connected?) of the contact's last call, from DescribeContact."""
    try:
        found = _connect().describe_contact(InstanceId=state.env.instance_id, ContactId=contact.contact_id)
    except Exception as exc:
        if _code(exc) != "ResourceNotFoundException":
            raise
        dialled = contact.dialled_at.timestamp() if contact.dialled_at else 0.0
        return clock() - dialled > MISSING_GRACE_SECONDS, False
    call = found.get("Contact", {})
    return bool(call.get("DisconnectTimestamp")), bool(call.get("ConnectedToSystemTimestamp"))


def _settle(state: Run, contact: CampaignContact, connected: bool) -> bool:
    settings = state.env.settings
    now = datetime.fromtimestamp(clock(), UTC)
    if connected:  # picked up and hung up before answering: never called again
        outcome, actions = "no_input", final_actions("no_input", now)
    elif contact.attempts < settings.attempts:
        due = now + timedelta(minutes=settings.retry_after_minutes)
        outcome, actions = "retry", queue_actions(contact.campaign_id, "pending", due, now)
    else:
        outcome, actions = "unreached", final_actions("unreached", now)
    moved = dal.transition(contact, ("dialing",), actions, attempts=int(contact.attempts))
    if moved:
        state.add(outcome)
    return moved


def final_actions(state: str, now: datetime) -> list:
    """A final state: the number and the queue are removed."""
    c = CampaignContact
    return [c.state.set(state), c.phone.remove(), c.queue.remove(), c.due_at.remove(), c.updated_at.set(now)]


def queue_actions(campaign_id: str, state: str, due: datetime, now: datetime) -> list:
    c = CampaignContact
    return [c.state.set(state), c.queue.set(f"{campaign_id}#{state}"), c.due_at.set(iso(due)), c.updated_at.set(now)]


# --- placing calls ------------------------------------------------------------------------------


def _place(state: Run, redial: list[CampaignContact], campaign_ids: list[str]) -> None:
    for contact in redial:  # attempts marked by a run that stopped before placing them
        if contact.campaign_id in campaign_ids and not _call(state, contact, int(contact.attempts)):
            return
    due = iso(datetime.fromtimestamp(clock(), UTC))
    for campaign_id in campaign_ids:
        for queue_state in CALLABLE:
            for contact in dal.queue(campaign_id, queue_state, due_before=due):
                if state.in_flight >= state.env.settings.max_concurrent:
                    state.stopped = state.stopped or "max_concurrent"
                    return
                if not _next(state, contact, queue_state):
                    return


def _next(state: Run, contact: CampaignContact, queue_state: str) -> bool:
    """Opt-out check, write-ahead mark, call; False when the run must stop."""
    now = datetime.fromtimestamp(clock(), UTC)
    if dal.is_opted_out(contact.pseudonym):
        if dal.transition(contact, (queue_state,), final_actions("opted_out", now)):
            state.add("opted_out")
        return True
    if contact.attempts >= state.env.settings.attempts:  # a list loaded with used attempts
        dal.transition(contact, (queue_state,), final_actions("unreached", now), attempts=int(contact.attempts))
        return True
    if contact.language not in state.env.flows:
        state.add("no_flow")  # waits (pending) until the country has the language's survey flow
        return True
    if not _token(state):
        return False
    attempt = int(contact.attempts) + 1
    c = CampaignContact
    mark = [
        *queue_actions(contact.campaign_id, "dialing", now, now),
        c.attempts.set(attempt),
        c.dialled_at.set(now),
        c.contact_id.remove(),
    ]
    if not dal.transition(contact, (queue_state,), mark, attempts=attempt - 1):
        state.add("skipped")  # moved by someone else meanwhile (opt-out, erase)
        return True
    state.in_flight += 1
    return _call(state, contact, attempt, token_taken=True)


def _token(state: Run) -> bool:
    """Wait for a token of the bucket (persisted before it is spent); False: no time or no lease."""
    wait = state.bucket.wait(clock())
    if clock() + wait > state.stop_at:
        state.stopped = state.stopped or "time"
        return False
    if wait > 0:
        sleep(wait)
    now = clock()
    if not state.bucket.take(now):
        state.stopped = state.stopped or "time"
        return False
    if not dal.save_bucket(state.owner, now, state.bucket.tokens):
        state.stopped = "lease_lost"
        return False
    return True


def _call(state: Run, contact: CampaignContact, attempt: int, token_taken: bool = False) -> bool:
    """StartOutboundVoiceContact for ``attempt``; False when the run must stop."""
    env = state.env
    flow = env.flows.get(contact.language)
    if flow is None:
        state.add("no_flow")
        return True  # left dialing, unplaced: dialled when the flow exists
    if not token_taken and not _token(state):
        return False
    try:
        answer = _connect().start_outbound_voice_contact(
            DestinationPhoneNumber=contact.phone,
            ContactFlowId=flow,
            InstanceId=env.instance_id,
            ClientToken=f"{contact.campaign_id}-{contact.contact_key}-{attempt}",
            SourcePhoneNumber=env.source,
            Attributes={
                "campaign_id": contact.campaign_id,
                "contact_key": contact.contact_key,
                "survey_id": env.settings.survey_id,
            },
        )
    except Exception as exc:
        return _call_failed(state, contact, attempt, exc)
    c = CampaignContact
    dal.transition(contact, ("dialing",), [c.contact_id.set(answer["ContactId"])], attempts=attempt)
    state.add("placed")
    return True


def _call_failed(state: Run, contact: CampaignContact, attempt: int, exc: Exception) -> bool:
    code = _code(exc)
    _log("warning", "call not placed", error=code, campaign_id=contact.campaign_id)
    if code in UNREACHED_CODES:
        now = datetime.fromtimestamp(clock(), UTC)
        if dal.transition(contact, ("dialing",), final_actions("unreached", now), attempts=attempt):
            state.add("unreached")
            state.in_flight -= 1
        return True
    state.stopped = "throttled" if code in STOP_CODES else "connect_error"
    state.add(state.stopped)
    return False


def _code(exc: BaseException) -> str:
    from functions.errors import backend_error_code

    return backend_error_code(exc)


def _log(level: str, message: str, **extra: str) -> None:
    from functions.observability import logger

    getattr(logger, level)(message, extra=extra)
