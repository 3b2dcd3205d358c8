"""``fenghuo sources``: register event sources and rotate their tokens."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from fenghuo.authority import visibility
from fenghuo.cli import lookup
from fenghuo.cli.context import cli_actor, open_platform
from fenghuo.cli.errors import fail, validated
from fenghuo.cli.output import stderr, stdout
from fenghuo.monitoring import flows
from fenghuo.monitoring import service as monitoring_service
from fenghuo.monitoring.schemas import SourceCreate

app = typer.Typer(help="Event sources (sensors, log shippers, sector feeds).", no_args_is_help=True)


@app.command("create")
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Unique name, lower case, e.g. 'gd-power-sysmon'.")],
    org: Annotated[str, typer.Option(help="Owner organisation: its id or name.")],
    kind: Annotated[str, typer.Option(help="sensor, shipper or feed.")] = "shipper",
    format: Annotated[  # noqa: A002 (the option's public name)
        str, typer.Option(help="auto, evtx_json, windows_json, suricata_eve, syslog_5424/3164.")
    ] = "auto",
    description: Annotated[str, typer.Option(help="What the source sends.")] = "",
) -> None:
    """Register a source and print its API token once (on standard output)."""
    with open_platform(ctx) as platform, platform.transaction() as session:
        owner = lookup.organisation(session, org, field="org")
        source_in = validated(
            SourceCreate,
            name=name,
            kind=kind,
            format=format,
            owner_org_id=owner.id,
            description=description,
        )
        source, secret = flows.create_source(
            session=session, actor=cli_actor(platform), source_in=source_in
        )
        note = (
            f"Source {source.name} ({source.kind}, {source.format}) of {owner.name_en}: its token "
            "is shown once; store it now."
        )
    stderr().print(note, markup=False, soft_wrap=True)
    typer.echo(secret)


@app.command("list")
def list_(ctx: typer.Context) -> None:
    """Every registered source."""
    with open_platform(ctx) as platform, platform.transaction() as session:
        actor = cli_actor(platform)
        sources = monitoring_service.list_(
            session=session, scope=visibility(actor, "monitoring.sources.view")
        )
        table = Table("name", "kind", "format", "owner", "active")
        for source in sources:
            active = "yes" if source.is_active else "no"
            table.add_row(source.name, source.kind, source.format, source.owner.name_en, active)
    stdout().print(table)


@app.command("rotate-token")
def rotate_token(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="The source's name.")]
) -> None:
    """Revoke a source's token and print a new one once."""
    with open_platform(ctx) as platform, platform.transaction() as session:
        source = monitoring_service.get_by_name(session=session, name=name)
        if source is None:
            fail(f"No source is called {name!r}.")
        _, secret = flows.rotate_source_token(
            session=session, actor=cli_actor(platform), source_id=source.id
        )
    stderr().print(f"New token of source {name}; the old one no longer works.", markup=False)
    typer.echo(secret)
