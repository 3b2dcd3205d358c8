"""Errors on console pages as HTML: 403 names the refusing rule, 401 goes to sign-in.

``fenghuo.api.errors`` calls ``app.state.html_error_renderer(request, status, exc)`` for
every error outside ``/api/``; this module provides it.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from fastapi import Request, Response
from fastapi.responses import RedirectResponse
from starlette.exceptions import HTTPException

from fenghuo.errors import Conflict, FenghuoError, Invalid, InvalidTransition, Refused
from fenghuo.platform import Platform
from fenghuo.web.i18n import N_
from fenghuo.web.rendering import Renderer
from fenghuo.web.session import fallback_visitor

TITLES: dict[int, str] = {
    400: N_("The request could not be understood"),
    403: N_("You may not do this"),
    404: N_("Not found"),
    405: N_("This method is not allowed here"),
    409: N_("This conflicts with the current state"),
    422: N_("The input is not valid"),
    503: N_("A service Fenghuo needs is unavailable"),
}
GENERIC_TITLE = N_("Something went wrong")
EXPLANATIONS: dict[int, str] = {
    404: N_("The page or record does not exist, or it was removed."),
    405: N_("Use the links and buttons on the pages."),
    503: N_("Try again in a moment; if it persists, tell the operator of this deployment."),
}


class HtmlErrorRenderer:
    """The ``html_error_renderer`` of the app: an error page in the visitor's language."""

    def __init__(self, platform: Platform, renderer: Renderer) -> None:
        self.platform = platform
        self.renderer = renderer

    def __call__(self, request: Request, status: int, exc: Exception) -> Response:
        if status == 401:
            return login_redirect(request)
        visitor = fallback_visitor(request, self.platform)
        context = {
            "status": status,
            "title": TITLES.get(status, GENERIC_TITLE),
            "explanation": EXPLANATIONS.get(status, ""),
            "rule": _rule_of(exc),
            "legal_basis": exc.article if isinstance(exc, Refused) else None,
            "reason": _reason_of(exc),
        }
        return self.renderer.render(
            request, "errors/error.html", context, status_code=status, visitor=visitor
        )


def login_redirect(request: Request) -> Response:
    """Send a signed-out visitor to sign in, then back here (HTMX is told to redirect)."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.method != "GET":
        current = urlsplit(request.headers.get("hx-current-url") or "/dashboard")
        target = current.path + (f"?{current.query}" if current.query else "")
    location = "/login?next=" + quote(target, safe="/")
    if request.headers.get("hx-request") == "true":
        return Response(status_code=204, headers={"HX-Redirect": location})
    return RedirectResponse(location, status_code=303)


def _rule_of(exc: Exception) -> str | None:
    if isinstance(exc, Refused | Invalid):
        return exc.rule
    if isinstance(exc, Conflict):
        return "unique"
    return None


def _reason_of(exc: Exception) -> str:
    """The domain's own (English) words, shown beside the translated rule."""
    if isinstance(exc, Refused):
        return exc.reason
    if isinstance(exc, Invalid | Conflict | InvalidTransition):
        return exc.message
    if isinstance(exc, FenghuoError):
        return exc.message
    if isinstance(exc, HTTPException) and exc.status_code not in (404, 405):
        return str(exc.detail)
    return ""
