"""Lambda entry point ``deliver_outbox`` (DynamoDB stream of the Outbox table + a schedule).

Malformed events are dropped (logged + metric); an unacknowledged notification raises so that
the stream (or the next scheduled run) retries it.  See functions.logic.outbox.
"""

from functions.logic import outbox as _logic
from functions.observability import event_handler

handler = event_handler("deliver_outbox", _logic.parse_outbox_event, _logic.run)
