"""Pure units: the flow time budget (functions.deadline), the timeout settings, create_case params."""

from __future__ import annotations

import pytest

from functions import deadline
from functions.errors import BackendUnavailable
from functions.settings import Settings

CONNECT_LIMIT = 8.0
ASYNC_TIMEOUT = 60.0  # Lambda timeout of EventBridge- and stream-invoked functions (stacks/constructs/functions.py)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(deadline, "clock", fake)
    monkeypatch.setattr(deadline, "attempt_seconds", lambda: 3.0)
    yield fake
    deadline.clear()


class Response:
    def __init__(self, status: int, headers: dict | None = None) -> None:
        self.status_code = status
        self.headers = headers or {}


def test_default_timeouts_fit_connects_limit():
    s = Settings()
    assert (s.ddb_connect_timeout, s.ddb_read_timeout, s.ddb_max_retries) == (1, 2, 4)
    # the budget leaves 2 s of Connect's 8 s for a cold start; one attempt fits in it twice
    assert deadline.FLOW_BUDGET_SECONDS == 6.0
    assert deadline.FLOW_BUDGET_SECONDS + 2.0 <= CONNECT_LIMIT
    attempt = s.ddb_connect_timeout + s.ddb_read_timeout
    assert 2 * attempt <= deadline.FLOW_BUDGET_SECONDS
    # without a deadline (EventBridge, streams) every attempt of one request and every back-off, each
    # at its worst (x-amz-retry-after included), ends within the Lambda timeout
    attempts = 1 + s.ddb_max_retries
    backoffs = sum(deadline.backoff_seconds(n, retry_after=deadline.RETRY_AFTER_MAX) for n in range(1, attempts))
    assert attempts * attempt + backoffs == 50.0 <= ASYNC_TIMEOUT


def test_attempt_seconds_is_connect_plus_read_timeout(monkeypatch):
    from functions.settings import reset_settings

    monkeypatch.setenv("DDB_CONNECT_TIMEOUT", "2")
    monkeypatch.setenv("DDB_READ_TIMEOUT", "5")
    reset_settings()
    try:
        assert deadline.attempt_seconds() == 7.0
    finally:
        monkeypatch.undo()
        reset_settings()
    assert deadline.attempt_seconds() == 3.0


def test_no_deadline_means_everything_fits(clock):
    deadline.clear()
    assert deadline.remaining() is None and deadline.fits(1e9)
    deadline.before_send()  # does not raise
    assert deadline.needs_retry(attempts=9, response=(Response(400), {})) is None


def test_start_remaining_and_fits(clock):
    deadline.start(6.0)
    assert deadline.remaining() == 6.0
    clock.now += 2.5
    assert deadline.remaining() == 3.5
    assert deadline.fits(3.5) and not deadline.fits(3.51)
    deadline.start(-1)  # never in the past
    assert deadline.remaining() == 0.0
    deadline.start(None)
    assert deadline.remaining() is None


def test_before_send_refuses_an_attempt_that_could_end_too_late(clock):
    deadline.start(6.0)
    clock.now += 3.0
    deadline.before_send()  # 3 s left, an attempt takes at most 3 s
    clock.now += 0.01
    with pytest.raises(deadline.DeadlineExceeded) as excinfo:
        deadline.before_send()
    assert isinstance(excinfo.value, BackendUnavailable) and excinfo.value.status == "backend_unavailable"


def test_backoff_seconds_follows_botocores_standard_mode():
    assert deadline.backoff_seconds(1) == 1.0
    assert deadline.backoff_seconds(2) == 2.0
    assert deadline.backoff_seconds(3) == 4.0
    assert deadline.backoff_seconds(10) == 20.0  # capped
    assert deadline.backoff_seconds(0) == 1.0
    assert deadline.backoff_seconds(1, throttled=False) == 0.05
    assert deadline.backoff_seconds(3, throttled=False) == 0.2
    assert deadline.backoff_seconds(1, retry_after=2.0) == 3.0
    assert deadline.backoff_seconds(1, retry_after=60.0) == 6.0  # retry-after adds at most 5 s
    assert deadline.backoff_seconds(1, retry_after=-3.0) == 1.0


