"""The state of correlation rules between batches: the hits still inside a window."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fenghuo.store import Base, new_id


class CorrelationHit(Base):
    """A referenced rule matched an event that may still complete a correlation.

    A hit leaves the table when its correlation fires with it (it is consumed) or when it is
    older than the newest event seen by more than the correlation's timespan.
    """

    __tablename__ = "detection_correlation_hit"
    __table_args__ = (
        UniqueConstraint("correlation_id", "ref", "event_id"),
        Index("ix_detection_correlation_hit_group", "correlation_id", "group_key", "event_time"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    # The correlation rule's key (its Sigma id, or title:...), as in detection.rule_id.
    correlation_id: Mapped[str] = mapped_column(String(100))
    # sha256 of the group-by values (group_values holds them, for the detection's excerpt).
    group_key: Mapped[str] = mapped_column(String(64))
    group_values: Mapped[list[str]] = mapped_column(JSON)
    # The position of the referenced rule in the correlation's ``rules:``.
    ref: Mapped[int]
    event_id: Mapped[str] = mapped_column(String(64))
    event_time: Mapped[datetime] = mapped_column(index=True)
    # value_count: the counted field's value.
    value: Mapped[str | None] = mapped_column(String(2000))
    # What a detection completed by this event shows: host, source and owner_* of the event.
    meta: Mapped[dict[str, Any]] = mapped_column(JSON)
    batch_id: Mapped[str] = mapped_column(String(36))
