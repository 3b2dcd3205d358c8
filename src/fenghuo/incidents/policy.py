"""Pure rules of incidents, no I/O: the transition table and reference numbers."""

from __future__ import annotations

from collections.abc import Mapping

from fenghuo.errors import InvalidTransition
from fenghuo.incidents.enums import IncidentState

S = IncidentState
# The life cycle as data. "cancelled" ends an incident that was a false report or has been
# merged into another; it is reachable only before recovery starts (afterwards the
# incident happened and must be closed with its final report).
ALLOWED_TRANSITIONS: Mapping[IncidentState, frozenset[IncidentState]] = {
    S.reported: frozenset({S.classified, S.cancelled}),
    S.classified: frozenset({S.responding, S.cancelled}),
    S.responding: frozenset({S.recovering, S.cancelled}),
    S.recovering: frozenset({S.closed}),
    S.closed: frozenset(),
    S.cancelled: frozenset(),
}
OPEN_STATES = frozenset({S.reported, S.classified, S.responding, S.recovering})
# States in which a level change re-runs the plan's activation.
ACTIVE_STATES = frozenset({S.classified, S.responding})

REFERENCE_PREFIX = "FH"


def can_move(current: str, requested: str) -> bool:
    """Whether the table allows ``current`` → ``requested``."""
    return IncidentState(requested) in ALLOWED_TRANSITIONS[IncidentState(current)]


def check_transition(current: str, requested: str) -> None:
    """Raise ``InvalidTransition`` unless the table allows ``current`` → ``requested``."""
    if not can_move(current, requested):
        allowed = ", ".join(sorted(ALLOWED_TRANSITIONS[IncidentState(current)])) or "nothing"
        raise InvalidTransition(
            f"an incident that is {current} cannot become {requested} (allowed: {allowed})",
            current=current,
            requested=requested,
        )


def reference_number(year: int, number: int) -> str:
    """``FH-2026-000123``: the year of the report and its number within the year."""
    return f"{REFERENCE_PREFIX}-{year:04d}-{number:06d}"
