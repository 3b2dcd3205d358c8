"""``fenghuo run``: the whole platform on the embedded default, in one process.

Migrate, seed the demo world once (when the tree is empty), print the demo logins, serve.
"""

from __future__ import annotations

from typing import Annotated

import typer

from fenghuo import demo
from fenghuo.cli.context import cli_actor, open_platform
from fenghuo.cli.output import logins_table, stdout
from fenghuo.cli.serve import Host, Port, serve_platform
from fenghuo.store import migrations

Demo = Annotated[
    bool,
    typer.Option(
        "--demo/--no-demo", help="Seed the demo world when the database has no organisation."
    ),
]


def run(
    ctx: typer.Context, host: Host = "127.0.0.1", port: Port = 8000, with_demo: Demo = True
) -> None:
    """Migrate, seed the demo once, print its logins, and serve on http://127.0.0.1:8000."""
    with open_platform(ctx) as platform:
        migrations.upgrade(platform.engine)
        if with_demo:
            with platform.transaction() as session:
                logins = demo.seed(session, cli_actor(platform))
            if logins:
                console = stdout()
                console.print(logins_table(logins, width=console.width))
        serve_platform(platform, host=host, port=port)
