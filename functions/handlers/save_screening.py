"""Lambda entry point ``save_screening`` (invoked from the operators' guide flow).

See functions.logic.screening for behaviour, request budget and response keys.
"""

from functions.logic import screening as _logic
from functions.models.events import parse_flow_event
from functions.observability import flow_handler

handler = flow_handler("save_screening", parse_flow_event, _logic.run, _logic.DEFAULTS)
