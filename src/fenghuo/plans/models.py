"""Tables of emergency plans and their immutable versions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fenghuo import clock
from fenghuo.accounts.models import Organisation
from fenghuo.store import Base, TimestampMixin, new_id


class Plan(TimestampMixin, Base):
    """A named plan and the organisation that owns it (the coordinator or a sector)."""

    __tablename__ = "plan"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    owner_org_id: Mapped[str | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    owner_kind: Mapped[str] = mapped_column(String(40))
    owner_sector: Mapped[str | None] = mapped_column(String(40))
    latest_version: Mapped[int] = mapped_column(default=0)

    owner: Mapped[Organisation | None] = relationship(lazy="joined")


class PlanVersion(Base):
    """One version of a plan: the YAML as given and its parsed document. Never updated,
    except ``is_active``, which moves to the newest version on import."""

    __tablename__ = "plan_version"
    __table_args__ = (UniqueConstraint("plan_id", "version"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    plan_id: Mapped[str] = mapped_column(ForeignKey("plan.id"), index=True)
    version: Mapped[int]
    yaml_text: Mapped[str] = mapped_column(Text)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    is_active: Mapped[bool] = mapped_column(Boolean, default=False)

    plan: Mapped[Plan] = relationship(lazy="joined")

    def state(self) -> dict[str, Any]:
        """What the audit trail digests."""
        return {
            "id": self.id,
            "plan_id": self.plan_id,
            "version": self.version,
            "yaml_text": self.yaml_text,
            "created_by": self.created_by,
            "is_active": self.is_active,
        }
