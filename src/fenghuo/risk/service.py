"""Risk assessments: compute (``assess``), store a snapshot (``refresh``), read (``heatmap``,
``latest``) and the recommendations (``list_recommendations``, ``recommendation_to_draft``).

``refresh`` is the one state change: authorise -> compute -> store the snapshot and any new
recommendations -> one audit record -> emit ``risk.assessments.refreshed``; the caller
commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.orm import Session

from fenghuo import clock
from fenghuo.accounts.enums import OrgKind
from fenghuo.accounts.models import Organisation
from fenghuo.audit import service as audit_service
from fenghuo.authority import Actor, ActorKind, Target, VisibilityScope, require, visibility
from fenghuo.bus.outbox import emit
from fenghuo.errors import NotFound, Refused
from fenghuo.plans import service as plan_service
from fenghuo.risk import inputs, recommendations
from fenghuo.risk.actions import RECOMMENDATIONS_VIEW, REFRESH, VIEW
from fenghuo.risk.assessing import assess_world, assessment_of, world_json
from fenghuo.risk.models import RiskAssessment, RiskRecommendation, RiskRefresh
from fenghuo.risk.parameters import Parameters, packaged
from fenghuo.risk.schemas import Assessment, HeatCell, Heatmap, RefreshResult
from fenghuo.store import new_id
from fenghuo.warnings.enums import Colour
from fenghuo.warnings.schemas import WarningCreate

REFRESHED = "risk.assessments.refreshed"
REFRESH_RULE = "risk-refreshed-nationally"
NOTIFIER_LABEL = "risk-model"


def parameters(session: Session) -> Parameters:
    """The packaged parameters with the active plan's ``risk_thresholds`` in force."""
    document = plan_service.active_plan(session).document
    return packaged().with_plan_thresholds(document.risk_thresholds)


def compute(session: Session, now: datetime | None = None) -> list[Assessment]:
    """Every cell's and operator's assessment at ``now`` (no authority check: internal)."""
    document = plan_service.active_plan(session).document
    params = packaged().with_plan_thresholds(document.risk_thresholds)
    world = inputs.gather(session, params, clock.as_utc(now) if now else clock.now())
    return assess_world(world, params, document)


def is_visible(
    scope: VisibilityScope,
    *,
    scope_kind: str,
    sector: str | None,
    region: str | None,
    org_id: str | None,
    operator_paths: dict[str, str],
) -> bool:
    """Whether an assessment's scope (or a recommendation's cell) lies within ``scope``."""
    if scope.kind == "all":
        return True
    own = scope.org_path or "\x00"
    if scope_kind == "operator" and org_id and operator_paths.get(org_id, "").startswith(own):
        return True
    if scope.kind == "sector":
        return bool(scope.sector) and sector == scope.sector
    if scope.kind == "region" and scope.region_prefix:
        return (region or "").startswith(scope.region_prefix)
    return False


def _operator_paths(session: Session) -> dict[str, str]:
    query = select(Organisation.id, Organisation.path).where(
        Organisation.kind == OrgKind.network_operator.value
    )
    return {row[0]: row[1] for row in session.execute(query)}


def _visible(
    session: Session, actor: Actor, action: str, items: Iterable[Assessment]
) -> list[Assessment]:
    scope = visibility(actor, action)
    paths = _operator_paths(session) if scope.kind != "all" else {}
    return [
        item
        for item in items
        if is_visible(scope, scope_kind=item.scope_kind, sector=item.sector, region=item.region,
                      org_id=item.org_id, operator_paths=paths)
    ]  # fmt: skip


def _cell_visible(actor: Actor, action: str, sector: str, region: str) -> bool:
    scope = visibility(actor, action)
    return is_visible(scope, scope_kind="cell", sector=sector, region=region, org_id=None,
                      operator_paths={})  # fmt: skip


def assess(session: Session, actor: Actor, now: datetime | None = None) -> list[Assessment]:
    """Current assessments within the actor's visibility, computed now (nothing stored)."""
    require(actor, VIEW)
    return _visible(session, actor, VIEW, compute(session, now))


def _authorise_refresh(actor: Actor) -> None:
    if actor.kind is ActorKind.system:
        require(actor, REFRESH)
        return
    require(actor, REFRESH, Target(org=actor.org) if actor.org else None)
    if actor.org is None or actor.org.kind != OrgKind.national_coordinator.value:
        raise Refused(
            "risk is recomputed for the whole country, by the national coordinator",
            rule=REFRESH_RULE,
            article="Art. 51",
        )


