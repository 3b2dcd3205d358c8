"""Event sources: register, list, change, rotate their tokens (Arts. 51-52)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Response

from fenghuo.api.deps import ActorDep, SessionDep, requires
from fenghuo.api.errors import PROBLEM_RESPONSES
from fenghuo.api.routes.lists import IdPath, Page, PagingDep
from fenghuo.authority import require, visibility
from fenghuo.monitoring import flows
from fenghuo.monitoring import service as monitoring_service
from fenghuo.monitoring.schemas import SourceCreate, SourceCreated, SourceRead, SourceUpdate

VIEW = "monitoring.sources.view"
MANAGE = flows.MANAGE
router = APIRouter(prefix="/api/v1/sources", tags=["sources"], responses=PROBLEM_RESPONSES)


class SourcePage(Page[SourceRead]):
    """A page of sources, by name."""


@router.get("", summary="Sources within my visibility", dependencies=[Depends(requires(VIEW))])
def list_sources(actor: ActorDep, session: SessionDep, paging: PagingDep) -> SourcePage:
    """Sources whose owner organisation the actor may see."""
    scope = visibility(actor, VIEW)
    sources = monitoring_service.list_(
        session=session, scope=scope, limit=paging.limit, offset=paging.offset
    )
    total = monitoring_service.count(session=session, scope=scope)
    return SourcePage.of([SourceRead.model_validate(s) for s in sources], total, paging)


@router.post(
    "",
    status_code=201,
    summary="Register a source (its token is shown once)",
    dependencies=[Depends(requires(MANAGE))],
)
def create_source(
    source_in: Annotated[SourceCreate, Body()],
    actor: ActorDep,
    session: SessionDep,
    response: Response,
) -> SourceCreated:
    """Register a source for an organisation within the actor's visibility (audited)."""
    source, secret = flows.create_source(session=session, actor=actor, source_in=source_in)
    response.headers["Location"] = f"{router.prefix}/{source.id}"
    return SourceCreated(**SourceRead.model_validate(source).model_dump(), token=secret)


@router.get("/{source_id}", summary="One source", dependencies=[Depends(requires(VIEW))])
def read_source(source_id: IdPath, actor: ActorDep, session: SessionDep) -> SourceRead:
    """The source, if its owner is within the actor's visibility."""
    source = monitoring_service.get_or_raise(session=session, source_id=source_id)
    require(actor, VIEW, flows.source_target(source))
    return SourceRead.model_validate(source)


@router.patch("/{source_id}", summary="Change a source", dependencies=[Depends(requires(MANAGE))])
def update_source(
    source_id: IdPath,
    source_in: Annotated[SourceUpdate, Body()],
    actor: ActorDep,
    session: SessionDep,
) -> SourceRead:
    """Change the format, description or activation (a deactivated source cannot send)."""
    source = flows.update_source(
        session=session, actor=actor, source_id=source_id, source_in=source_in
    )
    return SourceRead.model_validate(source)


@router.post(
    "/{source_id}/token",
    summary="Rotate a source's token (the new one is shown once)",
    dependencies=[Depends(requires(MANAGE))],
)
def rotate_token(source_id: IdPath, actor: ActorDep, session: SessionDep) -> SourceCreated:
    """Revoke the source's token at once and issue a new one."""
    source, secret = flows.rotate_source_token(session=session, actor=actor, source_id=source_id)
    return SourceCreated(**SourceRead.model_validate(source).model_dump(), token=secret)
