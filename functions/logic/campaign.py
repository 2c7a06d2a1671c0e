"""run_survey_campaign: place the outbound needs-survey calls, within the quota, the calling hours
and ``max_concurrent``, never twice for one attempt (schedule: every minute).

One run (at most ``RUN_SECONDS``, less when Lambda has less time left):

1. the lease on the "#runner" item (conditional UpdateItem, ``LEASE_SECONDS``): a second runner
   answers ``busy`` and does nothing;
2. every active or paused campaign's in-flight contacts (state ``dialing``) are reconciled with
   connect:DescribeContact (https://docs.aws.amazon.com/connect/latest/APIReference/API_DescribeContact.html,
   fields of https://docs.aws.amazon.com/connect/latest/APIReference/API_Contact.html), paced
   at ``DESCRIBE_RATE`` a second in the run (Connect throttles each API separately per account,
   default 2 requests/s, burst 5).  ``DisconnectTimestamp`` set = the call has ended.
   ``ConnectedToSystemTimestamp`` set = the person picked up: OUR READING of API_Contact ("when
   customer endpoint connected to Amazon Connect"), to be checked on a live instance.  A contact
   still ``dialing`` when its call ended gave no choice: if it connected (picked up, hung up
   before choosing) it is final ``no_input``, never called again; else it was not answered:
   ``pending`` again after retry_after_minutes while attempts remain, else ``unreached``.
   survey_consent moves people who chose out of ``dialing`` itself.  A contact DescribeContact
   does not know yet stays in flight for ``MISSING_GRACE_SECONDS`` after it was dialled.  A
   throttled (or failed) DescribeContact stops the reconciliation for this run only: the
   contacts not reconciled count as in flight and calls are still placed within the rest of
   ``max_concurrent``;
3. outside the calling hours (local time, zoneinfo) or on a closed date nothing is placed;
4. calls are placed while fewer than ``max_concurrent`` are in flight, one token of the persisted
   token bucket each (functions.logic.campaign_rules.TokenBucket).  Before EVERY call (a new
   attempt or an attempt re-dialled) the calling hours are checked again (the clock), the
   campaign's status (1 consistent GetItem: a pause stops its calls at once) and SurveyOptOut
   (on it: ``opted_out``, number removed).  WRITE-AHEAD: the contact is marked ``dialing``
   with attempts + 1 (conditional on the state and attempts read) BEFORE
   StartOutboundVoiceContact, whose ClientToken is "<campaign>-<contact_key>-<attempt>".  A run
   that stops between the two (crash, throttling, timeout) leaves the contact ``dialing``
   without a ContactId; the next run dials that SAME attempt with the SAME ClientToken, which
   Connect answers with the existing contact if one was started and is still going
   (https://docs.aws.amazon.com/connect/latest/APIReference/API_StartOutboundVoiceContact.html:
   ClientToken "valid for 7 days after creation. If a contact is already started, the contact
   ID is returned. If the contact is disconnected, a new contact is started"), but only while
   it is younger than the ring time (``DIAL_SECONDS``): an older one counts as a used, unanswered
   attempt (``rang_out``; pending again after retry_after_minutes, or unreached), because a call
   it may have started has stopped ringing and the same token would ring the person once more
   (a crash leaves the runner's lease for ``LEASE_SECONDS``, longer than the ring).  The
   ContactId is stored and appended to ``contact_ids``.
   Errors of StartOutboundVoiceContact:
   ThrottlingException / TooManyRequestsException / LimitExceededException stop the run;
   DestinationNotAllowedException / InvalidParameterException make the person ``unreached``;
   any other error (InternalServiceException, ResourceNotFoundException,
   OutboundContactNotPermittedException, InvalidRequestException, network) stops the run and
   the attempt is dialled again by the next run.  A person whose language has no survey flow
   (SURVEY_FLOWS) or whose attempts are used up is ``unreached`` (counted ``no_flow``), never
   left waiting or counted in flight;
5. an active campaign with nobody left to call or in flight becomes ``done``.

Every final state removes the number and the queue and sets ``expires_at`` to now +
RETENTION_DAYS_SURVEYS days (functions.logic.campaign_rules).
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
from functions.dal import connect
from functions.dal.models import CampaignContact
from functions.logic.campaign_rules import (
    CALLABLE,
    CampaignSettings,
    ConfigError,
    TokenBucket,
    closed_reason,
    load_settings,
)
from functions.logic.common import expiry, iso

LEASE_SECONDS = 120  # longer than a run (Lambda timeout <= 60 s)
RUN_SECONDS = 50.0
RESERVE_SECONDS = 5.0  # stop when Lambda has less than this left
# "There is a 60-second dialing timeout for this operation. If the call is not connected after 60
# seconds, it fails." (https://docs.aws.amazon.com/connect/latest/APIReference/API_StartOutboundVoiceContact.html)
DIAL_SECONDS = 60
MISSING_GRACE_SECONDS = 600  # DescribeContact may not know a just-started contact yet
DESCRIBE_RATE, DESCRIBE_BURST = 2.0, 2  # DescribeContact's own pacing (quota: 2/s, burst 5 per account)
STOP_CODES = ("ThrottlingException", "TooManyRequestsException", "LimitExceededException")
UNREACHED_CODES = ("DestinationNotAllowedException", "InvalidParameterException")

clock: Callable[[], float] = time.time  # replaceable in tests (simulated time)
sleep: Callable[[float], None] = time.sleep


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
    unreconciled: str = ""  # why reconciliation stopped early in this run (an error code, "time")
    halted: set[str] = field(default_factory=set)  # campaigns paused during the run
    describe: TokenBucket = field(default_factory=lambda: TokenBucket(DESCRIBE_RATE, DESCRIBE_BURST, None, None))

    def add(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n


def parse_schedule_event(event: Any) -> ScheduleEvent:
    """An EventBridge scheduled event (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-run-lambda-schedule.html)."""
    if not isinstance(event, dict) or event.get("detail-type") != "Scheduled Event":
        raise ValueError("not a scheduled event")
    return ScheduleEvent(str(event.get("time", "")))


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
    finally:  # (a process Lambda ends at its timeout runs nothing: the lease runs out by itself)
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
    closed = closed_reason(state.env.settings, _now())
    if closed:
        state.stopped = closed
    else:
        _place(state, redial, [c.campaign_id for c in mine if c.status == "active"])
    for campaign in mine:
        done = campaign.status == "active" and not state.stopped and _finished(campaign.campaign_id)
        if done and dal.set_campaign_status(campaign.campaign_id, "done", "active"):
            state.add("campaigns_done")


def _now() -> datetime:
    return datetime.fromtimestamp(clock(), UTC)


def _finished(campaign_id: str) -> bool:
    return not any(dal.queue(campaign_id, s, limit=1) for s in ("dialing", *CALLABLE))


# --- reconciliation -----------------------------------------------------------------------------


def _reconcile(state: Run, campaign_id: str) -> list[CampaignContact]:
    """Settle the campaign's ended calls; returns the attempts marked but never placed."""
    unplaced = []
    for contact in dal.queue(campaign_id, "dialing"):
        if not contact.contact_id and _rang_out(contact):  # a used attempt: never dialled again
            if _settle(state, contact, connected=False):
                state.add("rang_out")
            continue
        if not contact.contact_id:
            unplaced.append(contact)
            state.in_flight += 1
            continue
        status = None if state.unreconciled else _call_status(state, contact)
        if status is None:  # not reconciled in this run: still in flight
            state.add("unreconciled")
            state.in_flight += 1
            continue
        ended, connected = status
        if not ended:
            state.in_flight += 1
            continue
        if _settle(state, contact, connected):
            state.add("reconciled")
    return unplaced


