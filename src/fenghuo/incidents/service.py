"""Persistence of incidents: reference numbers, get, list, and the rows an incident holds.

Flushes, never commits. Reads that a user asks for go through ``get`` (authorised);
``get_or_raise`` is for flows that authorise themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from fenghuo.accounts import service as accounts_service
from fenghuo.accounts.models import Organisation
from fenghuo.authority import Actor, Target, VisibilityScope, require
from fenghuo.errors import NotFound
from fenghuo.incidents.actions import VIEW
from fenghuo.incidents.models import (
    AffectedAsset,
    AffectedOperator,
    Evidence,
    Incident,
    IncidentReport,
    IncidentSequence,
    IncidentTask,
    Referral,
    TimelineEntry,
)
from fenghuo.incidents.policy import reference_number


def allocate_reference(session: Session, year: int) -> str:
    """The next reference number of ``year``, without races on PostgreSQL and SQLite.

    The year's row is created if missing (``ON CONFLICT DO NOTHING``), then incremented by
    one ``UPDATE … RETURNING``: the update takes the row's lock (PostgreSQL) or the database
    write lock (SQLite), so two reporters can never be given the same number.
    """
    dialect = session.get_bind().dialect.name
    create: Any
    if dialect == "postgresql":
        create = postgresql.insert(IncidentSequence).on_conflict_do_nothing(index_elements=["year"])
    elif dialect == "sqlite":
        create = sqlite.insert(IncidentSequence).on_conflict_do_nothing(index_elements=["year"])
    else:  # pragma: no cover - Fenghuo runs on the two dialects above
        create = insert(IncidentSequence)
    session.execute(create.values(year=year, last=0))
    number = session.execute(
        update(IncidentSequence)
        .where(IncidentSequence.year == year)
        .values(last=IncidentSequence.last + 1)
        .returning(IncidentSequence.last)
    ).scalar_one()
    return reference_number(year, int(number))


def get_or_raise(*, session: Session, incident_id: str) -> Incident:
    """The incident with ``incident_id`` (or reference number); ``NotFound`` otherwise."""
    incident = session.get(Incident, incident_id)
    if incident is None:
        incident = session.scalar(select(Incident).where(Incident.reference == incident_id))
    if incident is None:
        raise NotFound(f"no incident {incident_id}")
    return incident


def target_of(incident: Incident) -> Target:
    """The authority target of an incident: its reporting organisation."""
    return Target(
        org=accounts_service.org_ref(incident.organisation),
        description=f"incident {incident.reference}",
    )


def get(*, session: Session, actor: Actor, incident_id: str) -> Incident:
    """One incident, if the actor may see it (its organisation is within their visibility)."""
    incident = get_or_raise(session=session, incident_id=incident_id)
    require(actor, VIEW, target_of(incident))
    return incident


def visible_query(scope: VisibilityScope) -> Select[Incident]:
    """Incidents of organisations within ``scope``."""
    return (
        select(Incident)
        .join(Organisation, Organisation.id == Incident.org_id)
        .where(accounts_service.visible_orgs_clause(scope))
    )


def list_(
    *,
    session: Session,
    scope: VisibilityScope,
    level: str | None = None,
    state: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> tuple[list[Incident], int]:
    """Incidents within ``scope`` (filtered), most recently discovered first, and the total."""
    query = visible_query(scope)
    if level:
        query = query.where(Incident.final_level == level)
    if state:
        query = query.where(Incident.state == state)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    ordered = query.order_by(Incident.discovered_at.desc(), Incident.id).offset(offset)
    if limit is not None:
        ordered = ordered.limit(limit)
    return list(session.scalars(ordered).unique()), int(total)


def discovered_since(
    *, session: Session, scope: VisibilityScope, since: datetime
) -> list[datetime]:
    """When each incident within ``scope`` discovered from ``since`` was discovered (not
    cancelled ones): the trend of reports on the dashboard."""
    query = (
        select(Incident.discovered_at)
        .join(Organisation, Organisation.id == Incident.org_id)
        .where(accounts_service.visible_orgs_clause(scope))
        .where(Incident.discovered_at >= since, Incident.state != "cancelled")
    )
    return list(session.scalars(query))


def reports(session: Session, incident: Incident) -> list[IncidentReport]:
    """The reports made, oldest first."""
    query = select(IncidentReport).where(IncidentReport.incident_id == incident.id)
    return list(session.scalars(query.order_by(IncidentReport.made_at, IncidentReport.seq)))


def timeline(session: Session, incident: Incident) -> list[TimelineEntry]:
    """The timeline, in the order things happened."""
    query = select(TimelineEntry).where(TimelineEntry.incident_id == incident.id)
    return list(session.scalars(query.order_by(TimelineEntry.at, TimelineEntry.seq)))


def tasks(session: Session, incident: Incident, *, open_only: bool = False) -> list[IncidentTask]:
    """The response tasks, by due time."""
    query = select(IncidentTask).where(IncidentTask.incident_id == incident.id)
    if open_only:
        query = query.where(IncidentTask.state == "open")
    return list(session.scalars(query.order_by(IncidentTask.due_at, IncidentTask.title_en)))


def evidence(session: Session, incident: Incident) -> list[Evidence]:
    """The evidence files, in upload order."""
    query = select(Evidence).where(Evidence.incident_id == incident.id)
    return list(session.scalars(query.order_by(Evidence.uploaded_at, Evidence.id)))


def referrals(session: Session, incident: Incident) -> list[Referral]:
    """The Art. 57 referrals made."""
    query = select(Referral).where(Referral.incident_id == incident.id)
    return list(session.scalars(query.order_by(Referral.made_at)))


def affected_operators(session: Session, incident: Incident) -> list[AffectedOperator]:
    """The operators affected (directives go to them)."""
    query = select(AffectedOperator).where(AffectedOperator.incident_id == incident.id)
    return list(session.scalars(query.order_by(AffectedOperator.added_at)))


def affected_asset_ids(session: Session, incident: Incident) -> list[str]:
    """The asset-registry entries affected."""
    query = select(AffectedAsset.asset_id).where(AffectedAsset.incident_id == incident.id)
    return list(session.scalars(query.order_by(AffectedAsset.added_at)))


def link_operators(session: Session, incident: Incident, org_ids: Sequence[str]) -> list[str]:
    """Add affected operators not yet linked; the ids added."""
    known = {row.org_id for row in affected_operators(session, incident)}
    added = [org_id for org_id in dict.fromkeys(org_ids) if org_id not in known]
    for org_id in added:
        session.add(AffectedOperator(incident_id=incident.id, org_id=org_id))
    session.flush()
    return added


def link_assets(session: Session, incident: Incident, asset_ids: Sequence[str]) -> list[str]:
    """Add affected assets not yet linked; the ids added."""
    known = set(affected_asset_ids(session, incident))
    added = [asset_id for asset_id in dict.fromkeys(asset_ids) if asset_id not in known]
    for asset_id in added:
        session.add(AffectedAsset(incident_id=incident.id, asset_id=asset_id))
    session.flush()
    return added


def national_coordinator(session: Session) -> Organisation | None:
    """The national coordinator (the top of the tree)."""
    query = select(Organisation).where(Organisation.kind == "national_coordinator")
    return session.scalars(query.order_by(Organisation.path).limit(1)).first()


def lead_org(session: Session, incident: Incident, org_kind: str | None) -> Organisation | None:
    """The organisation of ``org_kind`` responsible for the incident's operator.

    A sector department of the operator's sector, a provincial department of its province,
    the operator itself, or the national coordinator (also the fallback).
    """
    operator = incident.organisation
    query = select(Organisation).where(Organisation.kind == org_kind, Organisation.is_active)
    if org_kind == "network_operator":
        return operator
    if org_kind == "sector_department" and operator.sector_code:
        query = query.where(Organisation.sector_code == operator.sector_code)
    elif org_kind == "provincial_department" and operator.region_code:
        query = query.where(Organisation.region_code.startswith(operator.region_code[:2]))
    else:
        return national_coordinator(session)
    found = session.scalars(query.order_by(Organisation.path).limit(1)).first()
    return found or national_coordinator(session)
