"""Error types shared by logic and handlers, and the mapping of exceptions to status codes.

Status codes answered to Amazon Connect (``status`` key):

- ``ok``                  success (also for an idempotent replay)
- ``invalid_event``       the event envelope is not an Amazon Connect ContactFlowEvent we can use
- ``invalid_parameter``   a flow parameter is missing or not allowed (``error_field`` names it)
- ``no_caller_id``        identify_caller: withheld/unparseable caller number (flow continues anonymously)
- ``case_not_found``      route_referral, save_screening, record_outcome: unknown (or expired) case id
- ``case_closed``         route_referral: the case is closed; nothing referred
- ``forbidden``           block_caller: the agent has no supervisor security profile; nothing written
- ``capacity_conflict``   route_referral: a partner filled up concurrently; nothing was written, retry
- ``backend_unavailable`` DynamoDB / Secrets Manager / EventBridge failed, throttled or timed out
- ``internal_error``      a bug; logged with the exception type only
"""

from __future__ import annotations


class HandlerError(Exception):
    status = "internal_error"

    def __init__(self, message: str = "", **extra: str) -> None:
        super().__init__(message or self.status)
        self.extra = extra


class InvalidEvent(HandlerError):
    status = "invalid_event"


class InvalidParameter(HandlerError):
    status = "invalid_parameter"

    def __init__(self, field: str, message: str = "") -> None:
        super().__init__(message or f"invalid parameter {field}", error_field=field)
        self.field = field


class CaseNotFound(HandlerError):
    status = "case_not_found"


class CaseClosed(HandlerError):
    status = "case_closed"


class CapacityConflict(HandlerError):
    status = "capacity_conflict"


class BackendUnavailable(HandlerError):
    status = "backend_unavailable"


def is_backend_error(exc: BaseException) -> bool:
    """True for failures of AWS services (throttling, timeouts, 5xx, network, access denied)."""
    if isinstance(exc, BackendUnavailable):
        return True
    from botocore.exceptions import BotoCoreError, ClientError
    from pynamodb.exceptions import PynamoDBException

    if isinstance(exc, (BotoCoreError, ClientError, PynamoDBException, TimeoutError, ConnectionError)):
        return True
    # Powertools parameters wrap Secrets Manager failures in GetParameterError.
    return type(exc).__name__ in {"GetParameterError", "TransformParameterError"}


def backend_error_code(exc: BaseException) -> str:
    """A short, PII-free description of a backend failure for logs and metrics."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code", type(exc).__name__))
    cause = getattr(exc, "cause", None) or exc.__cause__ or exc.__context__
    if cause is not None and cause is not exc:
        return backend_error_code(cause)
    return type(exc).__name__
