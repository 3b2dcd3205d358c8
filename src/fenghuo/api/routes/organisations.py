"""Organisations: the tree, seen through the actor's visibility (Arts. 51-55)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Response

from fenghuo.accounts import flows
from fenghuo.accounts import service as accounts_service
from fenghuo.accounts.enums import OrgKind
from fenghuo.accounts.models import Organisation
from fenghuo.accounts.schemas import OrganisationCreate, OrganisationRead, OrganisationUpdate
from fenghuo.api.deps import ActorDep, SessionDep, requires
from fenghuo.api.errors import PROBLEM_RESPONSES
from fenghuo.api.routes.lists import IdPath, Page, PagingDep, SearchQuery
from fenghuo.authority import Actor, Target, require, visibility

VIEW = "accounts.orgs.view"
router = APIRouter(
    prefix="/api/v1/organisations", tags=["organisations"], responses=PROBLEM_RESPONSES
)


class OrganisationPage(Page[OrganisationRead]):
    """A page of organisations, in tree order."""


def _page(
    actor: Actor,
    session: SessionDep,
    paging: PagingDep,
    *,
    kind: OrgKind | None = None,
    q: str | None = None,
    parent_id: str | None = None,
) -> OrganisationPage:
    scope = visibility(actor, VIEW)
    kind_value = kind.value if kind else None
    orgs = accounts_service.list_orgs(
        session=session,
        scope=scope,
        kind=kind_value,
        text=q,
        parent_id=parent_id,
        limit=paging.limit,
        offset=paging.offset,
    )
    counts = accounts_service.count_orgs(
        session=session, scope=scope, kind=kind_value, text=q, parent_id=parent_id
    )
    total = sum(counts.values())
    return OrganisationPage.of([OrganisationRead.model_validate(o) for o in orgs], total, paging)


def _visible(session: SessionDep, actor: Actor, org_id: str) -> Organisation:
    org = accounts_service.get_or_raise(session=session, org_id=org_id)
    require(actor, VIEW, Target(org=accounts_service.org_ref(org)))
    return org


@router.get(
    "", summary="Organisations within my visibility", dependencies=[Depends(requires(VIEW))]
)
def list_organisations(
    actor: ActorDep,
    session: SessionDep,
    paging: PagingDep,
    kind: OrgKind | None = None,
    q: SearchQuery = None,
) -> OrganisationPage:
    """Organisations the actor may see, filtered by kind and by part of a name."""
    return _page(actor, session, paging, kind=kind, q=q)


@router.post(
    "",
    status_code=201,
    summary="Create an organisation",
    dependencies=[Depends(requires("accounts.orgs.create"))],
)
def create_organisation(
    org_in: Annotated[OrganisationCreate, Body()],
    actor: ActorDep,
    session: SessionDep,
    response: Response,
) -> OrganisationRead:
    """Create an organisation below a parent within the actor's visibility (audited)."""
    org = flows.create_organisation(session=session, actor=actor, org_in=org_in)
    response.headers["Location"] = f"{router.prefix}/{org.id}"
    return OrganisationRead.model_validate(org)


@router.get("/{org_id}", summary="One organisation", dependencies=[Depends(requires(VIEW))])
def read_organisation(org_id: IdPath, actor: ActorDep, session: SessionDep) -> OrganisationRead:
    """The organisation, if it is within the actor's visibility (403 naming the rule if not)."""
    return OrganisationRead.model_validate(_visible(session, actor, org_id))


@router.patch(
    "/{org_id}",
    summary="Change an organisation",
    dependencies=[Depends(requires("accounts.orgs.update"))],
)
def update_organisation(
    org_id: IdPath,
    org_in: Annotated[OrganisationUpdate, Body()],
    actor: ActorDep,
    session: SessionDep,
) -> OrganisationRead:
    """Change the organisation (audited, with before and after digests)."""
    org = flows.update_organisation(session=session, actor=actor, org_id=org_id, org_in=org_in)
    return OrganisationRead.model_validate(org)


@router.get(
    "/{org_id}/children",
    summary="The organisations directly below one",
    dependencies=[Depends(requires(VIEW))],
)
def list_children(
    org_id: IdPath, actor: ActorDep, session: SessionDep, paging: PagingDep
) -> OrganisationPage:
    """The visible children of a visible organisation."""
    parent = _visible(session, actor, org_id)
    return _page(actor, session, paging, parent_id=parent.id)
