"""The call an operators' guide contact belongs to, read from where the docs say it is.

ShowView runs the step-by-step guide as a chat contact of its own, "different from the
customer-based contact that the agent is handling"
(https://docs.aws.amazon.com/connect/latest/APIReference/participant-actions-showview.html).
No AWS page says that the call's contact attributes are copied to that contact, so the guide's
Lambdas assume only the guide event's ``RelatedContactId`` (the call's ContactId; a live
assumption, checked by ``helpline verify-live``) and look up the rest:

- who is calling and which case the call opened: the ContactLinks item identify_caller and
  create_case wrote for the call (functions.dal.repository.get_contact_link), 1 GetItem;
- the call's non-personal IVR path (language, topic, priority, callback): the call's contact
  attributes, connect:GetContactAttributes (``GET /contact/attributes/<InstanceId>/<InitialContactId>``,
  https://docs.aws.amazon.com/connect/latest/APIReference/API_GetContactAttributes.html), 1 request.

Nothing personal is ever written as a contact attribute (docs/audit.md, "What Connect keeps"), so
the second read returns only the IVR's path.
"""

from __future__ import annotations

from functions.dal import connect, repository
from functions.dal.models import ContactLink

# The call's attributes the guide shows and passes on (all non-personal, set by the IVR).
PATH_ATTRIBUTES = ("language", "language_name", "topic", "priority", "callback", "returning")


def link(voice_contact_id: str | None) -> ContactLink | None:
    """The call's link (caller pseudonym, case), or None: no call, or no identified caller."""
    return repository.get_contact_link(voice_contact_id) if voice_contact_id else None


def caller_of(voice_contact_id: str | None, given: str | None = None) -> str | None:
    """The pseudonym of the call's caller: from the call's link; ``given`` (a caller_id
    parameter of a direct invocation) only when there is no call to look up."""
    if not voice_contact_id:
        return given
    found = link(voice_contact_id)
    return found.caller_id if found is not None else None


def path_of(voice_contact_id: str | None) -> dict[str, str]:
    """The call's IVR path attributes ({} without a call or an instance id; a call Connect no
    longer knows has none: the guide goes on without its path)."""
    from functions.settings import get_settings

    instance = get_settings().connect_instance_id
    if not voice_contact_id or not instance:
        return {}
    found = connect.contact_attributes(instance, voice_contact_id)
    return {k: str(found[k]) for k in PATH_ATTRIBUTES if k in found}
