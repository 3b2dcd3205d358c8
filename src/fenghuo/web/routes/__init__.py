"""The console's routers, one per area; ``ROUTERS`` is the order they are mounted in.

Every router is made by ``console_router``, whose dependency resolves the visitor (session
cookie, language) and checks the CSRF token of every state-changing request. Every route
declares its authority action with ``Depends(requires("..."))``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from fenghuo.web.rendering import Renderer
from fenghuo.web.session import check_csrf


def console_router() -> APIRouter:
    """A router whose routes know their visitor and refuse forged forms."""
    return APIRouter(
        dependencies=[Depends(check_csrf)],
        include_in_schema=False,
        default_response_class=HTMLResponse,
    )


def get_renderer(request: Request) -> Renderer:
    """The app's template renderer."""
    renderer: Renderer = request.app.state.renderer
    return renderer


RendererDep = Annotated[Renderer, Depends(get_renderer)]


def all_routers() -> tuple[APIRouter, ...]:
    """The console's routers, in mounting order."""
    from fenghuo.web.routes import (
        audit,
        auth,
        dashboard,
        detections,
        hunting,
        incidents,
        monitoring,
        notifications,
        organisations,
        plans,
        public,
        risk,
        rules,
        submissions,
        users,
        warnings,
    )
    from fenghuo.web.routes import profile as own_account

    return (
        auth.router,
        public.router,
        dashboard.router,
        monitoring.router,
        detections.router,
        rules.router,
        hunting.router,
        submissions.router,
        incidents.router,
        notifications.router,
        plans.router,
        warnings.router,
        risk.router,
        organisations.router,
        users.router,
        audit.router,
        own_account.router,
    )
