"""Lambda entry point ``get_caller_context`` (invoked from the operators' guide flow).

See functions.logic.context for behaviour, request budget and response keys.
"""

from functions.logic import context as _logic
from functions.models.events import parse_flow_event
from functions.observability import flow_handler

handler = flow_handler("get_caller_context", parse_flow_event, _logic.run, _logic.DEFAULTS)
