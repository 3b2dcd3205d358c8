"""Tables of detections: one row per (rule, event) match, and the batches already processed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fenghuo import clock
from fenghuo.store import Base, new_id


class Detection(Base):
    """A Sigma rule matched an archived event; ``UNIQUE(rule_id, event_id)`` keeps it once."""

    __tablename__ = "detection"
    __table_args__ = (
        UniqueConstraint("rule_id", "event_id"),
        Index("ix_detection_group", "rule_id", "host", "window_start"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    rule_id: Mapped[str] = mapped_column(String(100))
    rule_title: Mapped[str] = mapped_column(String(300))
    # The Detection Rule License 1.1 requires the author be shown wherever matches are.
    rule_author: Mapped[str] = mapped_column(String(300))
    level: Mapped[str] = mapped_column(String(20), index=True)
    tags: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default="new")
    event_id: Mapped[str] = mapped_column(String(64))
    event_time: Mapped[datetime] = mapped_column(index=True)
    # event_time truncated to the hour: the grouping window of the analysts' view.
    window_start: Mapped[datetime]
    host: Mapped[str] = mapped_column(String(255), default="")
    source: Mapped[str] = mapped_column(String(100))
    batch_id: Mapped[str] = mapped_column(String(36), index=True)
    owner_org_id: Mapped[str | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    owner_org_name: Mapped[str | None] = mapped_column(String(300))
    owner_sector: Mapped[str | None] = mapped_column(String(50))
    owner_region: Mapped[str | None] = mapped_column(String(20))
    owner_is_cii: Mapped[bool | None] = mapped_column(Boolean)
    excerpt: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=clock.now, index=True)


class DetectionBatch(Base):
    """An ingest batch the detection pipeline has processed (its marker of exactly once)."""

    __tablename__ = "detection_batch"

    batch_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(default=clock.now)
    events: Mapped[int]
    detections: Mapped[int]
