"""Liveness, readiness (database at the latest migration, and the bus) and Prometheus metrics."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from fenghuo.api.deps import OPTIONAL_BEARER, PlatformDep, SessionDep, requires
from fenghuo.store.migrations import head_revision, revision_of

router = APIRouter(tags=["health"], dependencies=[Depends(requires("system.health.view"))])


@router.get("/healthz", summary="The process is alive", openapi_extra=OPTIONAL_BEARER)
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="The database and the bus answer",
    responses={503: {"description": "Not ready"}},
    openapi_extra=OPTIONAL_BEARER,
)
def readyz(platform: PlatformDep, session: SessionDep) -> Any:
    checks: dict[str, str] = {}
    try:
        # The request's own transaction: a second connection would wait for the SQLite write
        # lock that this request already holds once a bearer token has been checked.
        session.execute(text("SELECT 1"))
        checks["database"] = "ok"
        at = revision_of(session.connection())
        checks["migrations"] = (
            "ok" if at == head_revision() else f"at {at}; run `fenghuo db upgrade`"
        )
    except Exception as exc:  # readiness reports any failure rather than raising it
        checks["database"] = f"unavailable: {type(exc).__name__}"
    bus = getattr(platform, "bus", None)
    if bus is not None:
        checks["bus"] = "ok" if bus.is_ready() else "unavailable"
    ready = all(value == "ok" for value in checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "not ready", "checks": checks},
        status_code=200 if ready else 503,
    )


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    openapi_extra=OPTIONAL_BEARER,
)
def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
