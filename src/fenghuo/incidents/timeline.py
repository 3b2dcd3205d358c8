"""Timeline entries: what flows record automatically, and what people add (Art. 55)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from fenghuo import clock
from fenghuo.audit import service as audit_service
from fenghuo.authority import Actor, require
from fenghuo.bus.outbox import emit
from fenghuo.errors import Invalid
from fenghuo.incidents import service
from fenghuo.incidents.actions import ADD_TIMELINE
from fenghuo.incidents.enums import EntryKind
from fenghuo.incidents.models import Incident, TimelineEntry
from fenghuo.incidents.schemas import TimelineIn

ADDED = "incidents.timeline.added"


def record(
    session: Session,
    incident: Incident,
    *,
    actor: Actor,
    kind: EntryKind,
    text: str,
    at: datetime | None = None,
    automatic: bool = True,
) -> TimelineEntry:
    """Append an entry (flows call this for what they did; caller audits)."""
    entry = TimelineEntry(
        incident_id=incident.id,
        kind=kind.value,
        at=at or clock.now(),
        author_id=actor.user_id,
        author=actor.label,
        text=text,
        automatic=automatic,
    )
    session.add(entry)
    session.flush()
    return entry


def add_timeline_entry(
    *, session: Session, actor: Actor, incident_id: str, entry_in: TimelineIn
) -> TimelineEntry:
    """A person records an event, action or decision (authorised, audited, announced)."""
    incident = service.get_or_raise(session=session, incident_id=incident_id)
    decision = require(actor, ADD_TIMELINE, service.target_of(incident))
    now = clock.now()
    at = clock.as_utc(entry_in.at) if entry_in.at else now
    if at > now:
        raise Invalid(
            "an entry records what has happened; its time is in the future",
            field="at",
            rule="not-in-future",
        )
    entry = record(
        session,
        incident,
        actor=actor,
        kind=entry_in.kind,
        text=entry_in.text,
        at=at,
        automatic=False,
    )
    audit_service.record(
        session=session,
        actor=actor,
        action=ADD_TIMELINE,
        target_type="incident",
        target_id=incident.id,
        target_org_id=incident.org_id,
        decision=decision,
        legal_basis="Art. 55",
        details={"entry_id": entry.id, "kind": entry.kind, "at": at.isoformat()},
        summary=f"{entry.kind} added to {incident.reference}",
    )
    emit(session, ADDED, {"incident_id": incident.id, "entry_id": entry.id, "kind": entry.kind})
    return entry