def refresh(session: Session, actor: Actor, now: datetime | None = None) -> RefreshResult:
    """Compute and store every assessment, raise recommendations; one audit record."""
    _authorise_refresh(actor)
    if session.get_bind().dialect.name == "postgresql":
        # One refresh at a time (the worker's and an administrator's may meet): the second
        # waits for the first to commit, then numbers its snapshot after it. SQLite writers
        # are serialised already (BEGIN IMMEDIATE).
        session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended('risk.refresh', 0))"))
    at = clock.as_utc(now) if now else clock.now()
    document = plan_service.active_plan(session).document
    params = packaged().with_plan_thresholds(document.risk_thresholds)
    # The stored JSON is built directly (``world_json``); an ``Assessment`` is made only
    # for the cells that may raise a recommendation.
    results = world_json(inputs.gather(session, params, at), params, document)
    last = session.scalar(select(func.max(RiskRefresh.seq))) or 0
    snapshot = RiskRefresh(
        seq=last + 1,
        computed_at=at, computed_by=actor.label, assessments=len(results),
        surges=sum(a["surge_flagged"] for a in results), recommendations=0,
        parameters={"thresholds": [t.__dict__ for t in params.thresholds],
                    "false_alarm_rate": params.surge.false_alarm_rate},
    )  # fmt: skip
    session.add(snapshot)
    session.flush()
    notifier = Actor.system(actor.policy, label=NOTIFIER_LABEL)
    rows: list[dict[str, Any]] = [
        {
            "id": new_id(), "refresh_id": snapshot.id, "computed_at": at,
            "scope_kind": a["scope_kind"], "sector": a["sector"], "region": a["region"],
            "org_id": a["org_id"], "org_name": a["org_name"], "score": a["score"],
            "colour": a["colour"], "degree": a["degree"]["level"], "surge": a["surge_flagged"],
            "content": a,
        }
        for a in results
    ]  # fmt: skip
    if rows:
        # A Core INSERT (executemany): one row per scope, thousands per refresh; the ORM's
        # unit of work would spend most of the refresh collecting state nobody reads back.
        session.execute(insert(cast(Table, RiskAssessment.__table__)), rows)
    raised: list[str] = []
    for row in rows:
        if row["colour"] is None:  # no threshold reached: nothing to recommend
            continue
        made = recommendations.raise_for(
            session, assessment=assessment_of(row["content"], at), assessment_id=row["id"],
            params=params, document=document, now=at, notifier=notifier,
        )  # fmt: skip
        if made is not None:
            raised.append(made.id)
    snapshot.recommendations = len(raised)
    facts = {"refresh_id": snapshot.id, "assessments": len(results),
             "surges": snapshot.surges, "recommendations": raised}  # fmt: skip
    audit_service.record(
        session=session, actor=actor, action=REFRESH, target_type="risk_refresh",
        target_id=snapshot.id, details=facts, legal_basis="Art. 54(2)",
        summary=f"risk refreshed: {len(results)} assessments, {snapshot.surges} surges, "
        f"{len(raised)} recommendations",
    )  # fmt: skip
    emit(session, REFRESHED, {**facts, "computed_at": at.isoformat()})
    session.flush()
    return RefreshResult(
        refresh_id=snapshot.id, computed_at=at, assessments=len(results),
        surges=snapshot.surges, recommendations=raised,
    )  # fmt: skip


def _latest_refresh(session: Session) -> RiskRefresh | None:
    query = select(RiskRefresh).order_by(RiskRefresh.seq.desc())
    return session.scalars(query.limit(1)).first()


def latest(session: Session, actor: Actor, scope_kind: str | None = None) -> list[Assessment]:
    """The stored assessments of the latest refresh within the actor's visibility."""
    require(actor, VIEW)
    snapshot = _latest_refresh(session)
    if snapshot is None:
        return []
    query = select(RiskAssessment).where(RiskAssessment.refresh_id == snapshot.id)
    if scope_kind:
        query = query.where(RiskAssessment.scope_kind == scope_kind)
    order = (RiskAssessment.scope_kind, RiskAssessment.sector, RiskAssessment.region)
    rows = session.scalars(query.order_by(*order, RiskAssessment.org_id))
    items = [Assessment.model_validate({**row.content, "id": row.id}) for row in rows]
    return _visible(session, actor, VIEW, items)


