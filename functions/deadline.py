"""Time budget of a flow-invoked function: answer Amazon Connect before its 8 s limit.

Amazon Connect waits at most 8 seconds for a Lambda answer and the caller hears silence
meanwhile; the 8 s include a cold start.  A flow-invoked handler therefore starts a deadline of
at most ``FLOW_BUDGET_SECONDS`` (see :func:`functions.observability.flow_handler`) and two hooks
on the shared botocore session (``functions.aws``) keep every AWS request inside it:

- ``before-send`` (every HTTP attempt, including botocore's retries): an attempt may take up to
  DDB_CONNECT_TIMEOUT + DDB_READ_TIMEOUT; if it could not finish before the deadline it is not
  started and :class:`DeadlineExceeded` (a ``BackendUnavailable``; botocore does not retry it) is
  raised, so the handler answers ``status=backend_unavailable`` in time;
- ``needs-retry``: a retry is skipped when its worst-case back-off plus one attempt would end
  after the deadline; the last error then reaches the handler (``backend_unavailable``).

So no request is started that could end after the deadline: a flow-invoked function answers
within the budget plus its own CPU time, whatever DynamoDB, Secrets Manager or EventBridge do.
EventBridge-invoked functions run without a deadline (they raise for Lambda's async retries).

``clock`` is replaceable: the local sandbox (``helpline.sandbox``) adds the simulated seconds of
injected timeouts and retry back-offs to it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from functions.errors import BackendUnavailable

# Connect's 8 s less the cold start (Lambda init runs before the handler's clock starts) and
# Connect's own overhead.
FLOW_BUDGET_SECONDS = 6.0
# botocore's standard retry mode sleeps rand(0, 1) * min(scale * 2 ** (attempt - 1), 20 s) before a
# retry: scale 1 s after a throttling error, 50 ms after other errors (timeouts, 5xx); an
# x-amz-retry-after header can add up to 5 s.  The deadline assumes the longest of these.
MAX_BACKOFF_SECONDS = 20.0
THROTTLING_SCALE = 1.0
TRANSIENT_SCALE = 0.05
RETRY_AFTER_MAX = 5.0

clock: Callable[[], float] = time.monotonic
_deadline: float | None = None


class DeadlineExceeded(BackendUnavailable):
    """An AWS request could not finish within the flow's time budget; it was not sent."""


def start(seconds: float | None) -> None:
    """Start a deadline ``seconds`` from now (None: no deadline)."""
    global _deadline
    _deadline = None if seconds is None else clock() + max(0.0, seconds)


def clear() -> None:
    global _deadline
    _deadline = None


def remaining() -> float | None:
    """Seconds left before the deadline (negative when passed); None without a deadline."""
    return None if _deadline is None else _deadline - clock()


def attempt_seconds() -> float:
    """Worst case of one HTTP attempt: connect timeout + read timeout."""
    from functions.settings import get_settings

    settings = get_settings()
    return float(settings.ddb_connect_timeout + settings.ddb_read_timeout)


def fits(seconds: float) -> bool:
    """True when ``seconds`` of work would end before the deadline (always without one)."""
    return _deadline is None or clock() + seconds <= _deadline


def backoff_seconds(attempts: int, throttled: bool = True, retry_after: float = 0.0) -> float:
    """Longest back-off the standard retry mode sleeps after ``attempts`` attempts."""
    scale = THROTTLING_SCALE if throttled else TRANSIENT_SCALE
    base = min(scale * 2.0 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS)
    return base + min(max(retry_after, 0.0), RETRY_AFTER_MAX)


def _error_details(response: Any) -> tuple[bool, float]:
    """(maybe throttled?, x-amz-retry-after seconds) of a botocore (http_response, parsed) pair.

    Only a network error or a 5xx answer is surely not a throttling error; any other error answer
    is assumed to be one (the longer back-off), which errs towards answering in time.
    """
    if not response:
        return False, 0.0
    http = response[0]
    throttled = getattr(http, "status_code", 400) < 500
    try:
        retry_after = float(getattr(http, "headers", {}).get("x-amz-retry-after", 0)) / 1000
    except (TypeError, ValueError):
        retry_after = RETRY_AFTER_MAX
    return throttled, retry_after


def before_send(**_: Any) -> None:
    """botocore ``before-send`` hook: refuse an attempt that could not end before the deadline."""
    if not fits(attempt_seconds()):
        raise DeadlineExceeded("no time left for another AWS request before Amazon Connect's limit")


def needs_retry(attempts: int = 1, response: Any = None, **_: Any) -> bool | None:
    """botocore ``needs-retry`` hook (registered first): False stops a retry that cannot fit."""
    if _deadline is None:
        return None
    throttled, retry_after = _error_details(response)
    if fits(backoff_seconds(attempts, throttled, retry_after) + attempt_seconds()):
        return None  # let botocore's retry handler decide
    return False


def register(emitter: Any) -> None:
    """Install both hooks on a botocore event emitter (the shared session's).

    botocore calls the handlers of the most specific event names first; ``<event>.*.*`` is more
    specific than the retry handler's ``needs-retry.<service>`` and the sandbox's ``before-send``.
    """
    emitter.register_first("before-send.*.*", before_send, unique_id="helpline-deadline-before-send")
    emitter.register_first("needs-retry.*.*", needs_retry, unique_id="helpline-deadline-needs-retry")
