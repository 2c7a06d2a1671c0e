"""Lambda entry point ``identify_caller`` (invoked from an Amazon Connect contact flow).

See functions.logic.identify for behaviour, request budget and response keys.
"""

from functions.logic import identify as _logic
from functions.models.events import parse_flow_event
from functions.observability import flow_handler

handler = flow_handler("identify_caller", parse_flow_event, _logic.run, _logic.DEFAULTS)
