"""Lambda entry point ``survey_consent`` (invoked from the outbound survey contact flow).

Answers ``status`` ok | not_found | invalid | error (the contract of the outbound survey flow,
which never branches on it); see functions.logic.survey_consent.
"""

from functions.logic import survey_consent as _logic
from functions.models.events import parse_flow_event
from functions.observability import flow_handler

_STATUS = {"invalid_event": "invalid", "invalid_parameter": "invalid", "backend_unavailable": "error"}
_answer = flow_handler("survey_consent", parse_flow_event, _logic.run, _logic.DEFAULTS)


def handler(event, context):  # noqa: ANN001, ANN201 - the Lambda signature
    response = _answer(event, context)
    status = response.get("status", "error")
    response["status"] = status if status in ("ok", "not_found") else _STATUS.get(status, "error")
    return response
