"""Pydantic models of the Amazon Connect contact-flow Lambda event (``Name: ContactFlowEvent``).

Shape: https://docs.aws.amazon.com/connect/latest/adminguide/connect-lambda-functions.html .
Unknown keys are accepted and ignored (Amazon Connect adds fields over time).  Only what the
handlers use is validated strictly: ContactId (also used in DynamoDB keys), RelatedContactId (the
guide's chat contact names its call with it: a ContactId, or None when absent or "") and
Parameters (a flat map of strings).

The handlers parse with :func:`functions.models.events.parse_flow_event` (same rules, no pydantic)
and come here only for what it cannot vouch for.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from functions.models.lean import CONTACT_ID_PATTERN, FlowEventAccess, related_contact_id


class _Loose(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


class ConnectEndpoint(_Loose):
    Address: str | None = None
    Type: str | None = None


class ConnectQueue(_Loose):
    ARN: str | None = None
    Name: str | None = None


class ConnectContactData(_Loose):
    ContactId: str = Field(pattern=CONTACT_ID_PATTERN)
    InitialContactId: str | None = None
    # The guide's chat contact: the voice call it belongs to ("" or absent: None).
    RelatedContactId: Annotated[
        Annotated[str, Field(pattern=CONTACT_ID_PATTERN)] | None, BeforeValidator(related_contact_id)
    ] = None
    PreviousContactId: str | None = None
    Channel: str = "VOICE"
    InstanceARN: str | None = None
    InitiationMethod: str | None = None
    CustomerEndpoint: ConnectEndpoint | None = None
    SystemEndpoint: ConnectEndpoint | None = None
    Attributes: dict[str, Any] = Field(default_factory=dict)
    LanguageCode: str | None = None
    Queue: ConnectQueue | None = None


class ConnectDetails(_Loose):
    ContactData: ConnectContactData
    Parameters: dict[str, str] = Field(default_factory=dict)


class ContactFlowEvent(FlowEventAccess, _Loose):
    Name: Literal["ContactFlowEvent"]
    Details: ConnectDetails


def parse_flow_event(event: Any) -> ContactFlowEvent:
    return ContactFlowEvent.model_validate(event)
