"""Lambda entry point ``record_outcome`` (invoked from the operators' guide flow).

See functions.logic.outcome for behaviour, request budget and response keys.
"""

from functions.logic import outcome as _logic
from functions.models.events import parse_flow_event
from functions.observability import flow_handler

handler = flow_handler("record_outcome", parse_flow_event, _logic.run, _logic.DEFAULTS)
