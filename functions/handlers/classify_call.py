"""Lambda entry point ``classify_call`` (invoked from the operators' guide flow).

See functions.logic.classify for behaviour, request budget and response keys.
"""

from functions.logic import classify as _logic
from functions.models.events import parse_flow_event
from functions.observability import flow_handler

handler = flow_handler("classify_call", parse_flow_event, _logic.run, _logic.DEFAULTS)