def heatmap(session: Session, actor: Actor) -> Heatmap:
    """The latest refresh as a sector x province grid (cells within the actor's visibility)."""
    cells = latest(session, actor, scope_kind="cell")
    snapshot = _latest_refresh(session)
    return Heatmap(
        computed_at=snapshot.computed_at if snapshot else None,
        sectors=sorted({c.sector for c in cells if c.sector}),
        regions=sorted({c.region for c in cells if c.region}),
        cells=[
            HeatCell(sector=c.sector or "", region=c.region or "", score=c.score,
                     colour=c.colour, degree=c.degree.level, surge=c.surge_flagged)
            for c in cells
        ],
    )  # fmt: skip


def trend(
    session: Session, actor: Actor, *, sector: str, region: str, limit: int = 100
) -> list[tuple[datetime, float]]:
    """The stored scores of one cell, oldest first (for a trend line)."""
    require(actor, VIEW)
    if not _cell_visible(actor, VIEW, sector, region):
        return []
    query = (
        select(RiskAssessment.computed_at, RiskAssessment.score)
        .where(RiskAssessment.scope_kind == "cell", RiskAssessment.sector == sector,
               RiskAssessment.region == region)
        .order_by(RiskAssessment.computed_at.desc())
        .limit(limit)
    )  # fmt: skip
    return [(at, score) for at, score in reversed(session.execute(query).all())]


def _recommendation_visible(actor: Actor, rec: RiskRecommendation) -> bool:
    return _cell_visible(actor, RECOMMENDATIONS_VIEW, rec.sector, rec.region)


def list_recommendations(
    session: Session, actor: Actor, *, status: str | None = None, limit: int = 100
) -> list[RiskRecommendation]:
    """Recommendations for cells within the actor's visibility, newest first."""
    require(actor, RECOMMENDATIONS_VIEW)
    query = select(RiskRecommendation).order_by(
        RiskRecommendation.created_at.desc(), RiskRecommendation.id
    )
    if status:
        query = query.where(RiskRecommendation.status == status)
    rows = [r for r in session.scalars(query) if _recommendation_visible(actor, r)]
    return rows[:limit]


def get_recommendation(
    session: Session, actor: Actor, recommendation_id: str
) -> RiskRecommendation:
    """One recommendation; ``NotFound`` if it does not exist or lies outside visibility."""
    require(actor, RECOMMENDATIONS_VIEW)
    rec = session.get(RiskRecommendation, recommendation_id)
    if rec is None or not _recommendation_visible(actor, rec):
        raise NotFound(f"no recommendation {recommendation_id}")
    return rec


def recommendation_to_draft(
    session: Session, actor: Actor, recommendation_id: str
) -> WarningCreate:
    """The values of a warning draft from a recommendation, for
    ``fenghuo.warnings.flows.draft_warning`` (departments only; the issuer checks the colour)."""
    rec = get_recommendation(session, actor, recommendation_id)
    refs = ", ".join(rec.evidence.get("incident_references", [])) or "none"
    counts = rec.evidence.get("detections_by_level", {})
    detections = ", ".join(f"{level} {n}" for level, n in counts.items()) or "none"
    subject_zh, subject_en = recommendations.subject(rec.sector, rec.region)
    return WarningCreate(
        colour=Colour(rec.colour),
        category=rec.category,
        title_zh=subject_zh,
        title_en=subject_en[0].upper() + subject_en[1:],
        description_zh=(
            f"风险评估（{rec.created_at:%Y-%m-%d %H:%M} UTC）：{subject_zh}，"
            f"风险分值 {rec.score:.1f}/100。相关事件：{refs}。告警：{detections}。"
        ),
        description_en=(
            f"Risk assessment of {rec.created_at:%Y-%m-%d %H:%M} UTC: {subject_en}, "
            f"score {rec.score:.1f}/100. Incidents: {refs}. Detections: {detections}."
        ),
        measures_zh=rec.measures_zh,
        measures_en=rec.measures_en,
        sectors=[rec.sector],
        regions=[rec.region],
        recommendation_id=rec.id,
    )
