"""``fenghuo assets``: the asset registry (CIDR ranges and host names of organisations)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from rich.table import Table

from fenghuo.authority import visibility
from fenghuo.cli import lookup
from fenghuo.cli.context import cli_actor, open_platform
from fenghuo.cli.errors import AtLocation, fail, validated
from fenghuo.cli.output import stdout
from fenghuo.errors import FenghuoError
from fenghuo.monitoring import assets
from fenghuo.monitoring.schemas import AssetCreate

app = typer.Typer(
    help="The asset registry: whose ranges and hosts are whose.", no_args_is_help=True
)


def read_rows(file: Path) -> list[dict[str, Any]]:
    """Rows of a .csv (header: org,cidr,host,description) or a .yaml/.yml list of mappings."""
    text = file.read_text("utf-8")
    if file.suffix.lower() == ".csv":
        return [
            {k: v for k, v in row.items() if v not in (None, "")}
            for row in csv.DictReader(text.splitlines())
        ]
    if file.suffix.lower() not in {".yaml", ".yml"}:
        fail(f"{file.name}: give a .csv, .yaml or .yml file.")
    rows = yaml.safe_load(text) or []
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        fail(f"{file.name}: the YAML must be a list of mappings (org, cidr or host, description).")
    return rows


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="A .csv or .yaml file.")
    ],
) -> None:
    """Add or re-assign registry entries, all in one transaction: a bad row aborts them all."""
    rows = read_rows(file)
    with open_platform(ctx) as platform, platform.transaction() as session:
        validated_rows = []
        for number, row in enumerate(rows, start=1):
            values = dict(row)
            try:
                org = lookup.organisation(session, str(values.pop("org", "")), field="org")
                validated_rows.append(validated(AssetCreate, org_id=org.id, **values))
            except FenghuoError as exc:
                raise AtLocation(f"{file.name} row {number}", exc) from exc
        changed = assets.import_assets(
            session=session, actor=cli_actor(platform), rows=validated_rows
        )
    stdout().print(f"{len(rows)} rows read, {changed} added or changed.", markup=False)


@app.command("list")
def list_(ctx: typer.Context) -> None:
    """Every registry entry with its organisation."""
    with open_platform(ctx) as platform, platform.transaction() as session:
        actor = cli_actor(platform)
        found = assets.list_(session=session, scope=visibility(actor, "monitoring.assets.view"))
        table = Table("kind", "value", "organisation", "sector", "region", "CII")
        for asset in found:
            org = asset.organisation
            table.add_row(
                asset.kind,
                asset.value,
                org.name_en,
                org.sector_code or "",
                org.region_code or "",
                "yes" if org.is_cii else "",
            )
    stdout().print(table)
