"""Typed dependencies: the platform, one transaction per request, the actor, the action."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from fenghuo.accounts import credentials
from fenghuo.accounts.enums import CredentialKind
from fenghuo.accounts.models import Credential
from fenghuo.authority import Actor, ActorKind, require
from fenghuo.errors import Unauthenticated
from fenghuo.platform import Platform
from fenghuo.settings import Settings

BEARER_KINDS = frozenset({CredentialKind.access, CredentialKind.api})
_bearer = HTTPBearer(auto_error=False, description="An access token or an API token")
# For ``openapi_extra`` of routes whose action is public: they answer without a token too
# (``{}`` is OpenAPI's empty security requirement, added beside the bearer one).
OPTIONAL_BEARER: dict[str, Any] = {"security": [{}]}


def get_platform(request: Request) -> Platform:
    """The platform the app was built with."""
    platform: Platform = request.app.state.platform
    return platform


PlatformDep = Annotated[Platform, Depends(get_platform)]


def get_settings(platform: PlatformDep) -> Settings:
    """The app's settings."""
    return platform.settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


def get_session(platform: PlatformDep) -> Iterator[Session]:
    """One transaction per request: committed when the route returns, rolled back if it raises."""
    with platform.session_factory.begin() as session:
        yield session


# scope="function": the transaction ends (commit or rollback) before the response is sent, so a
# client never sees a success whose commit then failed, nor reads ahead of its own write.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def get_actor(
    request: Request,
    platform: PlatformDep,
    session: SessionDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    """The actor behind the bearer token, or anonymous; a bad token is refused outright."""
    if bearer is None:
        cached: Actor | None = getattr(request.state, "actor", None)
        return cached or Actor.anonymous(platform.policy)
    found = credentials.authenticate(
        session=session, policy=platform.policy, secret=bearer.credentials, kinds=BEARER_KINDS
    )
    if found is None:
        raise Unauthenticated("the bearer token is unknown, expired or revoked")
    request.state.actor, request.state.credential = found
    return found[0]


ActorDep = Annotated[Actor, Depends(get_actor)]


def get_credential(request: Request, actor: ActorDep) -> Credential | None:
    """The access or API token the actor presented (None for anonymous or a console session)."""
    del actor  # depended upon so that the bearer token is checked first
    credential: Credential | None = getattr(request.state, "credential", None)
    return credential


CredentialDep = Annotated[Credential | None, Depends(get_credential)]


class Requires:
    """Route dependency naming the authority action a route needs (checked without a target).

    Flows check the same action again against the concrete target; this first check
    refuses early and lets a test prove that every route declares its action.
    """

    def __init__(self, action: str) -> None:
        self.action = action

    def __call__(self, actor: ActorDep) -> Actor:
        if actor.kind is ActorKind.anonymous and not actor.policy.action(self.action).public:
            raise Unauthenticated(f"{self.action} needs a signed-in user")
        require(actor, self.action)
        return actor


def requires(action: str) -> Requires:
    """The dependency for ``action``; use as ``Depends(requires("accounts.orgs.view"))``."""
    return Requires(action)
