"""The demo's risk picture: one refresh over whatever the demo has so far."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from fenghuo.authority import Actor
from fenghuo.risk import service as risk_service
from fenghuo.risk.schemas import RefreshResult


def seed_risk(session: Session, actor: Actor, now: datetime | None = None) -> RefreshResult:
    """Refresh the assessments once (after the demo incidents, and again after the replay),
    so the dashboard shows the heatmap and any pending recommendation."""
    return risk_service.refresh(session, actor, now=now)
