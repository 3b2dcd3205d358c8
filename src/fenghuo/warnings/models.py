"""Tables of warnings: the warning, its immutable versions, the CAP messages it emitted."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fenghuo import clock
from fenghuo.accounts.models import Organisation
from fenghuo.store import Base, TimestampMixin, new_id


class WarningSequence(Base):
    """The last identifier number given out per year (allocated under a row lock)."""

    __tablename__ = "warning_sequence"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(default=0)


class EarlyWarning(TimestampMixin, Base):
    """A warning (预警) and its current content: the latest of its versions."""

    __tablename__ = "early_warning"
    __table_args__ = (Index("ix_early_warning_state_colour", "state", "colour"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    identifier: Mapped[str] = mapped_column(String(24), unique=True)
    state: Mapped[str] = mapped_column(String(20), default="draft")
    colour: Mapped[str] = mapped_column(String(10))
    category: Mapped[str] = mapped_column(String(40))
    title_zh: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300))
    description_zh: Mapped[str] = mapped_column(Text)
    description_en: Mapped[str] = mapped_column(Text)
    measures_zh: Mapped[str] = mapped_column(Text)
    measures_en: Mapped[str] = mapped_column(Text)
    sectors: Mapped[list[str]] = mapped_column(JSON, default=list)
    regions: Mapped[list[str]] = mapped_column(JSON, default=list)
    effective_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    audience: Mapped[str] = mapped_column(String(20))
    tlp: Mapped[str | None] = mapped_column(String(20))
    exercise: Mapped[bool] = mapped_column(Boolean, default=False)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"), index=True)
    incident_id: Mapped[str | None] = mapped_column(String(36), index=True)
    recommendation_id: Mapped[str | None] = mapped_column(String(64))
    plan_version_id: Mapped[str] = mapped_column(String(36))
    version: Mapped[int] = mapped_column(default=1)
    created_by: Mapped[str] = mapped_column(String(200))
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    lifted_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    reason: Mapped[str] = mapped_column(Text, default="")
    # The notifications sent for it (publish, adjust, lift, cancel), oldest first.
    notification_ids: Mapped[list[str]] = mapped_column(JSON, default=list)

    organisation: Mapped[Organisation] = relationship(lazy="joined")

    def state_dict(self) -> dict[str, Any]:
        """What the audit trail digests."""
        return {
            "id": self.id,
            "identifier": self.identifier,
            "state": self.state,
            "colour": self.colour,
            "version": self.version,
            "audience": self.audience,
            "tlp": self.tlp,
            "exercise": self.exercise,
            "sectors": list(self.sectors),
            "regions": list(self.regions),
            "org_id": self.org_id,
        }


class WarningVersion(Base):
    """One version of a warning's content, never changed once written."""

    __tablename__ = "warning_version"
    __table_args__ = (UniqueConstraint("warning_id", "number"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    warning_id: Mapped[str] = mapped_column(
        ForeignKey("early_warning.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    change: Mapped[str] = mapped_column(String(20))  # drafted, edited, adjusted
    reason: Mapped[str] = mapped_column(Text, default="")
    colour: Mapped[str] = mapped_column(String(10))
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    made_at: Mapped[datetime] = mapped_column(default=clock.now)
    made_by: Mapped[str] = mapped_column(String(200))


class CapMessage(Base):
    """A CAP 1.2 message as issued: the signed XML is kept byte for byte."""

    __tablename__ = "warning_cap_message"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    warning_id: Mapped[str] = mapped_column(
        ForeignKey("early_warning.id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int]
    identifier: Mapped[str] = mapped_column(String(64), unique=True)
    sender: Mapped[str] = mapped_column(String(120))
    sent_at: Mapped[datetime]
    sent: Mapped[str] = mapped_column(String(32))  # the CAP ``sent`` text, as referenced
    msg_type: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10))
    scope: Mapped[str] = mapped_column(String(12))
    refs: Mapped[str] = mapped_column(Text, default="")  # the CAP ``references`` text
    version: Mapped[int]
    algorithm: Mapped[str] = mapped_column(String(20))
    key_fingerprint: Mapped[str] = mapped_column(String(64))
    xml: Mapped[str] = mapped_column(Text)

    def reference(self) -> str:
        """``sender,identifier,sent``: how a later message references this one (CAP 1.2)."""
        return f"{self.sender},{self.identifier},{self.sent}"
