"""``fenghuo audit``: the append-only, hash-chained audit trail."""

from __future__ import annotations

import typer

from fenghuo.audit import service as audit_service
from fenghuo.authority import require
from fenghuo.cli.context import cli_actor, open_platform
from fenghuo.cli.errors import fail
from fenghuo.cli.output import stdout

app = typer.Typer(help="The audit trail.", no_args_is_help=True)


@app.command("verify")
def verify(ctx: typer.Context) -> None:
    """Walk the whole hash chain; exit 1 and name the first bad record if it is broken."""
    with open_platform(ctx) as platform, platform.transaction() as session:
        require(cli_actor(platform), "audit.verify")
        result = audit_service.verify(session=session)
    if not result.ok:
        fail(
            f"Audit chain broken: {result.problem} ({result.checked} records before it are intact)"
        )
    stdout().print(f"{result.checked} records, chain intact")