def _rang_out(contact: CampaignContact) -> bool:
    """Marked ``dialing`` longer ago than Connect rings: if the request reached Connect, that call
    has stopped ringing, and the same ClientToken would start a NEW contact (ring the person again
    for one attempt), so the attempt counts as used.  A run that died before its request reached
    Connect loses that attempt: one attempt fewer, never one call too many."""
    dialled = contact.dialled_at.timestamp() if contact.dialled_at else 0.0
    return clock() - dialled > DIAL_SECONDS


def _call_status(state: Run, contact: CampaignContact) -> tuple[bool, bool] | None:
    """(ended?, connected?) of the contact's last call, from DescribeContact; None when the
    reconciliation stops for this run (no time left, throttled, Connect failing)."""
    wait = state.describe.wait(clock())
    if clock() + wait > state.stop_at:
        state.unreconciled = "time"
        return None
    if wait > 0:
        sleep(wait)
    state.describe.take(clock())
    try:
        found = connect.call_state(state.env.instance_id, contact.contact_id)
    except Exception as exc:
        from functions.errors import is_backend_error

        if not is_backend_error(exc):
            raise
        code = _code(exc)
        state.unreconciled = code
        state.add("describe_throttled" if code in STOP_CODES else "describe_failed")
        _log("warning", "reconciliation stopped", error=code)
        return None
    if found is None:  # Connect does not know the contact (yet)
        dialled = contact.dialled_at.timestamp() if contact.dialled_at else 0.0
        return clock() - dialled > MISSING_GRACE_SECONDS, False
    return found


