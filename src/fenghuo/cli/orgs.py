"""``fenghuo orgs``: the organisation tree; bulk import from YAML or CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from fenghuo.accounts import flows as accounts_flows
from fenghuo.accounts.models import Organisation
from fenghuo.accounts.schemas import OrganisationCreate
from fenghuo.authority import Actor
from fenghuo.cli import lookup
from fenghuo.cli.context import cli_actor, open_platform
from fenghuo.cli.errors import AtLocation, validated
from fenghuo.cli.org_rows import OrgRow, read_rows
from fenghuo.cli.output import stdout
from fenghuo.errors import Conflict, FenghuoError, Invalid

app = typer.Typer(help="The organisation tree.", no_args_is_help=True)

ImportFile = Annotated[
    Path,
    typer.Argument(
        exists=True, dir_okay=False, readable=True, help="A .yaml/.yml or .csv file of rows."
    ),
]


@app.command("import")
def import_(ctx: typer.Context, file: ImportFile) -> None:
    """Create organisations from a file, all in one transaction: a bad row aborts them all."""
    rows = read_rows(file)
    with open_platform(ctx) as platform, platform.transaction() as session:
        created = import_rows(session, cli_actor(platform), rows)
        table = _created_table(created)
    console = stdout()
    console.print(table)
    console.print(f"Imported {len(created)} organisations from {file.name}.", markup=False)


def import_rows(session: Session, actor: Actor, rows: list[OrgRow]) -> list[Organisation]:
    """Create each row's organisation through the audited flow; name the row that fails."""
    created = []
    for row in rows:
        try:
            created.append(_import_row(session, actor, row))
        except AtLocation:
            raise
        except FenghuoError as exc:
            if isinstance(exc, Invalid | Conflict) and exc.field == "parent_id":
                exc.field = "parent"
            column = getattr(exc, "field", None)
            raise AtLocation(row.where(column), exc) from exc
    return created


def _import_row(session: Session, actor: Actor, row: OrgRow) -> Organisation:
    values = dict(row.values)
    parent_ref = values.pop("parent", None)
    parent = None
    if parent_ref:
        try:
            parent = lookup.organisation(session, str(parent_ref), field="parent")
        except FenghuoError as exc:
            raise AtLocation(row.where("parent"), exc) from exc
    org_in = validated(OrganisationCreate, **values, parent_id=parent.id if parent else None)
    lookup.refuse_taken_name(session, org_in.name_en)
    return accounts_flows.create_organisation(session=session, actor=actor, org_in=org_in)


def _created_table(created: list[Organisation]) -> Table:
    table = Table(title="Imported organisations", title_justify="left")
    for column in ("name", "English name", "kind", "sector", "region", "CII"):
        table.add_column(column)
    for org in created:
        table.add_row(
            org.name_zh,
            org.name_en,
            org.kind,
            org.sector_code or "",
            org.region_code or "",
            "yes" if org.is_cii else "",
        )
    return table
