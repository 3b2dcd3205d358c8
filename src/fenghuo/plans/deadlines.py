"""Reporting deadlines of a plan (Art. 4 and Art. 8 of the 2025 Measures, REFERENCE §2.2-2.3).

From the discovery time, the operator's first report is due within 1 h (CII), 2 h
(central and state organs) or 4 h (other operators); for major and particularly major
incidents the receiving department escalates within 30 min or 1 h of receiving it; the
final summary report is due 30 days after handling ends. Which levels report, to whom and
how fast is the plan's data. ``state_of`` says whether a deadline was met.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from fenghuo import clock
from fenghuo.errors import Invalid
from fenghuo.plans.schema import LEVELS, OPERATOR_TYPES, PlanDocument, Step


class DeadlineKind(StrEnum):
    first_report = "first_report"
    escalation = "escalation"
    final_report = "final_report"


class DeadlineState(StrEnum):
    on_time = "on_time"  # done by the deadline
    late = "late"  # done, after the deadline
    pending = "pending"  # not done, not yet due (or its clock has not started)
    overdue = "overdue"  # not done, past the deadline


@dataclass(frozen=True)
class Deadline:
    """One report someone owes: who to whom, when it is due, and the rule behind it.

    ``due_at`` is None while the clock has not started: the final report's clock starts
    when handling ends.
    """

    kind: str
    reporter: str
    to: tuple[str, ...]
    due_at: datetime | None
    after: timedelta
    anchor: str
    basis: str
    source: str
    confidence: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "reporter": self.reporter,
            "to": list(self.to),
            "due_at": self.due_at.isoformat() if self.due_at else None,
            "after_minutes": int(self.after.total_seconds() // 60),
            "anchor": self.anchor,
            "basis": self.basis,
            "source": self.source,
            "confidence": self.confidence,
        }


def reporting_deadlines(
    document: PlanDocument,
    *,
    operator_type: str,
    level: str | None,
    discovered_at: datetime,
    reported_at: datetime | None = None,
    handling_closed_at: datetime | None = None,
) -> list[Deadline]:
    """Every reporting deadline that applies to an operator of ``operator_type`` at ``level``.

    The escalation runs from ``reported_at`` (when the department received the first
    report); before that, from the latest time it may arrive (the first report's deadline).
    """
    if operator_type not in OPERATOR_TYPES:
        allowed = ", ".join(OPERATOR_TYPES)
        raise Invalid(
            f"operator_type must be one of {allowed}", field="operator_type", rule="operator-type"
        )
    if level is not None and level not in LEVELS:
        raise Invalid("level must be I, II, III, IV or none", field="level", rule="level")
    for name, value in (("discovered_at", discovered_at), ("reported_at", reported_at)):
        if value is not None and value.tzinfo is None:
            raise Invalid(f"{name} must carry a time zone", field=name, rule="aware-time")
    if level is None:
        return []
    route = document.reporting.routes[operator_type]
    deadlines: list[Deadline] = []
    first = route.first_report
    if level in first.levels:
        due = discovered_at + first.due_after
        deadlines.append(
            _deadline(document, DeadlineKind.first_report, first, due, "discovered_at")
        )
        escalation = route.escalation
        if level in escalation.levels:
            anchor = reported_at or due
            deadlines.append(
                _deadline(
                    document,
                    DeadlineKind.escalation,
                    escalation,
                    anchor + escalation.due_after,
                    "reported_at" if reported_at else "first_report_due",
                )
            )
    final = document.reporting.final_report
    if level in final.levels:
        deadlines.append(
            Deadline(
                kind=DeadlineKind.final_report.value,
                reporter=first.reporter,
                to=tuple(first.to),
                due_at=handling_closed_at + final.due_after if handling_closed_at else None,
                after=final.due_after,
                anchor="handling_closed_at",
                basis=(
                    f"Art. 8: the final summary report is due {human(final.due_after)} after "
                    f"handling ends, by the original channel [{final.source}, "
                    f"{final.confidence.value}]"
                ),
                source=final.source,
                confidence=final.confidence.value,
            )
        )
    return deadlines


def _deadline(
    document: PlanDocument, kind: DeadlineKind, step: Step, due: datetime, anchor: str
) -> Deadline:
    reporter = _role(document, step.reporter)
    to = " and ".join(_role(document, key) for key in step.to)
    since = "discovery" if kind is DeadlineKind.first_report else "receiving the report"
    article = "Art. 4" if kind is DeadlineKind.first_report else "Art. 4 (escalation)"
    return Deadline(
        kind=kind.value,
        reporter=step.reporter,
        to=tuple(step.to),
        due_at=due,
        after=step.due_after,
        anchor=anchor,
        basis=(
            f"{article}: {reporter} reports to {to} within {human(step.due_after)} of {since} "
            f"[{step.source}, {step.confidence.value}]"
        ),
        source=step.source,
        confidence=step.confidence.value,
    )


def _role(document: PlanDocument, key: str) -> str:
    role = document.roles.get(key)
    return role.en if role else key


def human(span: timedelta) -> str:
    """``1 h``, ``30 min``, ``30 days``."""
    minutes = int(span.total_seconds() // 60)
    if minutes and minutes % 1440 == 0:
        return f"{minutes // 1440} days"
    if minutes and minutes % 60 == 0:
        return f"{minutes // 60} h"
    return f"{minutes} min"


def state_of(
    due_at: datetime | None, done_at: datetime | None, *, now: datetime | None = None
) -> DeadlineState:
    """Whether a deadline was met (``done_at``) or, if not yet done, whether it has passed."""
    if done_at is not None:
        return DeadlineState.late if due_at and done_at > due_at else DeadlineState.on_time
    if due_at is None:
        return DeadlineState.pending
    return DeadlineState.overdue if (now or clock.now()) > due_at else DeadlineState.pending


def remaining(due_at: datetime, *, now: datetime | None = None) -> timedelta:
    """Time left until ``due_at`` (negative once it has passed): the countdown."""
    return due_at - (now or clock.now())
