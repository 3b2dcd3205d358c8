"""The public portal: what the public may read without an account (Arts. 51, 54(3), 55).

Only public, non-exercise, published warnings ever reach these pages: ``fenghuo.warnings
.public`` is the one door, and it filters before anything is rendered. The Atom feed, the
JSON and the signed CAP documents are served by ``fenghuo.api.routes.public_warnings``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Response

from fenghuo.api.deps import SessionDep, requires
from fenghuo.authority import Actor
from fenghuo.warnings import public
from fenghuo.web.routes import RendererDep, console_router

router = console_router()
PublicAllowed = Annotated[Actor, Depends(requires("public.portal.view"))]
ATOM_FEED_PATH = "/public/warnings.atom"
PAGE_SIZE = 20


@router.get("/public")
def portal(
    request: Request, session: SessionDep, renderer: RendererDep, _actor: PublicAllowed
) -> Response:
    """The portal's front page: the warnings in force, and how to subscribe."""
    context = {"atom_feed": ATOM_FEED_PATH, "active": public.public_active(session)}
    return renderer.render(request, "public/index.html", context)


@router.get("/public/warnings")
def archive(
    request: Request,
    session: SessionDep,
    renderer: RendererDep,
    _actor: PublicAllowed,
    q: str = "",
    page: int = 1,
) -> Response:
    """Every public warning, newest first, searchable."""
    page = max(page, 1)
    found, total = public.public_archive(
        session, search=q.strip()[:100], limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
    )
    context = {
        "warnings": found,
        "total": total,
        "q": q,
        "page": page,
        "pages": max(1, -(-total // PAGE_SIZE)),
        "state_of": public.public_state,
        "atom_feed": ATOM_FEED_PATH,
    }
    return renderer.render(request, "public/archive.html", context)


@router.get("/public/warnings/{warning_id}")
def warning_page(
    warning_id: str,
    request: Request,
    session: SessionDep,
    renderer: RendererDep,
    _actor: PublicAllowed,
) -> Response:
    """One public warning: level, whom it concerns, what to do; its CAP and JSON forms."""
    found = public.public_get(session, warning_id)
    context = {"w": found, "state": public.public_state(found), "atom_feed": ATOM_FEED_PATH}
    return renderer.render(request, "public/warning.html", context)
