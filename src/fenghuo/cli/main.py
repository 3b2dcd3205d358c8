"""The root ``fenghuo`` command: global options and one sub-app per command group."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from fenghuo import __version__
from fenghuo.cli import (
    assets,
    audit,
    db,
    demo,
    detect,
    hunt,
    indicators,
    ingest,
    notifications,
    orgs,
    plans,
    rules,
    run,
    serve,
    sources,
    tokens,
    users,
    vulns,
    warnings,
    worker,
)
from fenghuo.cli.context import CliState
from fenghuo.cli.errors import FenghuoGroup

app = typer.Typer(
    cls=FenghuoGroup,
    name="fenghuo",
    help="Fenghuo (烽火): monitoring, early warning and emergency response under Chapter V "
    "of the PRC Cybersecurity Law. Settings come from FENGHUO_* environment variables.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"fenghuo {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir",
            file_okay=False,
            help="Data directory (SQLite file, secret key); overrides FENGHUO_DATA_DIR.",
        ),
    ] = None,
    version: Annotated[  # noqa: ARG001 (handled by its eager callback)
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version."
        ),
    ] = False,
) -> None:
    """Fenghuo's command line; every change is made as the local operator and audited."""
    ctx.obj = CliState(data_dir=data_dir)


app.command("run")(run.run)
app.command("serve")(serve.serve)
app.add_typer(db.app, name="db")
app.add_typer(orgs.app, name="orgs")
app.add_typer(users.app, name="users")
app.add_typer(tokens.app, name="tokens")
app.add_typer(audit.app, name="audit")
app.add_typer(demo.app, name="demo")
app.command("detect")(detect.detect)
app.add_typer(rules.app, name="rules")
app.command("hunt")(hunt.hunt)
app.command("ingest")(ingest.ingest)
app.add_typer(sources.app, name="sources")
app.add_typer(assets.app, name="assets")
app.add_typer(indicators.app, name="indicators")
app.add_typer(vulns.app, name="vulns")
app.add_typer(worker.app, name="worker")
app.add_typer(notifications.app, name="notifications")
app.add_typer(plans.app, name="plans")
app.add_typer(warnings.app, name="warnings")
