"""The public portal: what the public may read without an account (Arts. 51, 54(3))."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Response

from fenghuo.api.deps import requires
from fenghuo.authority import Actor
from fenghuo.web.routes import RendererDep, console_router

router = console_router()

ATOM_FEED_PATH = "/public/warnings.atom"


@router.get("/public")
def portal(
    request: Request,
    renderer: RendererDep,
    _actor: Annotated[Actor, Depends(requires("public.portal.view"))],
) -> Response:
    """The portal's front page: published early warnings will appear here."""
    return renderer.render(request, "public/index.html", {"atom_feed": ATOM_FEED_PATH})
