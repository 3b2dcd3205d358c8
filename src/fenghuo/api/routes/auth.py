"""Sign-in for API clients: the OAuth2 password flow gives a short-lived access token.

A failed sign-in is itself a state change (the failure counter, perhaps a lock), so the
refusal is *returned*, not raised: the request's transaction commits it, then the client
reads 401. Raising would roll the counter back and make the lock unreachable.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from fenghuo.accounts import credentials
from fenghuo.accounts.enums import CredentialKind
from fenghuo.accounts.schemas import AccessToken
from fenghuo.api.deps import (
    OPTIONAL_BEARER,
    ActorDep,
    CredentialDep,
    PlatformDep,
    SessionDep,
    requires,
)
from fenghuo.api.errors import PROBLEM_RESPONSES, problem
from fenghuo.api.routes.lists import PLAIN_TEXT
from fenghuo.errors import Invalid

router = APIRouter(prefix="/api/v1/auth", tags=["auth"], responses=PROBLEM_RESPONSES)


class PasswordForm(BaseModel):
    """The OAuth2 password grant (RFC 6749 §4.3), as a form."""

    grant_type: Literal["password"] | None = Field(
        default=None, description="`password` (optional)."
    )
    username: str = Field(min_length=1, max_length=200, pattern=PLAIN_TEXT)
    password: str = Field(min_length=1, max_length=200)
    scope: str = Field(default="", max_length=1000, description="Ignored.")


@router.post(
    "/token",
    response_model=AccessToken,
    summary="Sign in: exchange a username and password for an access token",
    dependencies=[Depends(requires("accounts.session.login"))],
    openapi_extra=OPTIONAL_BEARER,
)
def issue_token(
    form: Annotated[PasswordForm, Form()], platform: PlatformDep, session: SessionDep
) -> AccessToken | JSONResponse:
    """Check the password; count a failure (and lock after too many) or issue a token."""
    outcome = credentials.login(
        session=session,
        policy=platform.policy,
        settings=platform.settings,
        username=form.username,
        password=form.password,
        kind=CredentialKind.access,
    )
    if not outcome.ok or outcome.secret is None:
        return problem(401, "unauthenticated", "unauthenticated", outcome.reason, rule=outcome.rule)
    return AccessToken(
        access_token=outcome.secret, expires_in=platform.settings.access_token_minutes * 60
    )


@router.post(
    "/logout",
    status_code=204,
    response_class=Response,
    summary="Sign out: revoke the access token presented",
    dependencies=[Depends(requires("accounts.session.logout"))],
)
def logout(actor: ActorDep, credential: CredentialDep, session: SessionDep) -> None:
    """Revoke the bearer access token of this request; API tokens are revoked under /tokens."""
    if credential is None or credential.kind != CredentialKind.access.value:
        raise Invalid(
            "only an access token signs out; revoke an API token with DELETE /api/v1/tokens/{id}",
            field="Authorization",
            rule="access-token-only",
        )
    credentials.logout(session=session, actor=actor, credential_id=credential.id)
