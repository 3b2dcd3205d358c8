"""FenghuoError -> HTTP, as RFC 9457 problem details naming the field and the rule."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
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
PROBLEM_MEDIA_TYPE = "application/problem+json"


class FieldProblem(BaseModel):
    """One input that broke one rule."""

    field: str | None = Field(description="Dotted path of the input; empty for the whole body.")
    rule: str = Field(description="The rule it broke (a Fenghuo rule or a pydantic error type).")
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details, as every error of the API is shaped (for the OpenAPI document)."""

    type: str
    title: str
    status: int
    detail: str
    rule: str | None = Field(default=None, description="The authority rule that refused (401/403).")
    reason: str | None = None
    article: str | None = Field(default=None, description="The article of law behind the rule.")
    errors: list[FieldProblem] | None = Field(
        default=None, description="Each field and the rule it broke (409/422)."
    )


def _documented(description: str) -> dict[str, Any]:
    return {"model": Problem, "description": description}


# The error responses every API route may give, for routers' ``responses=``.
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _documented("The body could not be parsed at all"),
    401: _documented("No valid bearer token (or wrong credentials at sign-in)"),
    403: _documented("Authority refused; `rule` names the rule, `article` the law"),
    404: _documented("No such thing"),
    409: _documented("Collides with existing state; `errors` names the field"),
    422: _documented("Invalid input; `errors` names each field and rule"),
}
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
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


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

    app.openapi = _problems_as_problem_json(app.openapi)  # type: ignore[method-assign]
    app.add_exception_handler(FenghuoError, on_fenghuo_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)


def _problems_as_problem_json(build: Callable[[], dict[str, Any]]) -> Callable[[], dict[str, Any]]:
    """Document 4xx/5xx bodies as ``application/problem+json`` (FastAPI says application/json)."""

    def openapi() -> dict[str, Any]:
        schema = build()  # FastAPI caches it; moving the media type once is enough
        for path, operations in schema.get("paths", {}).items():
            if not path.startswith("/api/"):
                continue  # console pages render their errors as HTML
            for operation in operations.values():
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if str(status)[:1] in {"4", "5"} and "application/json" in content:
                        content.setdefault(PROBLEM_MEDIA_TYPE, content.pop("application/json"))
        return schema

    return openapi
