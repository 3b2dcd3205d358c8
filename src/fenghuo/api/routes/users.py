"""People: the accounts of organisations within the actor's visibility."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query, Response

from fenghuo.accounts import flows
from fenghuo.accounts import service as accounts_service
from fenghuo.accounts.schemas import UserCreate, UserRead, UserUpdate
from fenghuo.api.deps import ActorDep, SessionDep, requires
from fenghuo.api.errors import PROBLEM_RESPONSES
from fenghuo.api.routes.lists import ID_PATTERN, IdPath, Page, PagingDep, SearchQuery
from fenghuo.authority import Target, require, visibility

VIEW = "accounts.users.view"
router = APIRouter(prefix="/api/v1/users", tags=["users"], responses=PROBLEM_RESPONSES)


class UserPage(Page[UserRead]):
    """A page of people, by username."""


@router.get("", summary="People I may see", dependencies=[Depends(requires(VIEW))])
def list_users(
    actor: ActorDep,
    session: SessionDep,
    paging: PagingDep,
    org_id: Annotated[str | None, Query(pattern=ID_PATTERN)] = None,
    q: SearchQuery = None,
) -> UserPage:
    """People of the organisations the actor's grants reach, by organisation and name."""
    scope = visibility(actor, VIEW)
    users = accounts_service.list_users(
        session=session,
        scope=scope,
        org_id=org_id,
        text=q,
        limit=paging.limit,
        offset=paging.offset,
    )
    total = accounts_service.count_users(session=session, scope=scope, org_id=org_id, text=q)
    return UserPage.of([UserRead.model_validate(u) for u in users], total, paging)


@router.post(
    "",
    status_code=201,
    summary="Create a user account",
    dependencies=[Depends(requires("accounts.users.create"))],
)
def create_user(
    user_in: Annotated[UserCreate, Body()],
    actor: ActorDep,
    session: SessionDep,
    response: Response,
) -> UserRead:
    """Create an account in an organisation within the actor's visibility (audited)."""
    user = flows.create_user(session=session, actor=actor, user_in=user_in)
    response.headers["Location"] = f"{router.prefix}/{user.id}"
    return UserRead.model_validate(user)


@router.get("/{user_id}", summary="One person", dependencies=[Depends(requires(VIEW))])
def read_user(user_id: IdPath, actor: ActorDep, session: SessionDep) -> UserRead:
    """The person, if the actor's grants reach their organisation (403 naming the rule if not)."""
    user = accounts_service.get_user_or_raise(session=session, user_id=user_id)
    require(
        actor,
        VIEW,
        Target(
            org=accounts_service.org_ref(user.organisation), description=f"user {user.username}"
        ),
    )
    return UserRead.model_validate(user)


@router.patch(
    "/{user_id}",
    summary="Change a person's details, roles, activation, lock or password",
    dependencies=[Depends(requires("accounts.users.update"))],
)
def update_user(
    user_id: IdPath,
    user_in: Annotated[UserUpdate, Body()],
    actor: ActorDep,
    session: SessionDep,
) -> UserRead:
    """Change the account (audited, with before and after digests)."""
    user = flows.update_user(session=session, actor=actor, user_id=user_id, user_in=user_in)
    return UserRead.model_validate(user)
