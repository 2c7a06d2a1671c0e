"""Lambda entry point ``create_case`` (invoked from an Amazon Connect contact flow).

See functions.logic.cases for behaviour, request budget and response keys.
"""

from functions.logic import cases as _logic
from functions.models.events import parse_flow_event
from functions.observability import flow_handler

handler = flow_handler("create_case", parse_flow_event, _logic.run, _logic.DEFAULTS)
