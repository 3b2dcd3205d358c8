"""The asset registry: whose ranges and host names are whose (Art. 51)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends

from fenghuo.api.deps import ActorDep, SessionDep, requires
from fenghuo.api.errors import PROBLEM_RESPONSES
from fenghuo.api.routes.lists import Page, PagingDep
from fenghuo.authority import visibility
from fenghuo.monitoring import assets
from fenghuo.monitoring.schemas import AssetCreate, AssetImported, AssetRead

VIEW = "monitoring.assets.view"
router = APIRouter(prefix="/api/v1/assets", tags=["assets"], responses=PROBLEM_RESPONSES)


class AssetPage(Page[AssetRead]):
    """A page of registry entries, by kind and value."""


@router.get(
    "", summary="The asset registry within my visibility", dependencies=[Depends(requires(VIEW))]
)
def list_assets(actor: ActorDep, session: SessionDep, paging: PagingDep) -> AssetPage:
    """Entries of organisations the actor may see."""
    found = assets.list_(session=session, scope=visibility(actor, VIEW), limit=100_000)
    window = found[paging.offset : paging.offset + paging.limit]
    return AssetPage.of([AssetRead.model_validate(a) for a in window], len(found), paging)


@router.post(
    "",
    summary="Import registry entries (add or re-assign)",
    dependencies=[Depends(requires(assets.MANAGE))],
)
def import_assets(
    rows: Annotated[list[AssetCreate], Body(min_length=1, max_length=10_000)],
    actor: ActorDep,
    session: SessionDep,
) -> AssetImported:
    """Add or re-assign entries; each row's organisation must be within reach (audited once)."""
    changed = assets.import_assets(session=session, actor=actor, rows=rows)
    return AssetImported(rows=len(rows), changed=changed)
