"""``fenghuo tokens``: long-lived API tokens, stored hashed and shown once."""

from __future__ import annotations

from typing import Annotated

import typer

from fenghuo.accounts import credentials
from fenghuo.accounts.schemas import TokenCreate
from fenghuo.cli import lookup
from fenghuo.cli.context import cli_actor, open_platform
from fenghuo.cli.errors import validated
from fenghuo.cli.output import stderr, stdout

app = typer.Typer(help="API tokens.", no_args_is_help=True)


@app.command("create")
def create(
    ctx: typer.Context,
    user: Annotated[str, typer.Option(help="Username of the token's owner.")],
    name: Annotated[str, typer.Option(help="What the token is for, e.g. 'sensor-gateway'.")],
    scope: Annotated[
        list[str] | None,
        typer.Option(help="An action (or 'domain.*') the token may take; repeat. None: all."),
    ] = None,
    days: Annotated[int, typer.Option(min=1, max=3650, help="Days until it expires.")] = 365,
) -> None:
    """Create an API token for a user and print its secret once (on standard output)."""
    with open_platform(ctx) as platform, platform.transaction() as session:
        owner = lookup.user(session, user)
        token_in = validated(TokenCreate, name=name, scopes=scope or None, expires_in_days=days)
        credential, secret = credentials.create_api_token(
            session=session, actor=cli_actor(platform), token_in=token_in, for_user_id=owner.id
        )
        scopes = ", ".join(credential.scopes) if credential.scopes else "all actions"
        expires = f"{credential.expires_at:%Y-%m-%d}" if credential.expires_at else "never"
        note = (
            f"API token {credential.name!r} (prefix {credential.prefix}) for {owner.username}: "
            f"{scopes}; expires {expires}. It is shown once; store it now."
        )
    stderr().print(note, markup=False, soft_wrap=True)
    typer.echo(secret)


@app.command("revoke")
def revoke(
    ctx: typer.Context,
    token: Annotated[str, typer.Argument(help="The token's id or its prefix (fht_…).")],
) -> None:
    """Revoke an API token at once; it stops working on the next request."""
    with open_platform(ctx) as platform, platform.transaction() as session:
        found = lookup.api_token(session, token)
        credentials.revoke_api_token(session=session, actor=cli_actor(platform), token_id=found.id)
        note = f"Revoked API token {found.name!r} (prefix {found.prefix}) of {found.user.username}."
    stdout().print(note, markup=False, soft_wrap=True)
