"""``fenghuo users``: accounts, created through the audited accounts flows."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from fenghuo.accounts import flows as accounts_flows
from fenghuo.accounts.schemas import UserCreate, UserUpdate
from fenghuo.cli import lookup
from fenghuo.cli.context import cli_actor, open_platform
from fenghuo.cli.errors import validated
from fenghuo.cli.output import stdout
from fenghuo.errors import Invalid

app = typer.Typer(help="User accounts.", no_args_is_help=True)


@app.command("create")
def create(
    ctx: typer.Context,
    username: Annotated[str, typer.Option(help="Sign-in name: a-z, 0-9, '.', '_', '-'.")],
    org: Annotated[str, typer.Option(help="The organisation: its id or its name.")],
    role: Annotated[list[str], typer.Option(help="A role; repeat for several.")],
    display_name: Annotated[
        str | None, typer.Option(help="The person's name as shown; default the username.")
    ] = None,
    email: Annotated[str | None, typer.Option(help="E-mail address.")] = None,
    language: Annotated[
        str | None, typer.Option(help="zh or en; default the deployment's.")
    ] = None,
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin", help="Read the password from the first line of standard input."
        ),
    ] = False,
) -> None:
    """Create an account; the password comes from standard input or a hidden prompt."""
    password = read_password(from_stdin=password_stdin)
    with open_platform(ctx) as platform, platform.transaction() as session:
        organisation = lookup.organisation(session, org, field="org")
        user_in = validated(
            UserCreate,
            username=username,
            display_name=display_name or username,
            org_id=organisation.id,
            roles=role,
            password=password,
            email=email,
            language=language,
        )
        user = accounts_flows.create_user(
            session=session, actor=cli_actor(platform), user_in=user_in
        )
        summary = (
            f"Created user {user.username} ({', '.join(user.roles)}) in "
            f"{organisation.name_zh} / {organisation.name_en}; id {user.id}"
        )
    stdout().print(summary, markup=False, soft_wrap=True)


@app.command("unlock")
def unlock(
    ctx: typer.Context,
    username: Annotated[str, typer.Option(help="The locked account's username.")],
) -> None:
    """Lift a lock left by too many failed sign-ins, before it runs out."""
    with open_platform(ctx) as platform, platform.transaction() as session:
        user = lookup.user(session, username)
        accounts_flows.update_user(
            session=session,
            actor=cli_actor(platform),
            user_id=user.id,
            user_in=UserUpdate(unlock=True),
        )
        name = user.username
    stdout().print(f"Unlocked {name}; failed sign-ins reset to 0.", markup=False)


def read_password(*, from_stdin: bool) -> str:
    """The new password: one line of standard input, or typed twice at a hidden prompt."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise Invalid(
                "standard input had no password", field="password", rule="password-required"
            )
        return password
    if not sys.stdin.isatty():
        raise Invalid(
            "there is no terminal to ask for the password; pipe it in with --password-stdin",
            field="password",
            rule="password-required",
        )
    typed: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return typed
