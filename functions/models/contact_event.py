"""Pydantic model of the EventBridge ``Amazon Connect Contact Event`` (source ``aws.connect``).

https://docs.aws.amazon.com/connect/latest/adminguide/contact-events.html .  Extra keys are
accepted; event types other than the four recorded ones are ignored explicitly by the logic.  The handler parses with :func:`functions.models.events.parse_contact_event` (same
rules, no pydantic) and comes here only for what it cannot vouch for.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from functions.models.lean import CONTACT_ID_PATTERN, EVENT_ID_PATTERN, EVENT_TYPE_PATTERN, RECORDED_EVENT_TYPES  # noqa: F401


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
    eventType: str = Field(pattern=EVENT_TYPE_PATTERN)
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
    id: str = Field(pattern=EVENT_ID_PATTERN)
    detail_type: Literal["Amazon Connect Contact Event"] = Field(alias="detail-type")
    source: Literal["aws.connect"]
    time: datetime
    detail: ContactEventDetail

    @property
    def contact_id(self) -> str:
        return self.detail.contactId


def parse_contact_event(event: object) -> ContactEvent:
    return ContactEvent.model_validate(event)