def _settle(state: Run, contact: CampaignContact, connected: bool) -> bool:
    settings = state.env.settings
    now = _now()
    attempts = int(contact.attempts)
    if connected:  # picked up and hung up before choosing: final no_input, never called again
        outcome, moved = "no_input", finish(contact, ("dialing",), "no_input", now, attempts)
    elif contact.attempts < settings.attempts:
        due = now + timedelta(minutes=settings.retry_after_minutes)
        outcome, moved = "retry", requeue(contact, ("dialing",), "pending", due, now, attempts)
    else:
        outcome, moved = "unreached", finish(contact, ("dialing",), "unreached", now, attempts)
    if moved:
        state.add(outcome)
    return moved


def finish(
    contact: CampaignContact, states: tuple[str, ...], state: str, now: datetime, attempts: int | None = None
) -> bool:
    """A final state, if the contact is still in one of ``states`` (at ``attempts``): the number
    and the queue are removed; the item is kept as long as the survey answers
    (RETENTION_DAYS_SURVEYS), so erasure finds the person's calls.  False: moved by someone else."""
    from functions.settings import get_settings

    expires = expiry(now, get_settings().retention_days_surveys)
    return dal.finish(contact, states, state, now, expires, attempts)


def requeue(
    contact: CampaignContact,
    states: tuple[str, ...],
    state: str,
    due: datetime,
    now: datetime,
    attempts: int | None = None,
) -> bool:
    """Back in the ``state`` queue until ``due``, if still in one of ``states`` (at ``attempts``)."""
    return dal.requeue(contact, states, state, iso(due), now, attempts)


# --- placing calls ------------------------------------------------------------------------------


def _place(state: Run, redial: list[CampaignContact], campaign_ids: list[str]) -> None:
    for contact in redial:  # attempts marked by a run that stopped before placing them
        placeable = contact.campaign_id in campaign_ids and contact.campaign_id not in state.halted
        if placeable and not _dial(state, contact, "dialing"):
            return
    due = iso(_now())
    for campaign_id in campaign_ids:
        if not _place_campaign(state, campaign_id, due):
            return


def _place_campaign(state: Run, campaign_id: str, due: str) -> bool:
    """New attempts of one campaign, oldest due first (read page by page: entries that cannot
    be placed leave the queue and never hold back the rest); False when the run must stop."""
    for queue_state in CALLABLE:
        for contact in dal.due(campaign_id, queue_state, due_before=due):
            if campaign_id in state.halted:
                return True
            if state.in_flight >= state.env.settings.max_concurrent:
                state.stopped = state.stopped or "max_concurrent"
                return False
            if not _dial(state, contact, queue_state):
                return False
    return True


