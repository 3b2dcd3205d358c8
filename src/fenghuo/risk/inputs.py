"""What the risk model reads: operators, detections, submissions, incidents and
vulnerability exposure, by scope.

Read-only aggregate queries over the tables of earlier domains (the model needs counts per
sector x province, operator, level and hour across all organisations, which their
services do not offer yet). Every row is credited to two scopes: its sector x province
cell (``("cell", sector, province)``) and its operator (``("operator", org_id, "")``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any, cast

from sqlalchemy import String, func, or_, select, type_coerce
from sqlalchemy.orm import Session

from fenghuo.accounts.enums import OrgKind
from fenghuo.accounts.models import Organisation
from fenghuo.detection.models import Detection
from fenghuo.incidents.models import Incident
from fenghuo.monitoring import vulnerabilities as vulnerabilities_service
from fenghuo.monitoring.submissions_models import Submission
from fenghuo.risk.model import decay
from fenghuo.risk.parameters import Parameters
from fenghuo.store import UTCDateTime

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

    @cached_property
    def province(self) -> str | None:
        """Once per operator: every scope lookup of a refresh asks for it."""
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

    @cached_property
    def operator_cells(self) -> frozenset[tuple[str, str]]:
        """Every sector x province with an operator (the operators do not change)."""
        return frozenset(
            (o.sector, o.province) for o in self.operators.values() if o.sector and o.province
        )

    def cells(self) -> set[tuple[str, str]]:
        """Every sector x province with an operator or with activity."""
        found = set(self.operator_cells)
        found |= {(k[1], k[2]) for k in self.tallies if k[0] == "cell"}
        return {(s, p) for s, p in found if s and p}


def _window_index(now: datetime, hour_start: datetime, window_hours: int) -> int:
    """0 for the window holding the current hour, 1 for the one before, ..."""
    current_hour = now.replace(minute=0, second=0, microsecond=0)
    return int((current_hour - hour_start) / HOUR) // window_hours


def _operators(session: Session) -> dict[str, OperatorInfo]:
    # Plain rows, not ORM objects: thousands of operators per refresh.
    query = select(
        Organisation.id,
        Organisation.name_en,
        Organisation.sector_code,
        Organisation.region_code,
        Organisation.is_cii,
        Organisation.people_served,
    ).where(Organisation.kind == OrgKind.network_operator.value, Organisation.is_active)
    rows = session.connection().execute(query)
    return {
        org_id: OperatorInfo(org_id, name, sector, region, bool(is_cii), people_served)
        for org_id, name, sector, region, is_cii, people_served in rows
    }


@dataclass
class _OwnerCounts:
    """One detection owner's scopes and its integer counts (order-free, added once)."""

    tallies: list[Tally]
    levels: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    windows: dict[int, int] = field(default_factory=lambda: defaultdict(int))


def _hour_reader(session: Session) -> Callable[[Any], datetime]:
    """What the ``window_start`` column does to a raw value (SQLite: text), as a function."""
    dialect = session.get_bind().dialect
    process = UTCDateTime().dialect_impl(dialect).result_processor(dialect, None)

    def read(raw: Any) -> datetime:
        return cast(datetime, process(raw) if process else raw)

    return read


def _add_detections(session: Session, world: World, params: Parameters, since: datetime) -> None:
    """Credit each (owner, level, hour) group of detections to the owner's scopes.

    The decayed weight is added row by row in the order the database returns the groups,
    as the model has always summed it (a sum in SQL, or per surge window, would round
    differently and change stored assessments). What is per row is kept to that addition:
    the hour's decay and window (a few hundred distinct hours), the owner's scopes, and
    the integer counts by level and window are worked out once per hour or per owner.
    """
    # The hour comes back raw (SQLite: text) and is converted once per distinct hour.
    raw_hour = type_coerce(Detection.window_start, String)
    query = (
        select(
            Detection.owner_org_id,
            Detection.owner_sector,
            Detection.owner_region,
            Detection.level,
            raw_hour,
            func.count(),
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
    to_datetime = _hour_reader(session)
    half_life = params.half_life_hours["detections"]
    level_weight = params.detection_level_weight
    by_hour: dict[Any, tuple[float, int]] = {}  # raw hour -> (decay, window index)
    owners: dict[tuple[str | None, str | None, str | None], _OwnerCounts] = {}
    # On the Core connection: the rows stream from the cursor (the ORM session would
    # buffer all of them and run them through its loading machinery first).
    for org_id, sector, region, level, raw, count in session.connection().execute(query):
        hour_facts = by_hour.get(raw)
        if hour_facts is None:
            hour = to_datetime(raw)
            age = (world.now - (hour + HOUR / 2)) / HOUR
            hour_facts = by_hour[raw] = (
                decay(age, half_life),
                _window_index(world.now, hour, params.surge.window_hours),
            )
        owner = owners.get((sector, region, org_id))
        if owner is None:
            owner = owners[(sector, region, org_id)] = _OwnerCounts(
                world.scopes_of(sector, region, org_id)
            )
        faded, index = hour_facts
        weighted = level_weight.get(level, 0.0) * faded * count
        for tally in owner.tallies:
            tally.detections += weighted
        owner.levels[level] += count
        owner.windows[index] += count
    for owner in owners.values():
        for tally in owner.tallies:
            for level, count in owner.levels.items():
                tally.detection_levels[level] += count
            for index, count in owner.windows.items():
                tally.windows["detections"][index] += count


def _submission_cells(world: World, sub: Submission) -> set[tuple[str, str]]:
    sectors = set(sub.sectors) or ({sub.organisation.sector_code} - {None})
    provinces = {p for p in map(province_of, sub.regions) if p} or (
        {province_of(sub.organisation.region_code)} - {None}
    )
    if not provinces:  # sector-wide: every province where the sector has operators
        return {(s, p) for s, p in world.operator_cells if s in sectors}
    if not sectors:  # region-wide: every sector with operators in those provinces
        return {(s, p) for s, p in world.operator_cells if p in provinces}
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
    session.flush()  # the Core reads below see what the session holds, as its queries would
    world = World(now=now, operators=_operators(session))
    since = now - timedelta(days=params.lookback_days)
    _add_detections(session, world, params, since)
    _add_submissions(session, world, params, since)
    _add_incidents(session, world, params, since)
    _add_vulnerabilities(session, world)
    return world


def names_of(operators: Iterable[OperatorInfo]) -> list[str]:
    return sorted(o.name for o in operators)
