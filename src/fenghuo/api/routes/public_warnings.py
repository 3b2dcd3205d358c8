"""Machine outputs of the public portal (Arts. 54(3), 55): Atom feed, CAP and JSON, no sign-in.

Only public, non-exercise, published warnings: anything else is ``404``. The HTML pages
(``/public/warnings``, ``/public/warnings/{id}``) are the console's (``fenghuo.web``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Response

from fenghuo.api.deps import OPTIONAL_BEARER, SessionDep, SettingsDep, requires
from fenghuo.api.errors import PROBLEM_MEDIA_TYPE
from fenghuo.api.routes.lists import ID_PATTERN
from fenghuo.warnings import public

PUBLIC = "public.portal.view"
# Outside /api/ a missing warning is the portal's HTML "not found" page; a malformed id is
# problem+json like every validation error.
PUBLIC_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {
        "description": "No public warning with this id (the portal's HTML page)",
        "content": {"text/html": {"schema": {"type": "string"}}},
    },
    422: {
        "description": "Invalid input; `errors` names each field and rule",
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"type": "object"}}},
    },
}
router = APIRouter(
    prefix="/public/warnings",
    tags=["public"],
    responses=PUBLIC_ERRORS,
    dependencies=[Depends(requires(PUBLIC))],
)
WarningId = Annotated[str, Path(pattern=ID_PATTERN, description="A warning id or identifier.")]
CACHE = "public, max-age=60"


@router.get(
    ".atom",
    summary="Atom feed of public warnings (active and recently lifted)",
    response_class=Response,
    responses={200: {"content": {"application/atom+xml": {}}, "description": "Atom 1.0"}},
    openapi_extra=OPTIONAL_BEARER,
)
def atom(session: SessionDep, settings: SettingsDep) -> Response:
    """Each entry links to the warning's page and to its CAP document."""
    body = public.atom_feed(session, settings.public_url)
    return Response(
        body, media_type="application/atom+xml; charset=utf-8", headers={"Cache-Control": CACHE}
    )


@router.get(
    "/{warning_id}.cap",
    summary="The latest signed CAP 1.2 message of a public warning",
    response_class=Response,
    responses={200: {"content": {"application/cap+xml": {}}, "description": "Signed CAP 1.2"}},
    openapi_extra=OPTIONAL_BEARER,
)
def cap(warning_id: WarningId, session: SessionDep) -> Response:
    """Byte for byte as issued; verify with ``fenghuo warnings verify FILE``."""
    return Response(
        public.public_cap(session, warning_id),
        media_type="application/cap+xml",
        headers={"Cache-Control": CACHE},
    )


@router.get(
    "/{warning_id}.json",
    summary="A public warning as JSON",
    openapi_extra=OPTIONAL_BEARER,
)
def as_json(warning_id: WarningId, session: SessionDep, settings: SettingsDep) -> dict[str, Any]:
    """Level, texts in Chinese and English, scope, times, links and version history."""
    warning = public.public_get(session, warning_id)
    return public.public_json(session, warning, settings.public_url)
