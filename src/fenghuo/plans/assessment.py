"""Classify a report and compute its reporting deadlines in one answer (CLI and API).

The report is the incident's impact inputs (REFERENCE §2.4) plus ``operator_type``
(``cii``, ``central_organ``, ``other``) and ``discovered_at`` (ISO 8601 with a zone; the
current time when absent). Without ``operator_type`` the level is still computed and the
deadlines are empty, with a note saying why.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from fenghuo import clock
from fenghuo.errors import Invalid
from fenghuo.plans.classification import classify
from fenghuo.plans.deadlines import reporting_deadlines
from fenghuo.plans.schema import PlanDocument

EARLIEST_YEAR, LATEST_YEAR = 1970, 2999


def assess(document: PlanDocument, report: Mapping[str, Any]) -> dict[str, Any]:
    """``{"level", "level_name", "reasons", "deadlines", "note"}`` for ``report``."""
    result = classify(document, report)
    discovered_at = discovery_time(report.get("discovered_at"))
    operator_type = report.get("operator_type")
    notes = [result.note] if result.note else []
    deadlines: list[dict[str, Any]] = []
    if operator_type is None:
        notes.append("no operator_type in the report (cii, central_organ, other): no deadlines")
    else:
        if not isinstance(operator_type, str):
            raise Invalid("operator_type must be text", field="operator_type", rule="text")
        deadlines = [
            d.as_dict()
            for d in reporting_deadlines(
                document,
                operator_type=operator_type,
                level=result.level,
                discovered_at=discovered_at,
            )
        ]
    return {
        "level": result.level,
        "level_name": document.level_name(result.level) if result.level else None,
        "reasons": [reason.as_dict() for reason in result.reasons],
        "deadlines": deadlines,
        "discovered_at": discovered_at.isoformat(),
        "note": " ".join(notes),
    }


def discovery_time(value: Any) -> datetime:
    """``discovered_at`` as an aware datetime; now when absent."""
    if value is None:
        return clock.now()
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise Invalid(
                "discovered_at must be an ISO 8601 time", field="discovered_at", rule="time"
            ) from None
    if not isinstance(value, datetime):
        raise Invalid("discovered_at must be a time", field="discovered_at", rule="time")
    if value.tzinfo is None:
        raise Invalid(
            "discovered_at must carry a time zone (e.g. +08:00)",
            field="discovered_at",
            rule="aware-time",
        )
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise Invalid(
            f"discovered_at must fall between {EARLIEST_YEAR} and {LATEST_YEAR}",
            field="discovered_at",
            rule="time-range",
        )
    return clock.as_utc(value)
