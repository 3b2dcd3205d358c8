"""Risk assessment (Art. 54(2)) in the console: the sector x province heatmap with surges,
the assessments with the factors that produced them, and the recommendations for the
competent authority, each turned into a warning draft with one click."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Response
from fastapi.responses import RedirectResponse

from fenghuo.api.deps import SessionDep, requires
from fenghuo.authority import Actor, check
from fenghuo.risk import actions
from fenghuo.risk import service as risk_service
from fenghuo.warnings import actions as warning_actions
from fenghuo.warnings import flows as warning_flows
from fenghuo.warnings import service as warning_service
from fenghuo.web.forms import FORM_ERRORS, FormErrors, run_flow
from fenghuo.web.routes import RendererDep, console_router

router = console_router()
ViewAllowed = Annotated[Actor, Depends(requires(actions.VIEW))]
DraftAllowed = Annotated[Actor, Depends(requires(warning_actions.DRAFT))]


def _page(
    request: Request,
    session: SessionDep,
    renderer: RendererDep,
    actor: Actor,
    errors: FormErrors | None = None,
) -> Response:
    heatmap = risk_service.heatmap(session, actor)
    cells = {(cell.sector, cell.region): cell for cell in heatmap.cells}
    recommendations = (
        risk_service.list_recommendations(session, actor, limit=50)
        if check(actor, actions.RECOMMENDATIONS_VIEW).allowed
        else []
    )
    drafted = {
        r.id: warning_service.for_recommendation(
            session=session, actor=actor, recommendation_id=r.id
        )
        for r in recommendations
    }
    cell_assessments = risk_service.latest(session, actor, scope_kind="cell")
    top = sorted(cell_assessments, key=lambda a: a.score, reverse=True)[:10]
    context = {
        "heatmap": heatmap,
        "cells": cells,
        "recommendations": recommendations,
        "drafted": drafted,
        "top": top,
        "may_draft": check(actor, warning_actions.DRAFT).allowed,
        "errors": errors or FormErrors(),
    }
    status = errors.status if errors else 200
    return renderer.render(request, "risk/index.html", context, status_code=status)


@router.get("/risk")
def risk_page(
    request: Request, session: SessionDep, renderer: RendererDep, actor: ViewAllowed
) -> Response:
    """The heatmap, the highest assessments with their factors, the recommendations."""
    return _page(request, session, renderer, actor)


@router.post("/risk/recommendations/{recommendation_id}/draft")
def draft_from_recommendation(
    recommendation_id: str,
    request: Request,
    session: SessionDep,
    renderer: RendererDep,
    actor: DraftAllowed,
) -> Response:
    """One click: the recommendation becomes a warning draft, opened in the editor."""
    try:
        warning_in = risk_service.recommendation_to_draft(session, actor, recommendation_id)
        made = run_flow(
            session,
            lambda: warning_flows.draft_warning(
                session=session, actor=actor, warning_in=warning_in
            ),
        )
    except FORM_ERRORS as exc:
        errors = FormErrors.from_exception(exc, known=())
        return _page(request, session, renderer, actor, errors)
    return RedirectResponse(f"/warnings/{made.id}/edit", status_code=303)
