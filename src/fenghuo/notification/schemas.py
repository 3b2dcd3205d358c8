"""What the notification flows return and the API takes: pydantic models."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from fenghuo.monitoring.indicators import DEFAULT_TLP, Tlp
from fenghuo.notification.enums import NotificationKind
from fenghuo.notification.models import Notification, NotificationDelivery, NotificationEndpoint

_ID = r"^[A-Za-z0-9_-]{1,64}$"
Title = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=300, pattern=r"^[^\x00-\x1f\x7f]*$"
    ),
]
Body = Annotated[
    str, StringConstraints(max_length=50_000, pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$")
]
OrgId = Annotated[str, StringConstraints(pattern=_ID)]
Note = Annotated[
    str, StringConstraints(max_length=2000, pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$")
]


class ReportCreate(BaseModel):
    """A report to send upward (the API's request body; the kind is ``report``)."""

    model_config = ConfigDict(extra="forbid")

    title: Title
    body: Body = Field(description="Plain text, Chinese and/or English.")
    recipient_org_ids: list[OrgId] = Field(min_length=1, max_length=100_000)
    ref_type: Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,40}$")] | None = None
    ref_id: Annotated[str, StringConstraints(pattern=_ID)] | None = None
    escalate_after_minutes: int | None = Field(
        default=None, ge=1, le=365 * 24 * 60, description="Escalate if unacknowledged (minutes)."
    )
    tlp: Tlp = DEFAULT_TLP

    @property
    def escalate_after(self) -> timedelta | None:
        """``escalate_after_minutes`` as a timedelta."""
        minutes = self.escalate_after_minutes
        return timedelta(minutes=minutes) if minutes is not None else None


class NotificationCreate(ReportCreate):
    """A directive, warning or notice to send (the API's request body)."""

    kind: NotificationKind


class AcknowledgementCreate(BaseModel):
    """The optional note that goes with an acknowledgement."""

    model_config = ConfigDict(extra="forbid")

    note: Note = ""


class NotificationRead(BaseModel):
    """A notification as its sender and recipients see it."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    kind: str
    title: str
    body: str
    sender_org_id: str | None
    sender_label: str
    ref_type: str | None
    ref_id: str | None
    tlp: str
    escalate_after_seconds: int | None
    escalate_at: datetime | None
    created_at: datetime


class DeliveryRead(BaseModel):
    """One delivery: a recipient on a channel, its attempts and outcome."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    notification_id: str
    org_id: str
    channel: str
    endpoint_id: str | None
    state: str
    attempts: int
    last_error: str | None
    next_attempt_at: datetime | None
    delivered_at: datetime | None

    @classmethod
    def of(cls, delivery: NotificationDelivery) -> DeliveryRead:
        return cls.model_validate(delivery)


class RecipientStatus(BaseModel):
    """One recipient organisation: acknowledged or not, and each channel's delivery state."""

    org_id: str
    org_name: str
    state: str
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    note: str
    escalated_at: datetime | None
    escalation_id: str | None
    deliveries: list[DeliveryRead]


class NotificationStatus(BaseModel):
    """The sender's view: who has and has not acknowledged, and how delivery went."""

    notification: NotificationRead
    counts: dict[str, int] = Field(
        description="Recipients by state (pending, acknowledged, escalated) and in total."
    )
    deliveries: dict[str, dict[str, int]] = Field(
        description="Deliveries by channel, then by state."
    )
    recipients: list[RecipientStatus]


class InboxItem(BaseModel):
    """A notification my organisation received, with its acknowledgement state."""

    notification: NotificationRead
    state: str
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    note: str
    escalated_at: datetime | None


class NotificationView(BaseModel):
    """One notification as the actor sees it: as sender (``status``) or as recipient."""

    notification: NotificationRead
    role: Literal["sender", "recipient"]
    receipt: InboxItem | None = None

    @classmethod
    def of(cls, notification: Notification, **values: Any) -> NotificationView:
        return cls(notification=NotificationRead.model_validate(notification), **values)


class EndpointCreate(BaseModel):
    """A webhook URL or an e-mail address where my organisation receives notifications."""

    model_config = ConfigDict(extra="forbid")

    channel: Literal["webhook", "email"]
    address: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=2000)]


class EndpointRead(BaseModel):
    """A registered endpoint (the webhook secret is shown only once, when it is created)."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    org_id: str
    channel: str
    address: str
    secret_hint: str | None
    enabled: bool
    created_by: str
    created_at: datetime

    @classmethod
    def of(cls, endpoint: NotificationEndpoint) -> EndpointRead:
        return cls.model_validate(endpoint)


class EndpointCreated(EndpointRead):
    """The new endpoint, with the webhook signing secret: store it now, it is not shown again."""

    secret: str | None = None
