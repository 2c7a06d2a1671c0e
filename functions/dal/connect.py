"""Amazon Connect as the functions use it: an agent's security profiles, a call's IVR path and the
outbound survey's calls.  One request each; a resource Connect does not know is an answer (None),
any other failure raises (the callers turn backend errors into ``backend_unavailable``).

Clients (functions.dal.clients): the ``FLOW`` profile for the guide's reads, ``PACED`` (no retry:
a retry would spend quota behind the campaign's token bucket) for the survey campaign's calls.
https://docs.aws.amazon.com/connect/latest/APIReference/API_DescribeUser.html ,
API_GetContactAttributes.html, API_DescribeContact.html, API_StartOutboundVoiceContact.html
"""

from __future__ import annotations

from typing import Any

from functions.dal import clients

NOT_FOUND = "ResourceNotFoundException"


def _unknown(exc: Exception) -> bool:
    return getattr(exc, "response", {}).get("Error", {}).get("Code") == NOT_FOUND


def security_profiles(instance_id: str, user_id: str) -> set[str] | None:
    """connect:DescribeUser: the user's security profile ids; None when Connect does not know the user."""
    try:
        user = clients.client("connect").describe_user(InstanceId=instance_id, UserId=user_id)
    except Exception as exc:
        if _unknown(exc):
            return None
        raise
    return set(user.get("User", {}).get("SecurityProfileIds", []))


def contact_attributes(instance_id: str, contact_id: str) -> dict[str, Any]:
    """connect:GetContactAttributes of a call ({} when it has none or Connect no longer knows it)."""
    try:
        answer = clients.client("connect").get_contact_attributes(InstanceId=instance_id, InitialContactId=contact_id)
    except Exception as exc:
        if _unknown(exc):
            return {}
        raise
    return answer.get("Attributes") or {}


def call_state(instance_id: str, contact_id: str) -> tuple[bool, bool] | None:
    """connect:DescribeContact: (ended?, connected?) of a call - ``DisconnectTimestamp`` and
    ``ConnectedToSystemTimestamp`` set; None when Connect does not know the contact (yet)."""
    try:
        found = clients.client("connect", clients.PACED).describe_contact(InstanceId=instance_id, ContactId=contact_id)
    except Exception as exc:
        if _unknown(exc):
            return None
        raise
    call = found.get("Contact", {})
    return bool(call.get("DisconnectTimestamp")), bool(call.get("ConnectedToSystemTimestamp"))


def start_call(
    *, instance_id: str, flow_id: str, source: str, destination: str, token: str, attributes: dict[str, str]
) -> str:
    """connect:StartOutboundVoiceContact: the ContactId of the call (for a ClientToken Connect knows
    and a call still going, the existing call's)."""
    answer = clients.client("connect", clients.PACED).start_outbound_voice_contact(
        DestinationPhoneNumber=destination,
        ContactFlowId=flow_id,
        InstanceId=instance_id,
        ClientToken=token,
        SourcePhoneNumber=source,
        Attributes=attributes,
    )
    return answer["ContactId"]
