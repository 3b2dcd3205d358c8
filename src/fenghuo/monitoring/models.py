"""Tables of event sources and ingest batches."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fenghuo.accounts.models import Organisation
from fenghuo.store import Base, TimestampMixin, new_id


class Source(TimestampMixin, Base):
    """A registered sender of events (a sensor, a log shipper, a sector feed)."""

    __tablename__ = "source"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    format: Mapped[str] = mapped_column(String(20), default="auto")
    description: Mapped[str] = mapped_column(String(500), default="")
    owner_org_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"), index=True)
    # The source sends as a service account of its owner, with an API token scoped to ingest.
    service_user_id: Mapped[str] = mapped_column(ForeignKey("user_account.id"), unique=True)
    credential_id: Mapped[str | None] = mapped_column(ForeignKey("credential.id"), unique=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    owner: Mapped[Organisation] = relationship(lazy="joined")

    def state(self) -> dict[str, Any]:
        """What the audit trail digests before and after a change (never the token)."""
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "format": self.format,
            "description": self.description,
            "owner_org_id": self.owner_org_id,
            "credential_id": self.credential_id,
            "is_active": self.is_active,
        }


class IngestBatch(Base):
    """One accepted request or file chunk: counts, and the archive files it wrote."""

    __tablename__ = "ingest_batch"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    source_id: Mapped[str] = mapped_column(ForeignKey("source.id"), index=True)
    received_at: Mapped[datetime] = mapped_column(index=True)
    origin: Mapped[str] = mapped_column(String(500))
    accepted: Mapped[int]
    rejected: Mapped[int]
    files: Mapped[list[str]] = mapped_column(JSON)


class Asset(TimestampMixin, Base):
    """A network range or host name that belongs to an organisation (the asset registry)."""

    __tablename__ = "asset"
    __table_args__ = (UniqueConstraint("kind", "value"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    value: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(String(500), default="")

    organisation: Mapped[Organisation] = relationship(lazy="joined")
