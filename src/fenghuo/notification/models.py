"""Tables of notifications, their recipients, deliveries and the organisations' endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fenghuo import clock
from fenghuo.store import Base, TimestampMixin, new_id


class Notification(Base):
    """What was sent, by whom, about what; ``escalate_at`` is when unacknowledged ones escalate."""

    __tablename__ = "notification"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    sender_org_id: Mapped[str | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    sender_user_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    sender_label: Mapped[str] = mapped_column(String(200))
    ref_type: Mapped[str | None] = mapped_column(String(40))
    ref_id: Mapped[str | None] = mapped_column(String(64))
    tlp: Mapped[str] = mapped_column(String(16))
    escalate_after_seconds: Mapped[int | None] = mapped_column(Integer)
    escalate_at: Mapped[datetime | None] = mapped_column(index=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=clock.now, index=True)

    recipients: Mapped[list[NotificationRecipient]] = relationship(
        back_populates="notification",
        cascade="all, delete-orphan",
        order_by="NotificationRecipient.org_id",
        foreign_keys="NotificationRecipient.notification_id",
    )

    def state(self) -> dict[str, Any]:
        """What the audit trail digests."""
        return {
            "id": self.id,
            "kind": self.kind,
            "title": self.title,
            "body": self.body,
            "sender_org_id": self.sender_org_id,
            "ref_type": self.ref_type,
            "ref_id": self.ref_id,
            "tlp": self.tlp,
            "escalate_after_seconds": self.escalate_after_seconds,
        }


class NotificationRecipient(Base):
    """One receiving organisation of a notification, and whether it has acknowledged."""

    __tablename__ = "notification_recipient"
    __table_args__ = (
        UniqueConstraint("notification_id", "org_id"),
        Index("ix_notification_recipient_org_state", "org_id", "state"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    notification_id: Mapped[str] = mapped_column(ForeignKey("notification.id", ondelete="CASCADE"))
    org_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"))
    state: Mapped[str] = mapped_column(String(16), default="pending")
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    acknowledged_by: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")
    escalated_at: Mapped[datetime | None]
    escalation_id: Mapped[str | None] = mapped_column(String(36))

    notification: Mapped[Notification] = relationship(
        back_populates="recipients", foreign_keys=[notification_id]
    )


class NotificationDelivery(TimestampMixin, Base):
    """One recipient on one channel (one endpoint for webhooks): attempts and their outcome."""

    __tablename__ = "notification_delivery"
    __table_args__ = (Index("ix_notification_delivery_due", "state", "next_attempt_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    notification_id: Mapped[str] = mapped_column(
        ForeignKey("notification.id", ondelete="CASCADE"), index=True
    )
    recipient_id: Mapped[str] = mapped_column(
        ForeignKey("notification_recipient.id", ondelete="CASCADE"), index=True
    )
    org_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"))
    channel: Mapped[str] = mapped_column(String(16))
    endpoint_id: Mapped[str | None] = mapped_column(
        ForeignKey("notification_endpoint.id", ondelete="SET NULL")
    )
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(1000))
    next_attempt_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]


class NotificationEndpoint(Base):
    """Where an organisation receives notifications besides the inbox: a webhook or an address.

    A webhook's signing secret is never stored: it is derived from the deployment's secret
    key and the endpoint's random ``secret_salt`` (see ``endpoints.webhook_secret``), shown
    once when registered, and re-derived by the worker to sign each request.
    """

    __tablename__ = "notification_endpoint"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(2000))
    secret_salt: Mapped[str | None] = mapped_column(String(64))
    secret_hint: Mapped[str | None] = mapped_column(String(16))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    def state(self) -> dict[str, Any]:
        """What the audit trail digests (never a secret)."""
        return {
            "id": self.id,
            "org_id": self.org_id,
            "channel": self.channel,
            "address": self.address,
            "secret_hint": self.secret_hint,
            "enabled": self.enabled,
        }
