"""Monitoring: the event sources one may see, their latest batches, and uploading a file.

The upload runs the same ingest flow as ``POST /api/v1/events``, as the signed-in person
(who must be allowed to send events for the source's owner), so a sample file sent from
the console is normalised, enriched, archived, audited and detected like any other batch.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request, Response
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from fenghuo.api.deps import SessionDep, SettingsDep, requires
from fenghuo.authority import Actor, check, visibility
from fenghuo.monitoring import flows, pipeline
from fenghuo.monitoring import service as monitoring_service
from fenghuo.monitoring.formats import FORMATS, Rejected
from fenghuo.monitoring.models import Source
from fenghuo.web.forms import FORM_ERRORS, FormDep, FormErrors, run_flow, text
from fenghuo.web.routes import RendererDep, console_router

router = console_router()
VIEW = "monitoring.sources.view"
ViewAllowed = Annotated[Actor, Depends(requires(VIEW))]
IngestAllowed = Annotated[Actor, Depends(requires(flows.INGEST))]
UPLOAD_FIELDS = ("source", "format", "file")
LATEST_BATCHES = 5


def _sources(session: Session, actor: Actor) -> list[Source]:
    return monitoring_service.list_(session=session, scope=visibility(actor, VIEW))


def _uploadable(actor: Actor, sources: list[Source]) -> list[Source]:
    """The active sources the actor may send events for."""
    return [
        source
        for source in sources
        if source.is_active and check(actor, flows.INGEST, flows.source_target(source)).allowed
    ]


def _page(
    request: Request,
    session: Session,
    renderer: RendererDep,
    actor: Actor,
    *,
    errors: FormErrors | None = None,
    chosen: dict[str, str] | None = None,
    result: dict[str, Any] | None = None,
) -> Response:
    sources = _sources(session, actor)
    batches = {
        source.id: monitoring_service.list_batches(
            session=session, source_id=source.id, limit=LATEST_BATCHES
        )
        for source in sources
    }
    errors = errors or FormErrors()
    uploadable = _uploadable(actor, sources)
    context = {
        "sources": sources,
        "batches": batches,
        "uploadable": uploadable,
        "source_options": [(source.id, source.name) for source in uploadable],
        "format_options": [(name, name) for name in ("auto", *FORMATS)],
        "errors": errors,
        "values": chosen or {},
        "result": result,
    }
    status = errors.status if errors else 200
    return renderer.render(request, "monitoring/index.html", context, status_code=status)


@router.get("/monitoring")
def monitoring(
    request: Request, session: SessionDep, renderer: RendererDep, actor: ViewAllowed
) -> Response:
    """Sources within visibility with their latest batches, and the upload form."""
    return _page(request, session, renderer, actor)


async def _read_upload(upload: UploadFile, limit: int) -> bytes:
    """The file's bytes (inflated if gzip), refused past the ingest size limit."""
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise pipeline.BodyTooLarge(f"the file is larger than {limit} bytes; nothing was stored")
    if data[:2] == b"\x1f\x8b":
        return pipeline.gunzip(data, limit)
    return data


@router.post("/monitoring/upload")
async def upload(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    renderer: RendererDep,
    actor: IngestAllowed,
    form: FormDep,
) -> Response:
    """Ingest an uploaded file of events for one source, as the signed-in person."""
    chosen = {"source": text(form, "source"), "format": text(form, "format") or "auto"}
    errors = FormErrors()
    source = next(
        (s for s in _uploadable(actor, _sources(session, actor)) if s.id == chosen["source"]),
        None,
    )
    file = form.get("file")
    if source is None:
        errors.fields["source"] = "missing"
    if chosen["format"] not in ("auto", *FORMATS):
        errors.fields["format"] = "literal_error"
    if not isinstance(file, UploadFile) or not file.filename:
        errors.fields["file"] = "missing"
    if errors or source is None or not isinstance(file, UploadFile):
        errors.status = 422
        return _page(request, session, renderer, actor, errors=errors, chosen=chosen)
    try:
        body = await _read_upload(file, settings.ingest_max_bytes)
    except Rejected as rejected:
        too_large = isinstance(rejected, pipeline.BodyTooLarge)
        errors.fields["file"] = "file-too-large" if too_large else "gzip-body"
        errors.status = 413 if too_large else 422
        return _page(request, session, renderer, actor, errors=errors, chosen=chosen)
    declared = None if chosen["format"] == "auto" else chosen["format"]
    try:
        ingested = run_flow(
            session,
            lambda: flows.ingest_events(
                session=session,
                actor=actor,
                settings=settings,
                source=source,
                lines=pipeline.split_lines(body),
                origin=f"console upload: {file.filename}"[:500],
                declared=declared,
            ),
        )
    except FORM_ERRORS as exc:
        errors = FormErrors.from_exception(exc, known=UPLOAD_FIELDS)
        return _page(request, session, renderer, actor, errors=errors, chosen=chosen)
    result = {
        "batch": ingested.batch,
        "source": source,
        "file_name": file.filename,
        "line_errors": ingested.result.errors[:50],
    }
    return _page(request, session, renderer, actor, chosen=chosen, result=result)
