"""Lambda entry point ``record_survey_answer`` (invoked from an Amazon Connect contact flow).

See functions.logic.surveys for behaviour, request budget and response keys.
"""

from functions.logic import surveys as _logic
from functions.models.events import parse_flow_event
from functions.observability import flow_handler

handler = flow_handler("record_survey_answer", parse_flow_event, _logic.run, _logic.DEFAULTS)
