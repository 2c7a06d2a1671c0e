"""Lambda entry point ``record_contact_event`` (EventBridge rule: source aws.connect,
detail-type "Amazon Connect Contact Event").

Malformed events are dropped (logged + metric); backend failures raise so EventBridge/Lambda
retries and the DLQ keep the event.  See functions.logic.contact_events.
"""

from functions.logic import contact_events as _logic
from functions.models.events import parse_contact_event
from functions.observability import event_handler

handler = event_handler("record_contact_event", parse_contact_event, _logic.run)
