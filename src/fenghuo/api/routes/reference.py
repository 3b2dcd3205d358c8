"""Reference data the forms offer: sectors (Art. 52), GB/T 2260 regions, roles."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from fenghuo.accounts import policy as accounts_policy
from fenghuo.api.deps import ActorDep, requires
from fenghuo.api.errors import PROBLEM_RESPONSES
from fenghuo.api.routes.lists import Page, Paging, PagingDep

router = APIRouter(
    prefix="/api/v1/reference",
    tags=["reference"],
    responses=PROBLEM_RESPONSES,
    dependencies=[Depends(requires("accounts.reference.view"))],
)


class ReferenceItem(BaseModel):
    """A code and its names in Chinese and English."""

    code: str
    zh: str
    en: str


class ReferencePage(Page[ReferenceItem]):
    """A page of reference codes, in code order."""


def _page(names: Mapping[str, Mapping[str, str]], paging: Paging) -> ReferencePage:
    items = [
        ReferenceItem(code=code, zh=labels["zh"], en=labels["en"])
        for code, labels in sorted(names.items())
    ]
    window = items[paging.offset : paging.offset + paging.limit]
    return ReferencePage.of(window, len(items), paging)


@router.get("/sectors", summary="Sector codes")
def list_sectors(paging: PagingDep) -> ReferencePage:
    """The sectors of protection departments and critical information infrastructure."""
    return _page(accounts_policy.sectors(), paging)


@router.get("/regions", summary="GB/T 2260 province-level regions")
def list_regions(paging: PagingDep) -> ReferencePage:
    """Province-level divisions; an operator's region code starts with its province's digits."""
    return _page(accounts_policy.regions(), paging)


@router.get("/roles", summary="Roles a user may hold")
def list_roles(actor: ActorDep, paging: PagingDep) -> ReferencePage:
    """The roles of this deployment's authority rules."""
    return _page(actor.policy.roles, paging)
