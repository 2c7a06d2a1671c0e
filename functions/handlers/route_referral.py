"""Lambda entry point ``route_referral`` (invoked from an Amazon Connect contact flow).

See functions.logic.referrals for behaviour, request budget and response keys.
"""

from functions.logic import referrals as _logic
from functions.models.events import parse_flow_event
from functions.observability import flow_handler

handler = flow_handler("route_referral", parse_flow_event, _logic.run, _logic.DEFAULTS)
