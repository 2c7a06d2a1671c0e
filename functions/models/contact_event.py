"""Pydantic model of the EventBridge ``Amazon Connect Contact Event`` (source ``aws.connect``).

https://docs.aws.amazon.com/connect/latest/adminguide/contact-events.html .  Extra keys are
accepted; event types other than the four recorded ones are ignored explicitly by the logic.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from functions.models.connect import CONTACT_ID_PATTERN

RECORDED_EVENT_TYPES = ("INITIATED", "QUEUED", "CONNECTED_TO_AGENT", "DISCONNECTED")


class _Loose(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


class QueueInfo(_Loose):
    queueArn: str | None = None
    queueType: str | None = None
    enqueueTimestamp: datetime | None = None


class AgentInfo(_Loose):
    agentArn: str | None = None
    connectedToAgentTimestamp: datetime | None = None


class ContactEventDetail(_Loose):
    eventType: str = Field(pattern=r"^[A-Z_]{1,64}$")
    contactId: str = Field(pattern=CONTACT_ID_PATTERN)
    initialContactId: str | None = None
    previousContactId: str | None = None
    channel: str | None = None
    instanceArn: str | None = None
    initiationMethod: str | None = None
    initiationTimestamp: datetime | None = None
    disconnectTimestamp: datetime | None = None
    disconnectReason: str | None = None
    queueInfo: QueueInfo | None = None
    agentInfo: AgentInfo | None = None


class ContactEvent(_Loose):
    id: str = Field(pattern=r"^[A-Za-z0-9-]{1,128}$")
    detail_type: Literal["Amazon Connect Contact Event"] = Field(alias="detail-type")
    source: Literal["aws.connect"]
    time: datetime
    detail: ContactEventDetail

    @property
    def contact_id(self) -> str:
        return self.detail.contactId


def parse_contact_event(event: object) -> ContactEvent:
    return ContactEvent.model_validate(event)
