"""Lambda entry point ``block_caller`` (invoked from the operators' guide flow, supervisors only).

See functions.logic.block for behaviour, request budget and response keys.
"""

from functions.logic import block as _logic
from functions.models.events import parse_flow_event
from functions.observability import flow_handler

handler = flow_handler("block_caller", parse_flow_event, _logic.run, _logic.DEFAULTS)