def test_error_details():
    assert deadline._error_details(None) == (False, 0.0)  # timeout / network error
    assert deadline._error_details((Response(500), {})) == (False, 0.0)
    assert deadline._error_details((Response(503), {})) == (False, 0.0)
    assert deadline._error_details((Response(499), {})) == (True, 0.0)
    assert deadline._error_details((Response(400), {})) == (True, 0.0)
    assert deadline._error_details((Response(429, {"x-amz-retry-after": "1500"}), {})) == (True, 1.5)
    assert deadline._error_details((Response(400, {"x-amz-retry-after": "soon"}), {})) == (True, 5.0)


def test_needs_retry_stops_only_retries_that_cannot_fit(clock):
    deadline.start(6.0)
    throttled = (Response(400), {"Error": {"Code": "ThrottlingException"}})
    assert deadline.needs_retry(attempts=1, response=throttled) is None  # 1 + 3 <= 6
    clock.now += 2.0
    assert deadline.needs_retry(attempts=1, response=throttled) is None  # 2 + 1 + 3 = 6
    clock.now += 0.01
    assert deadline.needs_retry(attempts=1, response=throttled) is False
    assert deadline.needs_retry(attempts=1, response=None) is None  # a timeout backs off 50 ms only
    clock.now += 0.93
    assert deadline.needs_retry(attempts=1, response=None) is None  # 2.94 + 0.05 + 3 <= 6
    clock.now += 0.1
    assert deadline.needs_retry(attempts=1, response=None) is False  # 3.04 + 0.05 + 3 > 6


def test_hooks_are_registered_ahead_of_botocores_own():
    from botocore.hooks import HierarchicalEmitter

    emitter = HierarchicalEmitter()
    emitter.register("needs-retry.dynamodb", lambda **_: 0.5)
    emitter.register_first("before-send", lambda **_: "moto")
    deadline.register(emitter)
    deadline.start(0.0)
    try:
        responses = emitter.emit("needs-retry.dynamodb.GetItem", attempts=1, response=None)
        assert responses[0][1] is False  # ours answers first: no retry
        with pytest.raises(deadline.DeadlineExceeded):
            emitter.emit("before-send.dynamodb.GetItem", request=None)
    finally:
        deadline.clear()


def test_flow_budget_seconds():
    from functions.observability import flow_budget_seconds

    class Ctx:
        def __init__(self, ms):
            self.ms = ms

        def get_remaining_time_in_millis(self):
            if isinstance(self.ms, Exception):
                raise self.ms
            return self.ms

    assert flow_budget_seconds(None) == 6.0
    assert flow_budget_seconds(Ctx(8000)) == 6.0
    assert flow_budget_seconds(Ctx(3000)) == 2.5  # Lambda's own timeout is nearer: 0.5 s margin
    assert flow_budget_seconds(Ctx(100)) == 0.0
    assert flow_budget_seconds(Ctx(RuntimeError("no"))) == 6.0


@pytest.mark.parametrize("topic", ["callback", "legal", "report_risk", "feedback"])
def test_create_case_accepts_the_flows_topics(topic):
    from functions.logic import cases
    from functions.models.params import model_for

    params = model_for(cases.PARAMS).model_validate({"topic": topic, "language": "uk", "priority": "normal"})
    assert params.topic == topic and params.priority == "normal" and params.consent is False


@pytest.mark.parametrize("topic", ["", "Callback", "call back", "-x", "x" * 65])
def test_create_case_rejects_other_topics(topic):
    from pydantic import ValidationError

    from functions.logic import cases
    from functions.models.params import model_for

    with pytest.raises(ValidationError):
        model_for(cases.PARAMS).model_validate({"topic": topic, "language": "uk"})
