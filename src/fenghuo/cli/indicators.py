"""``fenghuo indicators``: import indicator sets (STIX 2.1 bundles, CSV) and list them."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import select

from fenghuo.accounts.models import Organisation
from fenghuo.authority import visibility
from fenghuo.cli import lookup
from fenghuo.cli.context import cli_actor, open_platform
from fenghuo.cli.errors import fail
from fenghuo.cli.output import stdout
from fenghuo.errors import Invalid
from fenghuo.monitoring import indicators
from fenghuo.monitoring import indicators_service as service
from fenghuo.monitoring.indicators import Tlp

app = typer.Typer(
    help="Indicator sets (IOCs): import STIX 2.1 bundles and CSV, list sets.",
    no_args_is_help=True,
)


def _expires(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        return indicators.parse_time(text)
    except ValueError as exc:
        raise Invalid(f"not an ISO 8601 time: {exc}", field="--expires", rule="time") from None


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(exists=True, dir_okay=False, help="A .json STIX 2.1 bundle or a .csv file."),
    ],
    set_name: Annotated[
        str, typer.Option("--set", help="The set's name; a new name creates the set.")
    ],
    owner: Annotated[
        str | None,
        typer.Option(
            "--owner", help="Owner organisation of a new set (id or name); default: the root."
        ),
    ] = None,
    tlp: Annotated[
        Tlp | None,
        typer.Option(
            "--tlp", help="The set's TLP; default: the file's strictest marking, or AMBER."
        ),
    ] = None,
    expires: Annotated[
        str | None,
        typer.Option("--expires", help="Expiry (ISO 8601) of indicators that carry none."),
    ] = None,
    source: Annotated[
        str | None, typer.Option("--source", help="Where the set comes from.")
    ] = None,
) -> None:
    """Add or refresh a set's indicators in one transaction: a bad CSV row aborts them all."""
    try:
        parsed = indicators.read_file(file.name, file.read_bytes())
    except indicators.IndicatorFileError as exc:
        fail(f"{file.name} {exc.location}: Invalid {exc.field}: {exc.reason}")
    expiry = _expires(expires)
    with open_platform(ctx) as platform, platform.transaction() as session:
        if owner is not None:
            owner_id: str | None = lookup.organisation(session, owner, field="--owner").id
        else:
            owner_id = session.scalar(
                select(Organisation.id).where(Organisation.parent_id.is_(None))
            )
        result = service.import_indicators(
            session=session,
            actor=cli_actor(platform),
            set_name=set_name,
            owner_org_id=owner_id,
            parsed=parsed,
            origin=f"cli: {file.name}",
            tlp=tlp,
            expires=expiry,
            source=source,
        )
        set_tlp = result.indicator_set.tlp
    out = stdout()
    for skipped in result.skipped:
        out.print(f"skipped {skipped.ref}: {skipped.reason}", markup=False)
    out.print(
        f"{set_name} (TLP:{set_tlp}): {result.added} added, {result.updated} refreshed, "
        f"{len(result.skipped)} skipped.",
        markup=False,
    )


@app.command("list")
def list_(ctx: typer.Context) -> None:
    """Every indicator set with its owner, TLP and how many indicators are live."""
    with open_platform(ctx) as platform, platform.transaction() as session:
        found = service.list_sets(
            session=session, scope=visibility(cli_actor(platform), service.VIEW)
        )
        table = Table("set", "owner", "TLP", "indicators", "live", "source")
        for indicator_set, total, live in found:
            table.add_row(
                indicator_set.name,
                indicator_set.owner.name_en,
                indicator_set.tlp,
                str(total),
                str(live),
                indicator_set.source,
            )
    stdout().print(table)
