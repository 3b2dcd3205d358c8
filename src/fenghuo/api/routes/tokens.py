"""One's own long-lived API tokens: named, scoped to actions, revocable, shown once."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Response

from fenghuo.accounts import credentials
from fenghuo.accounts.schemas import TokenCreate, TokenIssued, TokenRead
from fenghuo.api.deps import ActorDep, SessionDep, requires
from fenghuo.api.errors import PROBLEM_RESPONSES
from fenghuo.api.routes.lists import IdPath, Page, PagingDep

router = APIRouter(
    prefix="/api/v1/tokens",
    tags=["tokens"],
    responses=PROBLEM_RESPONSES,
    dependencies=[Depends(requires("accounts.tokens.manage"))],
)


class TokenPage(Page[TokenRead]):
    """A page of API tokens, newest first (never their secrets)."""


@router.get("", summary="My API tokens")
def list_tokens(actor: ActorDep, session: SessionDep, paging: PagingDep) -> TokenPage:
    """The actor's own API tokens, revoked ones included."""
    tokens = credentials.list_api_tokens(session=session, actor=actor)
    window = tokens[paging.offset : paging.offset + paging.limit]
    return TokenPage.of([TokenRead.model_validate(t) for t in window], len(tokens), paging)


@router.post("", status_code=201, summary="Create an API token (the secret is shown once)")
def create_token(
    token_in: Annotated[TokenCreate, Body()],
    actor: ActorDep,
    session: SessionDep,
) -> TokenIssued:
    """Create a named token, limited to ``scopes`` (actions, or ``domain.*``) when given."""
    credential, secret = credentials.create_api_token(
        session=session, actor=actor, token_in=token_in
    )
    read = TokenRead.model_validate(credential)
    return TokenIssued(**read.model_dump(), token=secret)


@router.delete("/{token_id}", status_code=204, response_class=Response, summary="Revoke")
def revoke_token(token_id: IdPath, actor: ActorDep, session: SessionDep) -> None:
    """Revoke one of the actor's API tokens at once (audited)."""
    credentials.revoke_api_token(session=session, actor=actor, token_id=token_id)
