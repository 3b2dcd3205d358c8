"""Deadline clocks (2025 measures Arts. 4 and 8): every reporting deadline that applies to an
incident, when the matching report was actually made, and whether it was on time.

The deadlines come from the plan version the incident runs under, for its operator type
and final level, counted from the time of discovery: the first report, the escalation
upward (levels I and II) and the final summary report (30 days after handling ends). A
report made after its deadline is *late*; a report not made by then is *overdue*.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from fenghuo import clock
from fenghuo.incidents import plan_link, service
from fenghuo.incidents.enums import ReportKind
from fenghuo.incidents.models import Incident, IncidentReport
from fenghuo.plans import deadlines as plan_deadlines
from fenghuo.plans.deadlines import DeadlineKind, DeadlineState

REPORT_OF_DEADLINE = {
    DeadlineKind.first_report: ReportKind.first,
    DeadlineKind.escalation: ReportKind.escalation,
    DeadlineKind.final_report: ReportKind.final,
}


@dataclass(frozen=True)
class Clock:
    """One deadline of one incident, with the report that met it (or not)."""

    kind: str
    reporter: str
    to: tuple[str, ...]
    due_at: datetime | None
    made_at: datetime | None
    state: DeadlineState
    basis: str
    report_id: str | None
    remaining_seconds: int | None

    @property
    def is_late(self) -> bool:
        return self.state is DeadlineState.late

    @property
    def is_overdue(self) -> bool:
        return self.state is DeadlineState.overdue

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "reporter": self.reporter,
            "to": list(self.to),
            "due_at": self.due_at.isoformat() if self.due_at else None,
            "made_at": self.made_at.isoformat() if self.made_at else None,
            "state": self.state.value,
            "basis": self.basis,
            "report_id": self.report_id,
            "remaining_seconds": self.remaining_seconds,
        }


def deadlines_of(session: Session, incident: Incident) -> list[Clock]:
    """Every applicable deadline of ``incident`` with its state, as of now."""
    if incident.final_level is None:
        return []
    document = plan_link.document_of(session, incident)
    made = service.reports(session, incident)
    first = _first(made, ReportKind.first)
    deadlines = plan_deadlines.reporting_deadlines(
        document,
        operator_type=incident.operator_type,
        level=incident.final_level,
        discovered_at=incident.discovered_at,
        reported_at=first.made_at if first else None,
        handling_closed_at=incident.handling_ended_at,
    )
    now = clock.now()
    clocks: list[Clock] = []
    for deadline in deadlines:
        report = _first(made, REPORT_OF_DEADLINE.get(DeadlineKind(deadline.kind)))
        made_at = report.made_at if report else None
        closed = incident.state in {"closed", "cancelled"}
        remaining = (
            int((deadline.due_at - now).total_seconds())
            if deadline.due_at and made_at is None and not closed
            else None
        )
        clocks.append(
            Clock(
                kind=deadline.kind,
                reporter=deadline.reporter,
                to=deadline.to,
                due_at=deadline.due_at,
                made_at=made_at,
                state=plan_deadlines.state_of(deadline.due_at, made_at, now=now),
                basis=deadline.basis,
                report_id=report.id if report else None,
                remaining_seconds=remaining,
            )
        )
    return clocks


def _first(reports: list[IncidentReport], kind: ReportKind | None) -> IncidentReport | None:
    return next((r for r in reports if r.kind == kind), None)


def has_overdue(session: Session, incident: Incident, found: Sequence[Clock] | None = None) -> bool:
    """Whether a report or an open task of the incident is past its deadline.

    ``found``: the incident's clocks, if the caller has them already.
    """
    if incident.state in {"closed", "cancelled"}:
        return False
    if found is None:
        found = deadlines_of(session, incident)
    if any(c.is_overdue for c in found):
        return True
    now = clock.now()
    return any(task.due_at < now for task in service.tasks(session, incident, open_only=True))
