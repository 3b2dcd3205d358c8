"""Tables of risk: refresh snapshots, the assessments of each, and recommendations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fenghuo import clock
from fenghuo.store import Base, new_id


class RiskRefresh(Base):
    """One computation of every assessment (the dashboard reads the latest)."""

    __tablename__ = "risk_refresh"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    # Order of refreshes even when two share a time (a frozen clock, the demo's seed).
    seq: Mapped[int] = mapped_column(unique=True)
    computed_at: Mapped[datetime] = mapped_column(index=True)
    computed_by: Mapped[str] = mapped_column(String(200))
    assessments: Mapped[int]
    surges: Mapped[int]
    recommendations: Mapped[int]
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON)


class RiskAssessment(Base):
    """A stored assessment of one scope (``cell``: sector x province; ``operator``)."""

    __tablename__ = "risk_assessment"
    __table_args__ = (Index("ix_risk_assessment_cell", "sector", "region", "computed_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    refresh_id: Mapped[str] = mapped_column(ForeignKey("risk_refresh.id"), index=True)
    computed_at: Mapped[datetime]
    scope_kind: Mapped[str] = mapped_column(String(10))
    sector: Mapped[str | None] = mapped_column(String(40))
    region: Mapped[str | None] = mapped_column(String(6))
    org_id: Mapped[str | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    org_name: Mapped[str | None] = mapped_column(String(300))
    score: Mapped[float] = mapped_column(Float)
    colour: Mapped[str | None] = mapped_column(String(10))
    degree: Mapped[str | None] = mapped_column(String(4))
    surge: Mapped[bool]
    content: Mapped[dict[str, Any]] = mapped_column(JSON)


class RiskRecommendation(Base):
    """A suggested warning for a sector x province: once per scope per window, and again
    within the window only when the colour rises."""

    __tablename__ = "risk_recommendation"
    __table_args__ = (UniqueConstraint("sector", "region", "window_start", "colour"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    sector: Mapped[str] = mapped_column(String(40))
    region: Mapped[str] = mapped_column(String(6))
    window_start: Mapped[datetime]
    colour: Mapped[str] = mapped_column(String(10))
    threshold_key: Mapped[str] = mapped_column(String(64))
    score: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    assessment_id: Mapped[str] = mapped_column(ForeignKey("risk_assessment.id"))
    title_zh: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300))
    measures_zh: Mapped[str] = mapped_column(Text)
    measures_en: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(40))
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON)
    authority_org_ids: Mapped[list[str]] = mapped_column(JSON)
    notification_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(default=clock.now, index=True)
