"""Incident reports for tests: a valid first report, overridden field by field."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from fenghuo import clock
from fenghuo.authority import Actor
from fenghuo.incidents import flows
from fenghuo.incidents.models import Incident
from fenghuo.incidents.schemas import IncidentCreate


def first_report(*, discovered_at: datetime | None = None, **changes: Any) -> dict[str, Any]:
    """A first report (groups 1 and 2 of Art. 7) as the API takes it."""
    discovered = discovered_at or clock.now() - timedelta(minutes=30)
    report: dict[str, Any] = {
        "title": "Customer database exfiltrated",
        "reporting_unit": "Shenzhen Power Supply Co.",
        "facility": "Customer billing platform (billing.szpower.example)",
        "discovered_at": discovered.isoformat(),
        "occurred_at": (discovered - timedelta(hours=2)).isoformat(),
        "place": "Shenzhen, Guangdong",
        "category": "data_security",
        "impact": {"pi_records_citizens": 12_000},
        "data_involved": "Names, ID numbers and addresses of customers",
        "measures_taken": "Database credentials rotated; outbound transfer blocked.",
    }
    report.update(changes)
    return report


def report(session: Session, actor: Actor, **changes: Any) -> Incident:
    """File a first report through the real flow."""
    return flows.report_incident(
        session=session,
        actor=actor,
        incident_in=IncidentCreate.model_validate(first_report(**changes)),
    )
