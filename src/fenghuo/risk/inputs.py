"""What the risk model reads: operators, detections, submissions, incidents and
vulnerability exposure, by scope.

Read-only aggregate queries over the tables of earlier domains (the model needs counts per
sector x province, operator, level and hour across all organisations, which their
services do not offer yet). Every row is credited to two scopes: its sector x province
cell (``("cell", sector, province)``) and its operator (``("operator", org_id, "")``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from fenghuo.accounts.enums import OrgKind
from fenghuo.accounts.models import Organisation
from fenghuo.detection.models import Detection
from fenghuo.incidents.models import Incident
from fenghuo.monitoring import vulnerabilities as vulnerabilities_service
from fenghuo.monitoring.submissions_models import Submission
from fenghuo.risk.model import decay
from fenghuo.risk.parameters import Parameters

ScopeKey = tuple[str, str, str]
HOUR = timedelta(hours=1)


def province_of(region: str | None) -> str | None:
    """The GB/T 2260 province-level code of a region code (``440300`` -> ``440000``)."""
    return f"{region[:2]}0000" if region and len(region) >= 2 else None


def cell(sector: str, province: str) -> ScopeKey:
    return ("cell", sector, province)


def operator_key(org_id: str) -> ScopeKey:
    return ("operator", org_id, "")


@dataclass(frozen=True)
class OperatorInfo:
    id: str
    name: str
    sector: str | None
    region: str | None
    is_cii: bool
    people_served: int | None = None

    @property
    def province(self) -> str | None:
        return province_of(self.region)


@dataclass(frozen=True)
class IncidentInfo:
    id: str
    reference: str
    level: str | None
    state: str
    category: str
    discovered_at: datetime
    impact: dict[str, Any]


@dataclass
class Tally:
    """Everything credited to one scope."""

    detections: float = 0.0
    detection_levels: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    submissions: float = 0.0
    submission_ids: list[str] = field(default_factory=list)
    incidents: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    open_incidents: float = 0.0
    incident_list: list[IncidentInfo] = field(default_factory=list)
    # weighted vulnerable products on the operators' assets (monitoring.vulnerabilities)
    vulnerability_exposure: float = 0.0
    vulnerability_cves: set[str] = field(default_factory=set)
    # surge counts: [family][window index] (0 = the last window)
    windows: dict[str, dict[int, int]] = field(
        default_factory=lambda: {"detections": defaultdict(int), "reports": defaultdict(int)}
    )


@dataclass
class World:
    """The scopes and what is known of each, at ``now``."""

    now: datetime
    operators: dict[str, OperatorInfo]
    tallies: dict[ScopeKey, Tally] = field(default_factory=lambda: defaultdict(Tally))
    incidents_all: dict[str, float] = field(default_factory=lambda: defaultdict(float))

    def scopes_of(self, sector: str | None, region: str | None, org_id: str | None) -> list[Tally]:
        found = []
        province = province_of(region)
        if sector and province:
            found.append(self.tallies[cell(sector, province)])
        if org_id and org_id in self.operators:
            found.append(self.tallies[operator_key(org_id)])
        return found

    def cells(self) -> set[tuple[str, str]]:
        """Every sector x province with an operator or with activity."""
        found = {(o.sector, o.province) for o in self.operators.values() if o.sector and o.province}
        found |= {(k[1], k[2]) for k in self.tallies if k[0] == "cell"}
        return {(s, p) for s, p in found if s and p}


def _window_index(now: datetime, hour_start: datetime, window_hours: int) -> int:
    """0 for the window holding the current hour, 1 for the one before, ..."""
    current_hour = now.replace(minute=0, second=0, microsecond=0)
    return int((current_hour - hour_start) / HOUR) // window_hours


def _operators(session: Session) -> dict[str, OperatorInfo]:
    query = select(Organisation).where(
        Organisation.kind == OrgKind.network_operator.value, Organisation.is_active
    )
    return {
        o.id: OperatorInfo(
            o.id, o.name_en, o.sector_code, o.region_code, bool(o.is_cii), o.people_served
        )
        for o in session.scalars(query)
    }


def _add_detections(session: Session, world: World, params: Parameters, since: datetime) -> None:
    query = (
        select(
            Detection.owner_org_id,
            Detection.owner_sector,
            Detection.owner_region,
            Detection.level,
            Detection.window_start,
            func.count(Detection.id),
        )
        .where(Detection.event_time >= since, Detection.event_time <= world.now)
        .group_by(
            Detection.owner_org_id,
            Detection.owner_sector,
            Detection.owner_region,
            Detection.level,
            Detection.window_start,
        )
    )
    half_life = params.half_life_hours["detections"]
    by_hour: dict[datetime, tuple[float, int]] = {}  # hour -> (decay, window index), once each
    scopes: dict[tuple[str | None, str | None, str | None], list[Tally]] = {}  # once per owner
    for org_id, sector, region, level, hour, count in session.execute(query):
        if hour not in by_hour:
            age = (world.now - (hour + HOUR / 2)) / HOUR
            by_hour[hour] = (decay(age, half_life),
                             _window_index(world.now, hour, params.surge.window_hours))  # fmt: skip
        faded, index = by_hour[hour]
        weight = params.detection_level_weight.get(level, 0.0) * faded
        owner = (sector, region, org_id)
        if owner not in scopes:
            scopes[owner] = world.scopes_of(sector, region, org_id)
        for tally in scopes[owner]:
            tally.detections += weight * count
            tally.detection_levels[level] += count
            tally.windows["detections"][index] += count


def _submission_cells(world: World, sub: Submission) -> set[tuple[str, str]]:
    sectors = set(sub.sectors) or ({sub.organisation.sector_code} - {None})
    provinces = {p for p in map(province_of, sub.regions) if p} or (
        {province_of(sub.organisation.region_code)} - {None}
    )
    operator_cells = {
        (o.sector, o.province) for o in world.operators.values() if o.sector and o.province
    }
    if not provinces:  # sector-wide: every province where the sector has operators
        return {(s, p) for s, p in operator_cells if s in sectors}
    if not sectors:  # region-wide: every sector with operators in those provinces
        return {(s, p) for s, p in operator_cells if p in provinces}
    return {(s, p) for s in sectors for p in provinces if s and p}


def _add_submissions(session: Session, world: World, params: Parameters, since: datetime) -> None:
    query = select(Submission).where(Submission.created_at >= since)
    names = {o.name: o.id for o in world.operators.values()}
    half_life = params.half_life_hours["submissions"]
    for sub in session.scalars(query).unique():
        weight = decay((world.now - sub.created_at) / HOUR, half_life)
        index = _window_index(world.now, sub.created_at, params.surge.window_hours)
        tallies = [world.tallies[cell(s, p)] for s, p in _submission_cells(world, sub)]
        tallies += [world.tallies[operator_key(names[n])] for n in sub.operators if n in names]
        for tally in tallies:
            tally.submissions += weight
            tally.submission_ids.append(sub.id)
            tally.windows["reports"][index] += 1


def _add_incidents(session: Session, world: World, params: Parameters, since: datetime) -> None:
    query = select(Incident).where(
        Incident.state != "cancelled",
        or_(Incident.discovered_at >= since, Incident.state.in_(params.open_states)),
    )
    half_life = params.half_life_hours["incidents"]
    for row in session.scalars(query).unique():
        operator = world.operators.get(row.org_id)
        if operator is None:
            continue
        info = IncidentInfo(row.id, row.reference, row.final_level, row.state, row.category,
                            row.discovered_at, dict(row.impact or {}))  # fmt: skip
        level = row.final_level or params.unclassified_level
        recent = row.discovered_at >= since
        weight = decay((world.now - row.discovered_at) / HOUR, half_life) if recent else 0.0
        world.incidents_all[level] += weight
        index = _window_index(world.now, row.discovered_at, params.surge.window_hours)
        for tally in world.scopes_of(operator.sector, operator.region, operator.id):
            tally.incidents[level] += weight
            tally.incident_list.append(info)
            if row.state in params.open_states:
                tally.open_incidents += params.severity[level]
            if recent:
                tally.windows["reports"][index] += 1


def _add_vulnerabilities(session: Session, world: World) -> None:
    """Each operator's vulnerability exposure, credited to it and to its cell (the cell's
    value is the sum of its operators')."""
    found = vulnerabilities_service.exposure_by_operator(
        session, world.now, org_ids=world.operators
    )
    for org_id, exposure in found.items():
        operator = world.operators[org_id]
        for tally in world.scopes_of(operator.sector, operator.region, org_id):
            tally.vulnerability_exposure += exposure.score
            tally.vulnerability_cves.update(exposure.cves)


def gather(session: Session, params: Parameters, now: datetime) -> World:
    """Read everything the model needs, credited to cells and operators."""
    world = World(now=now, operators=_operators(session))
    since = now - timedelta(days=params.lookback_days)
    _add_detections(session, world, params, since)
    _add_submissions(session, world, params, since)
    _add_incidents(session, world, params, since)
    _add_vulnerabilities(session, world)
    return world


def names_of(operators: Iterable[OperatorInfo]) -> list[str]:
    return sorted(o.name for o in operators)
