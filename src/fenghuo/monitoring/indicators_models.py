"""Tables of indicator sets and their indicators (IOCs)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fenghuo.accounts.models import Organisation
from fenghuo.store import Base, TimestampMixin, new_id


class IndicatorSet(TimestampMixin, Base):
    """A named set of indicators owned by an organisation, with its TLP 2.0 marking."""

    __tablename__ = "indicator_set"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    owner_org_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"), index=True)
    tlp: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(String(1000), default="")

    owner: Mapped[Organisation] = relationship(lazy="joined")

    def state(self) -> dict[str, Any]:
        """What the audit trail digests."""
        return {
            "id": self.id,
            "name": self.name,
            "owner_org_id": self.owner_org_id,
            "tlp": self.tlp,
            "source": self.source,
            "description": self.description,
        }


class Indicator(TimestampMixin, Base):
    """One indicator: a normalised value of a type, valid from a time until its expiry."""

    __tablename__ = "indicator"
    __table_args__ = (UniqueConstraint("set_id", "type", "value"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    set_id: Mapped[str] = mapped_column(ForeignKey("indicator_set.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(8))
    value: Mapped[str] = mapped_column(String(2048))
    valid_from: Mapped[datetime]
    valid_until: Mapped[datetime | None] = mapped_column(index=True)
    confidence: Mapped[int | None] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(String(1000), default="")
    stix_id: Mapped[str | None] = mapped_column(String(100))
    tlp: Mapped[str] = mapped_column(String(16))