def _dial(state: Run, contact: CampaignContact, from_state: str) -> bool:
    """Checks, write-ahead mark (a new attempt), call; False when the run must stop.
    ``from_state`` "dialing": the attempt marked by an earlier run, dialled again."""
    redial = from_state == "dialing"
    attempts = int(contact.attempts)
    if contact.language not in state.env.flows:
        _finish(state, contact, from_state, "unreached", "no_flow")
        return True
    if not redial and attempts >= state.env.settings.attempts:  # a list loaded with used attempts
        _finish(state, contact, from_state, "unreached", "unreached")
        return True
    if not _gate(state, contact.campaign_id):
        return not state.stopped
    if dal.is_opted_out(contact.pseudonym):
        _finish(state, contact, from_state, "opted_out", "opted_out")
        return True
    if not _token(state):
        return False
    attempt = attempts if redial else attempts + 1
    if not redial:
        now = _now()
        if not dal.mark_dialing(contact, from_state, attempt, now, iso(now)):
            state.add("skipped")  # moved by someone else meanwhile (opt-out, erase)
            return True
        state.in_flight += 1
    return _call(state, contact, attempt)


def _finish(state: Run, contact: CampaignContact, from_state: str, final: str, counted: str) -> None:
    """A final state without a call (opted out, no flow, attempts used up)."""
    if not finish(contact, (from_state,), final, _now(), int(contact.attempts)):
        return
    state.add(counted)
    if counted == "no_flow":
        from functions.observability import count

        count("SurveyCampaignNoFlow")
    if from_state == "dialing":
        state.in_flight -= 1


def _gate(state: Run, campaign_id: str) -> bool:
    """Just before a call: wait for the bucket's next token, then the calling hours (clock) and
    the campaign's status (1 consistent GetItem) must still allow it.  False: the run stops
    (``state.stopped``) or only this campaign does (paused meanwhile: ``state.halted``)."""
    wait = state.bucket.wait(clock())
    if clock() + wait > state.stop_at:
        state.stopped = state.stopped or "time"
        return False
    if wait > 0:
        sleep(wait)
    closed = closed_reason(state.env.settings, _now())
    if closed:
        state.stopped = state.stopped or closed
        return False
    if dal.campaign_status(campaign_id) != "active":
        state.halted.add(campaign_id)
        state.add("halted")
        return False
    return True


def _token(state: Run) -> bool:
    """Take a token of the bucket (persisted before it is spent); False: no time or no lease."""
    now = clock()
    if now > state.stop_at or not state.bucket.take(now):
        state.stopped = state.stopped or "time"
        return False
    if not dal.save_bucket(state.owner, now, state.bucket.tokens):
        state.stopped = "lease_lost"
        return False
    return True


def _call(state: Run, contact: CampaignContact, attempt: int) -> bool:
    """StartOutboundVoiceContact for ``attempt``; False when the run must stop."""
    env = state.env
    try:
        contact_id = connect.start_call(
            instance_id=env.instance_id,
            flow_id=env.flows[contact.language],
            source=env.source,
            destination=contact.phone,
            token=f"{contact.campaign_id}-{contact.contact_key}-{attempt}",
            attributes={
                "campaign_id": contact.campaign_id,
                "contact_key": contact.contact_key,
                "survey_id": env.settings.survey_id,
            },
        )
    except Exception as exc:
        return _call_failed(state, contact, attempt, exc)
    dal.store_call(contact, contact_id, attempt)
    state.add("placed")
    from functions.observability import count

    count("SurveyCallPlaced")
    return True


def _call_failed(state: Run, contact: CampaignContact, attempt: int, exc: Exception) -> bool:
    code = _code(exc)
    _log("warning", "call not placed", error=code, campaign_id=contact.campaign_id)
    if code in UNREACHED_CODES:
        if finish(contact, ("dialing",), "unreached", _now(), attempt):
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
