"""The dashboard: the visitor's place in the tree and real counts of what they can see."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated, Any

from fastapi import Depends, Request, Response

from fenghuo.accounts import service as accounts_service
from fenghuo.accounts.enums import OrgKind
from fenghuo.api.deps import SessionDep, requires
from fenghuo.audit import service as audit_service
from fenghuo.authority import Actor, check, visibility
from fenghuo.detection import service as detection_service
from fenghuo.incidents import actions as incident_actions
from fenghuo.incidents import clocks as incident_clocks
from fenghuo.incidents import service as incident_service
from fenghuo.monitoring import submissions as submission_service
from fenghuo.notification import actions as notification_actions
from fenghuo.notification import flows as notification_flows
from fenghuo.risk import actions as risk_actions
from fenghuo.risk import service as risk_service
from fenghuo.warnings import actions as warning_actions
from fenghuo.warnings import service as warning_service
from fenghuo.web import labels
from fenghuo.web.routes import RendererDep, console_router

router = console_router()


@dataclass(frozen=True)
class Counts:
    """What the dashboard counts, within the actor's visibility."""

    by_kind: list[tuple[str, int]]
    organisations: int
    cii: int
    users: int | None
    audit_today: int | None
    detections_24h: int | None = None
    incidents_open: int | None = None
    incidents_overdue: int | None = None
    unacknowledged: int | None = None


def _watch(session: SessionDep, actor: Actor) -> dict[str, int | None]:
    """Detections of the last day, open and overdue incidents, unacknowledged notifications."""
    found: dict[str, int | None] = {}
    if check(actor, detection_service.VIEW).allowed:
        found["detections_24h"] = detection_service.count(
            session=session,
            scope=visibility(actor, detection_service.VIEW),
            detection_filter=detection_service.DetectionFilter(
                since=labels.now() - timedelta(hours=24)
            ),
        )
    if check(actor, incident_actions.VIEW).allowed:
        incidents, _ = incident_service.list_(
            session=session, scope=visibility(actor, incident_actions.VIEW)
        )
        still_open = [i for i in incidents if i.state not in ("closed", "cancelled")]
        found["incidents_open"] = len(still_open)
        # Only the clocks, not the whole board row of each incident.
        found["incidents_overdue"] = sum(
            1 for incident in still_open if incident_clocks.has_overdue(session, incident)
        )
    if check(actor, notification_actions.VIEW).allowed and actor.org is not None:
        _, found["unacknowledged"] = notification_flows.inbox(
            session, actor, unacknowledged_only=True, limit=1
        )
    return found


TREND_DAYS = 14


@dataclass(frozen=True)
class TrendDay:
    """One day of the trend chart (Beijing days): detections, and reports (incidents
    discovered and sector submissions)."""

    day: date
    detections: int | None
    reports: int | None


def _by_day(moments: Iterable[tuple[datetime, int]]) -> Counter[date]:
    found: Counter[date] = Counter()
    for moment, n in moments:
        found[moment.astimezone(labels.DISPLAY_TZ).date()] += n
    return found


def trend(session: SessionDep, actor: Actor) -> list[TrendDay]:
    """The last ``TREND_DAYS`` days of detections and reports the actor may see; a series
    the actor may not see is None."""
    first = labels.today() - timedelta(days=TREND_DAYS - 1)
    since = labels.start_of_day(first)
    detections: Counter[date] | None = None
    if check(actor, detection_service.VIEW).allowed:
        scope = visibility(actor, detection_service.VIEW)
        hours = detection_service.hourly_counts(session=session, scope=scope, since=since)
        detections = _by_day(hours)
    reports: Counter[date] | None = None
    if check(actor, incident_actions.VIEW).allowed:
        scope = visibility(actor, incident_actions.VIEW)
        found = incident_service.discovered_since(session=session, scope=scope, since=since)
        reports = _by_day((moment, 1) for moment in found)
    if check(actor, submission_service.VIEW).allowed:
        scope = visibility(actor, submission_service.VIEW)
        found = submission_service.received_since(session=session, scope=scope, since=since)
        reports = (reports or Counter()) + _by_day((moment, 1) for moment in found)
    if detections is None and reports is None:
        return []
    days = [first + timedelta(days=n) for n in range(TREND_DAYS)]
    return [
        TrendDay(
            day=day,
            detections=None if detections is None else detections[day],
            reports=None if reports is None else reports[day],
        )
        for day in days
    ]


def situation(session: SessionDep, actor: Actor) -> dict[str, Any]:
    """Warnings in force and risk recommendations waiting for a draft, within visibility."""
    found: dict[str, Any] = {"warnings": [], "recommendations": []}
    if check(actor, warning_actions.VIEW).allowed:
        in_force = [
            w
            for state in ("published", "adjusted")
            for w in warning_service.list_(session=session, actor=actor, state=state)[0]
        ]
        found["warnings"] = sorted(in_force, key=lambda w: w.published_at or w.created_at)[::-1]
    if check(actor, risk_actions.RECOMMENDATIONS_VIEW).allowed:
        pending = risk_service.list_recommendations(session, actor, status="pending", limit=20)
        found["recommendations"] = [
            r
            for r in pending
            if not warning_service.for_recommendation(
                session=session, actor=actor, recommendation_id=r.id
            )
        ][:5]
    return found


def count_for(session: SessionDep, actor: Actor) -> Counts:
    """Count organisations by kind, CII operators, people and today's audit records."""
    scope = visibility(actor, "accounts.orgs.view")
    per_kind = accounts_service.count_orgs(session=session, scope=scope)
    by_kind = [(kind.value, per_kind.get(kind.value, 0)) for kind in OrgKind]
    users = (
        accounts_service.count_users(
            session=session, scope=visibility(actor, "accounts.users.view")
        )
        if check(actor, "accounts.users.view").allowed
        else None
    )
    audit_today = None
    if check(actor, "audit.view").allowed:
        audit_filter = audit_service.AuditFilter(
            org_ids=accounts_service.visible_org_ids(
                session=session, scope=visibility(actor, "audit.view")
            ),
            since=labels.start_of_day(labels.today()),
        )
        audit_today = audit_service.count(session=session, audit_filter=audit_filter)
    return Counts(
        by_kind=by_kind,
        organisations=sum(per_kind.values()),
        cii=accounts_service.count_cii(session=session, scope=scope),
        users=users,
        audit_today=audit_today,
        **_watch(session, actor),
    )


@router.get("/dashboard")
def dashboard(
    request: Request,
    session: SessionDep,
    renderer: RendererDep,
    actor: Annotated[Actor, Depends(requires("console.dashboard.view"))],
) -> Response:
    """The signed-in user's starting page."""
    org = accounts_service.get(session=session, org_id=actor.org.id) if actor.org else None
    scope = visibility(actor)
    rule = actor.policy.visibility.get(actor.org.kind) if actor.org else None
    heatmap = (
        risk_service.heatmap(session, actor) if check(actor, risk_actions.VIEW).allowed else None
    )
    context = {
        "heatmap": heatmap,
        "cells": {(c.sector, c.region): c for c in heatmap.cells} if heatmap else {},
        "scope": scope,
        "scope_article": rule.article if rule else None,
        "counts": count_for(session, actor),
        "trend": trend(session, actor),
        **situation(session, actor),
        "org": org,
        "roles": sorted(actor.roles),
        "today": labels.today().isoformat(),
    }
    return renderer.render(request, "dashboard/index.html", context)
