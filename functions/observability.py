"""The one observability module: Powertools Logger and Metrics, a lazy Tracer, and the two
handler wrappers (flow-invoked and EventBridge-invoked) that turn exceptions into statuses.

Logging rules: never log an event, a parameter value or a validation error's input; log ids
(contact id, case id), codes and exception *types* only.  This keeps phone numbers out of logs.

Tracer: Powertools Tracer needs ``aws-xray-sdk`` (not a dependency, ~100 ms to import), so it is
only created on demand by :func:`get_tracer` when ``HELPLINE_XRAY=true``; enable Lambda active
tracing for the invocation segment without it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.logging.logger import Logger
from aws_lambda_powertools.metrics import Metrics, MetricUnit

SERVICE = os.environ.get("POWERTOOLS_SERVICE_NAME", "helpline")
NAMESPACE = os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "Helpline")

logger = Logger(service=SERVICE, utc=True)
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)

_tracer: Any = None


def get_tracer() -> Any:
    """Powertools Tracer when HELPLINE_XRAY=true and aws-xray-sdk is installed, else None."""
    global _tracer
    if _tracer is None and os.environ.get("HELPLINE_XRAY", "").lower() == "true":
        try:
            from aws_lambda_powertools.tracing import Tracer

            _tracer = Tracer(service=SERVICE)
        except Exception:  # noqa: BLE001 - tracing must never break a call
            _tracer = False
    return _tracer or None


def _count(name: str, value: float = 1) -> None:
    try:
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)
    except Exception:  # noqa: BLE001, S110 - metrics must never break a call
        pass


def count(name: str, value: float = 1) -> None:
    _count(name, value)


def _flush(function: str) -> None:
    try:
        metrics.add_dimension(name="function", value=function)
        metrics.flush_metrics(raise_on_empty_metrics=False)
    except Exception:  # noqa: BLE001
        try:
            metrics.clear_metrics()
        except Exception:  # noqa: BLE001, S110
            pass


def _context_keys(context: Any) -> dict[str, str]:
    return {
        "function_name": str(getattr(context, "function_name", "local")),
        "function_request_id": str(getattr(context, "aws_request_id", "")),
    }


def _validation_fields(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    if not callable(errors):
        return ""
    try:
        locs = [".".join(str(p) for p in e.get("loc", ())) for e in errors(include_input=False, include_url=False)]
    except Exception:  # noqa: BLE001
        return ""
    return ",".join(locs[:5])


def flow_budget_seconds(context: Any) -> float:
    """The time budget of one flow invocation: ``FLOW_BUDGET_SECONDS``, less if Lambda has less left."""
    from functions.deadline import FLOW_BUDGET_SECONDS

    remaining = getattr(context, "get_remaining_time_in_millis", None)
    budget = FLOW_BUDGET_SECONDS
    if callable(remaining):
        try:
            budget = min(budget, remaining() / 1000 - 0.5)
        except Exception:  # noqa: BLE001, S110 - a foreign context object: keep the default
            pass
    return max(budget, 0.0)


def answer_flow(
    name: str,
    parse: Callable[[dict], Any],
    run: Callable[[Any], dict[str, str]],
    defaults: dict[str, str],
    event: Any,
    context: Any,
) -> dict[str, str]:
    """One flow invocation: never raises; answers a flat map of strings with ``status``."""
    from functions import deadline
    from functions.errors import HandlerError, backend_error_code, is_backend_error

    started = time.perf_counter()
    logger.append_keys(**_context_keys(context), contact_id=None)
    extra: dict[str, str] = {}
    deadline.start(flow_budget_seconds(context))
    try:
        try:
            parsed = parse(event)
        except HandlerError:
            raise
        except Exception as exc:  # pydantic ValidationError, TypeError on non-dicts...
            logger.warning("invalid event", extra={"fields": _validation_fields(exc)})
            raise _invalid_event() from None
        contact_id = getattr(parsed, "contact_id", None)
        if contact_id:
            logger.append_keys(contact_id=contact_id)
        result = run(parsed)
        status = result.get("status", "ok")
        response = {**defaults, **result, "status": status}
    except HandlerError as exc:
        status = exc.status
        if is_backend_error(exc):
            extra = {}
            logger.error("backend unavailable", extra={"error": type(exc).__name__})
        else:
            extra = {k: str(v) for k, v in exc.extra.items()}
            logger.warning("request rejected", extra={"status": status, **extra})
        response = {**defaults, **extra, "status": status}
    except Exception as exc:  # noqa: BLE001 - never raise into Amazon Connect
        if is_backend_error(exc):
            status = "backend_unavailable"
            logger.error("backend unavailable", extra={"error": backend_error_code(exc)})
        else:
            status = "internal_error"
            logger.error("internal error", extra={"error": type(exc).__name__})
        response = {**defaults, "status": status}
    finally:
        deadline.clear()
    elapsed_ms = (time.perf_counter() - started) * 1000
    _count(f"Status_{status}")
    logger.info("answered", extra={"status": status, "duration_ms": round(elapsed_ms, 1)})
    _flush(name)
    return {str(k): "" if v is None else str(v) for k, v in response.items()}


def flow_handler(
    name: str,
    parse: Callable[[dict], Any],
    run: Callable[[Any], dict[str, str]],
    defaults: dict[str, str],
) -> Callable[[Any, Any], dict[str, str]]:
    """Wrap a flow-invoked function (see :func:`answer_flow`); the AWS requests of one invocation
    run under a deadline (``functions.deadline``) so Amazon Connect gets an answer in time."""

    def handler(event: Any, context: Any) -> dict[str, str]:
        return answer_flow(name, parse, run, defaults, event, context)

    handler.__name__ = f"{name}_handler"
    return handler


def _invalid_event() -> Exception:
    from functions.errors import InvalidEvent

    return InvalidEvent()


def process_event(
    name: str,
    parse: Callable[[dict], Any],
    run: Callable[[Any], dict[str, str]],
    event: Any,
    context: Any,
) -> dict[str, str]:
    """One EventBridge invocation (see :func:`event_handler`)."""
    from functions import deadline
    from functions.errors import backend_error_code, is_backend_error

    deadline.clear()  # asynchronous: Lambda's own timeout and retries apply
    logger.append_keys(**_context_keys(context), contact_id=None)
    try:
        try:
            parsed = parse(event)
        except Exception as exc:
            logger.warning("malformed event dropped", extra={"fields": _validation_fields(exc)})
            _count("MalformedEvent")
            return {"status": "invalid_event"}
        contact_id = getattr(parsed, "contact_id", None)
        if contact_id:
            logger.append_keys(contact_id=contact_id)
        try:
            result = run(parsed)
        except Exception as exc:
            if is_backend_error(exc):
                logger.error("backend unavailable, raising for retry", extra={"error": backend_error_code(exc)})
                _count("BackendFailure")
            else:
                logger.error("internal error, raising for retry", extra={"error": type(exc).__name__})
                _count("InternalError")
            raise
        status = result.get("status", "ok")
        _count(f"Status_{status}")
        logger.info("processed", extra={"status": status})
        return {str(k): str(v) for k, v in result.items()}
    finally:
        _flush(name)


def event_handler(
    name: str,
    parse: Callable[[dict], Any],
    run: Callable[[Any], dict[str, str]],
) -> Callable[[Any, Any], dict[str, str]]:
    """Wrap an EventBridge-invoked function.

    Malformed events are logged, counted (metric ``MalformedEvent``) and dropped: retrying them
    cannot help.  Backend failures are re-raised so that Lambda's async retries and the DLQ /
    on-failure destination keep the event.
    """

    def handler(event: Any, context: Any) -> dict[str, str]:
        return process_event(name, parse, run, event, context)

    handler.__name__ = f"{name}_handler"
    return handler
