"""The table of sector submissions (Art. 52): monitoring information sent upward."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fenghuo.accounts.models import Organisation
from fenghuo.store import Base, TimestampMixin, new_id


class Submission(TimestampMixin, Base):
    """A structured report from a sector or provincial department; ``created_at`` is when."""

    __tablename__ = "submission"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"), index=True)
    submitted_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    submitted_by: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200))
    observed: Mapped[str] = mapped_column(Text)
    sectors: Mapped[list[str]] = mapped_column(JSON)
    regions: Mapped[list[str]] = mapped_column(JSON)
    operators: Mapped[list[str]] = mapped_column(JSON)
    period_start: Mapped[datetime]
    period_end: Mapped[datetime]
    scale: Mapped[dict[str, int]] = mapped_column(JSON)
    assessment: Mapped[str] = mapped_column(Text)
    measures: Mapped[str] = mapped_column(Text)
    tlp: Mapped[str] = mapped_column(String(16))

    organisation: Mapped[Organisation] = relationship(lazy="joined")

    def state(self) -> dict[str, Any]:
        """What the audit trail digests."""
        return {
            "id": self.id,
            "org_id": self.org_id,
            "submitted_by": self.submitted_by,
            "title": self.title,
            "sectors": self.sectors,
            "regions": self.regions,
            "operators": self.operators,
            "period_start": self.period_start.isoformat(),
            "period_end": self.period_end.isoformat(),
            "scale": self.scale,
            "tlp": self.tlp,
        }
