"""The signed-in user's own account: who they are, where, with which roles and language."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends
from pydantic import BaseModel, Field

from fenghuo.accounts import flows
from fenghuo.accounts import service as accounts_service
from fenghuo.accounts.models import User
from fenghuo.accounts.schemas import OrganisationRead, ProfileUpdate, UserRead
from fenghuo.api.deps import ActorDep, SessionDep, SettingsDep, requires
from fenghuo.api.errors import PROBLEM_RESPONSES
from fenghuo.authority import Actor
from fenghuo.settings import Settings

router = APIRouter(prefix="/api/v1/me", tags=["me"], responses=PROBLEM_RESPONSES)


class MeRead(BaseModel):
    """The actor behind the token, their organisation, roles and language."""

    user: UserRead
    organisation: OrganisationRead
    roles: list[str]
    language: str = Field(description="The user's language, or the deployment's default.")
    token_scopes: list[str] | None = Field(
        description="The actions the presented API token is limited to; null means all."
    )


def _me(actor: Actor, user: User, settings: Settings) -> MeRead:
    return MeRead(
        user=UserRead.model_validate(user),
        organisation=OrganisationRead.model_validate(user.organisation),
        roles=user.roles,
        language=user.language or settings.default_language,
        token_scopes=sorted(actor.token_scopes) if actor.token_scopes is not None else None,
    )


@router.get(
    "",
    summary="Who am I",
    dependencies=[Depends(requires("accounts.profile.view"))],
)
def read_me(actor: ActorDep, session: SessionDep, settings: SettingsDep) -> MeRead:
    """The signed-in user."""
    user = accounts_service.get_user_or_raise(session=session, user_id=actor.user_id or "")
    return _me(actor, user, settings)


@router.patch(
    "",
    summary="Change my name, e-mail, language or password",
    dependencies=[Depends(requires("accounts.profile.update"))],
)
def update_me(
    profile_in: Annotated[ProfileUpdate, Body()],
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
) -> MeRead:
    """Change one's own profile; a new password needs the current one."""
    user = flows.update_profile(session=session, actor=actor, profile_in=profile_in)
    return _me(actor, user, settings)
