"""Event ingest: NDJSON or syslog lines from a source, optionally gzip (Arts. 51-52)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request

from fenghuo.api.deps import ActorDep, CredentialDep, SessionDep, SettingsDep, requires
from fenghuo.api.errors import PROBLEM_RESPONSES, Problem
from fenghuo.errors import Refused
from fenghuo.monitoring import flows, pipeline
from fenghuo.monitoring import service as monitoring_service
from fenghuo.monitoring.formats import Rejected
from fenghuo.monitoring.schemas import EventFormat, IngestResult, LineErrorRead

MAX_REPORTED_ERRORS = 1000
RESPONSES: dict[int | str, dict[str, Any]] = {
    **PROBLEM_RESPONSES,
    413: {"model": Problem, "description": "The body is over the size limit; nothing was stored"},
    415: {"model": Problem, "description": "A Content-Encoding other than gzip"},
}
router = APIRouter(prefix="/api/v1/events", tags=["events"], responses=RESPONSES)


def _too_large(limit: int) -> HTTPException:
    return HTTPException(413, f"the request body is larger than {limit} bytes; nothing was stored")


async def read_body(request: Request, settings: SettingsDep) -> bytes:
    """The request body, refused with 413 past the limit (after decompression too)."""
    limit = settings.ingest_max_bytes
    encoding = request.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in {"identity", "gzip"}:
        raise HTTPException(415, f"Content-Encoding {encoding!r} is not supported (gzip is)")
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit:
        raise _too_large(limit)
    body = bytearray()
    # Read as it streams, so an oversize body is refused without holding all of it.
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise _too_large(limit)
    if encoding != "gzip":
        return bytes(body)
    try:
        return pipeline.gunzip(bytes(body), limit)
    except pipeline.BodyTooLarge:
        raise _too_large(limit) from None
    except Rejected as rejected:
        raise HTTPException(400, rejected.reason) from None


BodyDep = Annotated[bytes, Depends(read_body)]


@router.post(
    "",
    summary="Send events (one per line) as a source",
    dependencies=[Depends(requires(flows.INGEST))],
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/plain": {"schema": {"type": "string"}},
                "application/x-ndjson": {"schema": {"type": "string"}},
            },
        }
    },
)
def ingest_events(
    body: BodyDep,
    actor: ActorDep,
    credential: CredentialDep,
    session: SessionDep,
    settings: SettingsDep,
    format: Annotated[  # noqa: A002 (the query parameter's public name)
        EventFormat | None, Query(description="Declare the format; default: the source's.")
    ] = None,
) -> IngestResult:
    """Keep every good line; report each bad one with its line number and reason."""
    source = (
        monitoring_service.get_by_credential(session=session, credential_id=credential.id)
        if credential is not None
        else None
    )
    if source is None:
        raise Refused("only an event source's own token may send events", rule="source-token")
    ingested = flows.ingest_events(
        session=session,
        actor=actor,
        settings=settings,
        source=source,
        lines=pipeline.split_lines(body),
        origin="api",
        declared=format,
    )
    return IngestResult(
        batch_id=ingested.batch.id,
        source=source.name,
        accepted=ingested.batch.accepted,
        rejected=ingested.batch.rejected,
        errors=[
            LineErrorRead(line=error.line, reason=error.reason)
            for error in ingested.result.errors[:MAX_REPORTED_ERRORS]
        ],
        days=ingested.days,
    )
