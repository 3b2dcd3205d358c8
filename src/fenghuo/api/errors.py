"""FenghuoError -> HTTP, as RFC 9457 problem details naming the field and the rule."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from fenghuo.errors import (
    Conflict,
    FenghuoError,
    Invalid,
    InvalidTransition,
    NotFound,
    Refused,
    Unauthenticated,
    Unavailable,
)

PROBLEM_TYPE_BASE = "https://fenghuo.invalid/problems/"
STATUS_OF: dict[type[FenghuoError], int] = {
    NotFound: 404,
    Refused: 403,
    Invalid: 422,
    Conflict: 409,
    InvalidTransition: 409,
    Unauthenticated: 401,
    Unavailable: 503,
}


def problem(status: int, code: str, title: str, detail: str, **extra: Any) -> JSONResponse:
    """An ``application/problem+json`` response."""
    body = {
        "type": PROBLEM_TYPE_BASE + code,
        "title": title,
        "status": status,
        "detail": detail,
        **extra,
    }
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(
        body, status_code=status, media_type="application/problem+json", headers=headers
    )


def status_of(exc: FenghuoError) -> int:
    """The HTTP status a Fenghuo error maps to."""
    for kind, status in STATUS_OF.items():
        if isinstance(exc, kind):
            return status
    return 400


def problem_for(exc: FenghuoError) -> JSONResponse:
    """The problem response for a Fenghuo error, with its field/rule or rule/reason."""
    extra: dict[str, Any] = {}
    if isinstance(exc, Refused):
        extra = {"rule": exc.rule, "reason": exc.reason, "article": exc.article}
    elif isinstance(exc, Invalid):
        extra = {"errors": [{"field": exc.field, "rule": exc.rule, "message": exc.message}]}
    elif isinstance(exc, Conflict):
        extra = {"errors": [{"field": exc.field, "rule": "unique", "message": exc.message}]}
    elif isinstance(exc, InvalidTransition):
        extra = {"current": exc.current, "requested": exc.requested}
    title = exc.code.replace("_", " ")
    return problem(status_of(exc), exc.code, title, exc.message, **extra)


def validation_problem(exc: RequestValidationError) -> JSONResponse:
    """A 422 naming each field (dotted path) and the pydantic rule it broke."""
    errors = [
        {
            "field": ".".join(
                str(part) for part in error["loc"] if part not in ("body", "query", "path")
            ),
            "rule": error["type"],
            "message": error["msg"],
        }
        for error in exc.errors()
    ]
    detail = "; ".join(f"{e['field'] or '(body)'}: {e['message']}" for e in errors)
    return problem(422, "invalid", "invalid", detail, errors=errors)


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``. Console pages get HTML via ``html_renderer``."""

    async def on_fenghuo_error(request: Request, exc: Exception) -> Any:
        assert isinstance(exc, FenghuoError)
        renderer = getattr(request.app.state, "html_error_renderer", None)
        if renderer is not None and not request.url.path.startswith("/api/"):
            return renderer(request, status_of(exc), exc)
        return problem_for(exc)

    async def on_validation_error(_request: Request, exc: Exception) -> Any:
        assert isinstance(exc, RequestValidationError)
        return validation_problem(exc)

    async def on_http_error(request: Request, exc: Exception) -> Any:
        assert isinstance(exc, StarletteHTTPException)
        renderer = getattr(request.app.state, "html_error_renderer", None)
        if renderer is not None and not request.url.path.startswith("/api/"):
            return renderer(request, exc.status_code, exc)
        code = "not_found" if exc.status_code == 404 else "http_error"
        return problem(exc.status_code, code, code.replace("_", " "), str(exc.detail))

    app.add_exception_handler(FenghuoError, on_fenghuo_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
