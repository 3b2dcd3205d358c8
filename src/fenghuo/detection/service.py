"""Detection storage: insert matches once, list them within a visibility, group them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from fenghuo.accounts import service as accounts_service
from fenghuo.accounts.models import Organisation
from fenghuo.authority import Actor, Target, VisibilityScope, require, visibility
from fenghuo.detection.models import Detection
from fenghuo.errors import NotFound

VIEW = "detection.detections.view"


def insert_ignoring_duplicates(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Insert detection rows; a (rule_id, event_id) already stored is left as it is."""
    if not rows:
        return
    name = session.get_bind().dialect.name
    if name == "postgresql":
        pg = postgresql.insert(Detection).on_conflict_do_nothing(
            index_elements=["rule_id", "event_id"]
        )
        session.execute(pg, list(rows))
    elif name == "sqlite":
        lite = sqlite.insert(Detection).on_conflict_do_nothing(
            index_elements=["rule_id", "event_id"]
        )
        session.execute(lite, list(rows))
    else:  # another dialect: skip the pairs already there (the constraint still guards)
        wanted = {(r["rule_id"], r["event_id"]) for r in rows}
        found: set[tuple[str, str]] = set(
            session.execute(
                select(Detection.rule_id, Detection.event_id).where(
                    Detection.event_id.in_({e for _, e in wanted})
                )
            ).all()
        )
        fresh = [r for r in rows if (r["rule_id"], r["event_id"]) not in found]
        if fresh:
            session.execute(insert(Detection), fresh)


@dataclass(frozen=True)
class DetectionFilter:
    """What a list of detections is narrowed to (all optional)."""

    level: str | None = None
    rule_id: str | None = None
    org_id: str | None = None
    since: datetime | None = None
    host: str | None = None
    batch_id: str | None = None
    window_start: datetime | None = None


def _visible(scope: VisibilityScope) -> ColumnElement[bool]:
    """Detections whose owner organisation is within ``scope`` (unowned: only scope all)."""
    if scope.kind == "all":
        return Detection.id.is_not(None)
    orgs = select(Organisation.id).where(accounts_service.visible_orgs_clause(scope))
    return Detection.owner_org_id.in_(orgs)


def _filtered(
    query: accounts_service.AnySelect, scope: VisibilityScope, f: DetectionFilter
) -> accounts_service.AnySelect:
    query = query.where(_visible(scope))
    if f.level:
        query = query.where(Detection.level == f.level)
    if f.rule_id:
        query = query.where(Detection.rule_id == f.rule_id)
    if f.org_id:
        query = query.where(Detection.owner_org_id == f.org_id)
    if f.since:
        query = query.where(Detection.event_time >= f.since)
    if f.host is not None:
        query = query.where(Detection.host == f.host)
    if f.batch_id:
        query = query.where(Detection.batch_id == f.batch_id)
    if f.window_start:
        query = query.where(Detection.window_start == f.window_start)
    return query


def list_(
    *,
    session: Session,
    scope: VisibilityScope,
    detection_filter: DetectionFilter,
    limit: int = 50,
    offset: int = 0,
) -> list[Detection]:
    """Detections within ``scope``, newest event first."""
    query = _filtered(select(Detection), scope, detection_filter)
    query = query.order_by(Detection.event_time.desc(), Detection.id).limit(limit).offset(offset)
    return list(session.scalars(query))


def count(*, session: Session, scope: VisibilityScope, detection_filter: DetectionFilter) -> int:
    """How many detections ``list_`` would give without paging."""
    query = _filtered(select(func.count(Detection.id)), scope, detection_filter)
    return int(session.scalar(query) or 0)


def hourly_counts(
    *, session: Session, scope: VisibilityScope, since: datetime
) -> list[tuple[datetime, int]]:
    """Detections within ``scope`` per hour (their ``window_start``) from ``since``, oldest
    first: the trend on the dashboard."""
    query = _filtered(
        select(Detection.window_start, func.count(Detection.id)),
        scope,
        DetectionFilter(since=since),
    )
    rows = session.execute(query.group_by(Detection.window_start).order_by(Detection.window_start))
    return [(hour, int(n)) for hour, n in rows]


@dataclass(frozen=True)
class DetectionGroup:
    """One line of the analysts' view: a rule on a host within one window (an hour)."""

    rule_id: str
    rule_title: str
    rule_author: str
    level: str
    host: str
    window_start: datetime
    count: int
    first_seen: datetime
    last_seen: datetime


def _group_query(scope: VisibilityScope, f: DetectionFilter) -> Select[*tuple[Any, ...]]:
    columns = (
        Detection.rule_id,
        func.min(Detection.rule_title),
        func.min(Detection.rule_author),
        func.min(Detection.level),
        Detection.host,
        Detection.window_start,
        func.count(Detection.id),
        func.min(Detection.event_time),
        func.max(Detection.event_time),
    )
    query = _filtered(select(*columns), scope, f)
    return query.group_by(Detection.rule_id, Detection.host, Detection.window_start)


def groups(
    *,
    session: Session,
    scope: VisibilityScope,
    detection_filter: DetectionFilter,
    limit: int = 50,
    offset: int = 0,
) -> list[DetectionGroup]:
    """Detections grouped by rule x host x hour, latest window first."""
    query = _group_query(scope, detection_filter).order_by(
        Detection.window_start.desc(), Detection.rule_id, Detection.host
    )
    rows = session.execute(query.limit(limit).offset(offset)).all()
    return [
        DetectionGroup(
            rule_id=rule_id,
            rule_title=title,
            rule_author=author,
            level=level,
            host=host,
            window_start=window,
            count=int(n),
            first_seen=first,
            last_seen=last,
        )
        for rule_id, title, author, level, host, window, n, first, last in rows
    ]


def count_groups(
    *, session: Session, scope: VisibilityScope, detection_filter: DetectionFilter
) -> int:
    """How many group lines ``groups`` would give without paging."""
    inner = _group_query(scope, detection_filter).subquery()
    return int(session.scalar(select(func.count()).select_from(inner)) or 0)


def get_or_raise(*, session: Session, detection_id: str) -> Detection:
    """The detection with ``detection_id``; ``NotFound`` otherwise."""
    detection = session.get(Detection, detection_id)
    if detection is None:
        raise NotFound(f"no detection {detection_id}")
    return detection


def target_of(session: Session, actor: Actor, detection: Detection) -> Target | None:
    """The authority target of a detection: the organisation whose event it is.

    An event no asset registry entry claims is seen only by those who see everything
    (as in the lists), so for them the target is none, for others an organisation-less one.
    """
    if detection.owner_org_id is None:
        if visibility(actor, VIEW).kind == "all":
            return None
        return Target(org=None, description=f"detection {detection.id} (no known owner)")
    org = accounts_service.get_or_raise(session=session, org_id=detection.owner_org_id)
    return Target(org=accounts_service.org_ref(org), description=f"detection {detection.id}")


def read(*, session: Session, actor: Actor, detection_id: str) -> Detection:
    """The detection, if the actor may see its event's owner; ``NotFound`` or ``Refused``."""
    detection = get_or_raise(session=session, detection_id=detection_id)
    require(actor, VIEW, target_of(session, actor, detection))
    return detection
