"""Server-side check that the agent acting in the guide has a supervisor security profile.

The guide passes the agent's ARN: the contact attribute ``$.Agent.ARN`` (agent attributes,
https://docs.aws.amazon.com/connect/latest/adminguide/connect-attrib-list.html), of the form
``arn:aws:connect:<region>:<account>:instance/<instance-id>/agent/<user-id>``.  The function calls
connect:DescribeUser (``GET /users/<InstanceId>/<UserId>``,
https://docs.aws.amazon.com/connect/latest/APIReference/API_DescribeUser.html) and accepts the
agent only when the ARN names this instance (``CONNECT_INSTANCE_ID``) and the user's
``SecurityProfileIds`` include one of ``SUPERVISOR_PROFILE_IDS``.  A user Connect does not know
(ResourceNotFoundException) is refused; any other failure is a backend failure (no decision).
1 request (Connect), counted against the instance's DescribeUser API rate.
"""

from __future__ import annotations

import re

from functions.dal import connect
from functions.settings import get_settings

AGENT_ARN = re.compile(
    r"^arn:aws[a-z-]*:connect:[a-z0-9-]+:\d{12}:instance/(?P<instance>[A-Za-z0-9-]+)/agent/(?P<user>[A-Za-z0-9-]+)$"
)


def agent_user_id(agent_arn: str) -> str:
    match = AGENT_ARN.match(agent_arn)
    return match.group("user") if match else ""


def is_supervisor(agent_arn: str) -> bool:
    settings = get_settings()
    match = AGENT_ARN.match(agent_arn)
    allowed = {p.strip() for p in settings.supervisor_profile_ids.split(",") if p.strip()}
    if match is None or not allowed or match.group("instance") != settings.connect_instance_id:
        return False
    profiles = connect.security_profiles(settings.connect_instance_id, match.group("user"))
    return bool(profiles and allowed & profiles)
