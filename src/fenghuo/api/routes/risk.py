"""Risk assessment (Art. 54(2)): assessments, the heatmap, recommendations and refresh."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from fenghuo.api.deps import ActorDep, SessionDep, requires
from fenghuo.api.errors import PROBLEM_RESPONSES
from fenghuo.api.routes.lists import IdPath
from fenghuo.risk import service as risk_service
from fenghuo.risk.actions import RECOMMENDATIONS_VIEW, REFRESH, VIEW
from fenghuo.risk.schemas import Assessment, Heatmap, RecommendationRead, RefreshResult
from fenghuo.warnings.schemas import WarningCreate

router = APIRouter(prefix="/api/v1/risk", tags=["risk"], responses=PROBLEM_RESPONSES)


@router.get(
    "/assessments",
    summary="Risk assessments within my visibility (the latest refresh, or computed now)",
    dependencies=[Depends(requires(VIEW))],
)
def list_assessments(
    actor: ActorDep,
    session: SessionDep,
    scope_kind: Annotated[str | None, Query(pattern="^(cell|operator)$")] = None,
    fresh: Annotated[
        bool, Query(description="Compute now instead of reading the snapshot.")
    ] = False,
) -> list[Assessment]:
    """Possibility, scope, degree of harm, factors and surge tests of each scope."""
    if fresh:
        found = risk_service.assess(session, actor)
        return [a for a in found if scope_kind is None or a.scope_kind == scope_kind]
    return risk_service.latest(session, actor, scope_kind=scope_kind)


@router.get(
    "/heatmap",
    summary="The sector x province grid of the latest refresh",
    dependencies=[Depends(requires(VIEW))],
)
def read_heatmap(actor: ActorDep, session: SessionDep) -> Heatmap:
    """Score, colour, degree and surge flag per cell within my visibility."""
    return risk_service.heatmap(session, actor)


@router.get(
    "/recommendations",
    summary="Warning recommendations for the cells within my visibility, newest first",
    dependencies=[Depends(requires(RECOMMENDATIONS_VIEW))],
)
def list_recommendations(
    actor: ActorDep,
    session: SessionDep,
    status: Annotated[str | None, Query(pattern="^[a-z_]{1,20}$")] = None,
) -> list[RecommendationRead]:
    """Suggested colour, scope, evidence and draft measures of each recommendation."""
    found = risk_service.list_recommendations(session, actor, status=status)
    return [RecommendationRead.model_validate(r) for r in found]


@router.get(
    "/recommendations/{recommendation_id}",
    summary="One recommendation",
    dependencies=[Depends(requires(RECOMMENDATIONS_VIEW))],
)
def read_recommendation(
    recommendation_id: IdPath, actor: ActorDep, session: SessionDep
) -> RecommendationRead:
    """The recommendation, if its cell lies within my visibility."""
    rec = risk_service.get_recommendation(session, actor, recommendation_id)
    return RecommendationRead.model_validate(rec)


@router.get(
    "/recommendations/{recommendation_id}/draft",
    summary="The warning-draft values of a recommendation (POST them to /api/v1/warnings)",
    dependencies=[Depends(requires(RECOMMENDATIONS_VIEW))],
)
def read_recommendation_draft(
    recommendation_id: IdPath, actor: ActorDep, session: SessionDep
) -> WarningCreate:
    """Colour, category, titles, description, measures, sectors and regions, prefilled."""
    return risk_service.recommendation_to_draft(session, actor, recommendation_id)


@router.post(
    "/refresh",
    summary="Recompute and store every assessment (the coordinator's administrators)",
    dependencies=[Depends(requires(REFRESH))],
)
def refresh(actor: ActorDep, session: SessionDep) -> RefreshResult:
    """One snapshot, any new recommendations, one audit record."""
    return risk_service.refresh(session, actor)
