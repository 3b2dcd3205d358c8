"""Indicator sets (IOCs): import STIX 2.1 bundles and CSV, list sets and indicators."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends

from fenghuo.api.deps import ActorDep, SessionDep, requires
from fenghuo.api.errors import PROBLEM_RESPONSES
from fenghuo.api.routes.lists import IdPath, Page, PagingDep
from fenghuo.authority import require, visibility
from fenghuo.errors import Invalid
from fenghuo.monitoring import indicators
from fenghuo.monitoring import indicators_service as service
from fenghuo.monitoring.indicators_schemas import (
    IndicatorImport,
    IndicatorImported,
    IndicatorRead,
    IndicatorSetRead,
    SkippedRead,
)

router = APIRouter(
    prefix="/api/v1/indicator-sets", tags=["indicators"], responses=PROBLEM_RESPONSES
)


class IndicatorSetPage(Page[IndicatorSetRead]):
    """A page of indicator sets, by name."""


class IndicatorPage(Page[IndicatorRead]):
    """A page of a set's indicators, by type and value."""


@router.get(
    "",
    summary="Indicator sets within my visibility",
    dependencies=[Depends(requires(service.VIEW))],
)
def list_sets(actor: ActorDep, session: SessionDep, paging: PagingDep) -> IndicatorSetPage:
    """Sets whose owner the actor may see, with their indicator counts."""
    found = service.list_sets(session=session, scope=visibility(actor, service.VIEW))
    window = found[paging.offset : paging.offset + paging.limit]
    items = [
        IndicatorSetRead.model_validate(s).model_copy(update={"indicators": n, "live": live})
        for s, n, live in window
    ]
    return IndicatorSetPage.of(items, len(found), paging)


@router.post(
    "",
    summary="Import indicators into a set (a new name creates it)",
    dependencies=[Depends(requires(service.MANAGE))],
)
def import_indicators(
    body: Annotated[IndicatorImport, Body()], actor: ActorDep, session: SessionDep
) -> IndicatorImported:
    """One transaction: a bad CSV row refuses the whole import, naming its line and field;
    STIX indicators whose pattern is not supported are skipped and listed with the reason."""
    try:
        if body.stix is not None:
            parsed = indicators.read_bundle(body.stix)
            origin = "api: STIX bundle"
        else:
            parsed = indicators.read_csv(body.csv or "")
            origin = "api: CSV"
    except indicators.IndicatorFileError as exc:
        raise Invalid(
            f"{exc.location}: {exc.reason}", field=f"{exc.location}: {exc.field}", rule="indicator"
        ) from None
    result = service.import_indicators(
        session=session,
        actor=actor,
        set_name=body.set,
        owner_org_id=body.owner_org_id,
        parsed=parsed,
        origin=origin,
        tlp=body.tlp,
        expires=body.expires,
        source=body.source,
        description=body.description,
    )
    return IndicatorImported(
        set_id=result.indicator_set.id,
        set=result.indicator_set.name,
        created=result.created,
        added=result.added,
        updated=result.updated,
        skipped=[SkippedRead(ref=s.ref, reason=s.reason) for s in result.skipped],
    )


@router.get(
    "/{set_id}/indicators",
    summary="The indicators of a set",
    dependencies=[Depends(requires(service.VIEW))],
)
def list_indicators(
    set_id: IdPath, actor: ActorDep, session: SessionDep, paging: PagingDep
) -> IndicatorPage:
    """A page of the set's indicators, expired ones included (see valid_until)."""
    indicator_set = service.get_set_or_raise(session=session, set_id=set_id)
    require(actor, service.VIEW, service.set_target(indicator_set))
    rows, total = service.list_indicators(
        session=session, set_id=set_id, limit=paging.limit, offset=paging.offset
    )
    return IndicatorPage.of([IndicatorRead.model_validate(r) for r in rows], total, paging)
