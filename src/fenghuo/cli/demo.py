"""``fenghuo demo``: the demo world."""

from __future__ import annotations

import typer

from fenghuo import demo
from fenghuo.cli.context import cli_actor, open_platform
from fenghuo.cli.output import logins_table, stdout
from fenghuo.demo.world import ORGANISATIONS

app = typer.Typer(help="The demo world.", no_args_is_help=True)


@app.command("seed")
def seed(ctx: typer.Context) -> None:
    """Create the demo organisations and accounts, once; print the demo logins."""
    with open_platform(ctx) as platform, platform.transaction() as session:
        already = demo.is_seeded(session)
        logins = demo.seed(session, cli_actor(platform), platform.settings)
    console = stdout()
    if already:
        console.print("The tree already has its national coordinator: nothing changed.")
    else:
        console.print(
            f"Demo world created: {len(ORGANISATIONS)} organisations, {len(logins)} accounts."
        )
    if logins:
        console.print(logins_table(logins, width=console.width))
