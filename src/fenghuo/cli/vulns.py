"""``fenghuo vulns``: products on assets, the CVE/KEV catalogue, and operators' exposure."""

from __future__ import annotations

import csv
import ipaddress
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from fenghuo.cli import lookup
from fenghuo.cli.context import cli_actor, open_platform
from fenghuo.cli.errors import AtLocation, fail, validated
from fenghuo.cli.output import stdout
from fenghuo.errors import FenghuoError, Invalid, NotFound
from fenghuo.monitoring import cve
from fenghuo.monitoring import vulnerabilities as service
from fenghuo.monitoring.models import Asset
from fenghuo.monitoring.vulnerabilities_schemas import ProductCreate, ProductRow

app = typer.Typer(
    help="Vulnerability exposure: products on assets, CVE JSON 5 and CISA KEV imports.",
    no_args_is_help=True,
)
CSV_COLUMNS = ("asset_kind", "asset_value", "vendor", "product", "version", "cpe")

SkipInvalid = Annotated[
    bool,
    typer.Option(
        "--skip-invalid",
        help="Import the valid records and list the invalid ones (default: any invalid "
        "record aborts the import and nothing changes).",
    ),
]


def _print_outcome(outcome: service.ImportOutcome, label: str) -> None:
    out = stdout()
    for skipped in outcome.skipped:
        out.print(
            f"skipped {skipped.ref}: Invalid {skipped.field}: {skipped.reason} "
            f"(rule {skipped.rule})",
            markup=False,
        )
    out.print(
        f"{label}: {outcome.new} new, {outcome.updated} updated, {outcome.unchanged} unchanged, "
        f"{len(outcome.skipped)} skipped.",
        markup=False,
    )


@app.command("import-cve")
def import_cve(
    ctx: typer.Context,
    files: Annotated[
        list[Path],
        typer.Argument(
            exists=True,
            dir_okay=False,
            help="CVE JSON 5 .json files (a record or an array) and cvelistV5 .zip archives.",
        ),
    ],
    skip_invalid: SkipInvalid = False,
) -> None:
    """Upsert CVE records by CVE id, in one transaction and one audit record."""
    parsed = cve.read_cve_files((file.name, file.read_bytes()) for file in files)
    with open_platform(ctx) as platform, platform.transaction() as session:
        outcome = service.import_cve_records(
            session=session,
            actor=cli_actor(platform),
            parsed=parsed,
            origin="cli: " + ", ".join(f.name for f in files),
            skip_invalid=skip_invalid,
        )
    _print_outcome(outcome, f"CVE records ({parsed.files} files)")


@app.command("import-kev")
def import_kev(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            exists=True, dir_okay=False, help="known_exploited_vulnerabilities.json (CISA)."
        ),
    ],
    skip_invalid: SkipInvalid = False,
) -> None:
    """Flag the catalogue's CVEs as known exploited, in one transaction and one audit record."""
    parsed = cve.read_kev(file.name, file.read_bytes())
    with open_platform(ctx) as platform, platform.transaction() as session:
        outcome = service.import_kev(
            session=session,
            actor=cli_actor(platform),
            parsed=parsed,
            origin=f"cli: {file.name}",
            skip_invalid=skip_invalid,
        )
    _print_outcome(outcome, f"KEV {parsed.catalog_version or file.name}")


@app.command("list")
def list_(
    ctx: typer.Context,
    kev_only: Annotated[bool, typer.Option("--kev-only", help="Only KEV-listed CVEs.")] = False,
    query: Annotated[
        str | None, typer.Option("--query", help="Part of the CVE id or title.")
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", min=1, max=10_000, help="At most this many.")
    ] = 100,
) -> None:
    """The catalogue, newest CVE id first."""
    with open_platform(ctx) as platform, platform.transaction() as session:
        rows, total = service.list_vulnerabilities(
            session, cli_actor(platform), kev_only=kev_only, q=query, limit=limit
        )
        table = Table("CVE", "state", "CVSS", "KEV", "ransomware", "title")
        for row in rows:
            table.add_row(
                row.cve_id,
                row.state if row.has_record else "KEV only",
                "" if row.cvss_score is None else f"{row.cvss_score:.1f}",
                str(row.kev_date_added or "") if row.is_kev else "",
                "known" if row.kev_ransomware else "",
                row.title[:80],
            )
    out = stdout()
    out.print(table)
    out.print(f"{len(rows)} of {total} shown.", markup=False)


@app.command("exposure")
def exposure(
    ctx: typer.Context,
    org: Annotated[
        str | None, typer.Option("--org", help="One organisation (id or name); default: all.")
    ] = None,
    details: Annotated[
        bool, typer.Option("--details", help="Also list every matched product and CVE.")
    ] = False,
) -> None:
    """Operators' vulnerability exposure (the risk model's input), highest first."""
    with open_platform(ctx) as platform, platform.transaction() as session:
        org_id = lookup.organisation(session, org, field="--org").id if org else None
        found = service.exposures(session, cli_actor(platform), org_id=org_id)
    out = stdout()
    table = Table("organisation", "score", "CVEs", "KEV CVEs")
    for item in found:
        table.add_row(
            item.org_name, f"{item.score:.3f}", " ".join(item.cves), " ".join(item.kev_cves)
        )
    out.print(table)
    if details:
        matches = Table(
            "organisation", "asset", "product", "version", "CVE", "status", "KEV", "weight"
        )
        for item in found:
            for m in item.matches:
                matches.add_row(
                    item.org_name,
                    f"{m.asset_kind} {m.asset_value}",
                    f"{m.vendor} {m.product}",
                    m.version,
                    m.cve_id,
                    m.status,
                    ("ransomware" if m.ransomware else "yes") if m.kev else "",
                    f"{m.weight:.3f}",
                )
        out.print(matches)


def _asset(session: Session, ref: str) -> Asset:
    found = session.get(Asset, ref)
    if found is not None:
        return found
    kind, _, value = ref.partition(":")
    if kind not in ("host", "cidr") or not value:
        raise Invalid(
            "name the asset by id, host:NAME or cidr:RANGE", field="ASSET", rule="asset-ref"
        )
    if kind == "cidr":
        try:
            value = str(ipaddress.ip_network(value.strip()))
        except ValueError as exc:
            raise Invalid(str(exc), field="ASSET", rule="cidr") from None
    asset = session.scalar(
        select(Asset).where(Asset.kind == kind, Asset.value == value.strip().lower())
    )
    if asset is None:
        raise NotFound(f"no {kind} asset {value!r} is registered")
    return asset


@app.command("product-add")
def product_add(
    ctx: typer.Context,
    asset: Annotated[str, typer.Argument(help="The asset: its id, host:NAME or cidr:RANGE.")],
    vendor: Annotated[str, typer.Option("--vendor", help="Vendor (as CPE writes it).")] = "",
    product: Annotated[str, typer.Option("--product", help="Product name.")] = "",
    version: Annotated[str, typer.Option("--version", help="Version; empty: not known.")] = "",
    cpe_name: Annotated[
        str | None, typer.Option("--cpe", help="A CPE 2.3 name (gives what is missing).")
    ] = None,
) -> None:
    """Record a product on an asset."""
    with open_platform(ctx) as platform, platform.transaction() as session:
        found = _asset(session, asset)
        row = service.add_product(
            session=session,
            actor=cli_actor(platform),
            asset_id=found.id,
            product_in=validated(
                ProductCreate, vendor=vendor, product=product, version=version, cpe=cpe_name
            ),
        )
        line = f"{row.id}: {row.vendor} {row.product} {row.version} on {found.kind} {found.value}"
    stdout().print(line, markup=False)


@app.command("product-remove")
def product_remove(
    ctx: typer.Context,
    product_id: Annotated[str, typer.Argument(help="The product's id (see `vulns products`).")],
) -> None:
    """Remove a product from its asset."""
    with open_platform(ctx) as platform, platform.transaction() as session:
        service.remove_product(session=session, actor=cli_actor(platform), product_id=product_id)
    stdout().print(f"removed {product_id}", markup=False)


@app.command("products")
def products(
    ctx: typer.Context,
    org: Annotated[
        str | None, typer.Option("--org", help="One organisation (id or name); default: all.")
    ] = None,
) -> None:
    """Every product recorded on an asset."""
    with open_platform(ctx) as platform, platform.transaction() as session:
        org_id = lookup.organisation(session, org, field="--org").id if org else None
        found = service.list_products(session=session, actor=cli_actor(platform), org_id=org_id)
        table = Table("id", "organisation", "asset", "vendor", "product", "version", "CPE")
        for row in found:
            table.add_row(
                row.id,
                row.asset.organisation.name_en,
                f"{row.asset.kind} {row.asset.value}",
                row.vendor,
                row.product,
                row.version,
                row.cpe or "",
            )
    stdout().print(table)


def read_product_rows(file: Path) -> list[dict[str, Any]]:
    """Rows of a .csv (``asset_kind,asset_value,vendor,product,version[,cpe]``, header
    optional) or a .json array of objects with those keys."""
    text = file.read_text("utf-8")
    if file.suffix.lower() == ".json":
        rows = orjson.loads(text)
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            fail(f"{file.name}: the JSON must be an array of objects ({', '.join(CSV_COLUMNS)}).")
        return rows
    if file.suffix.lower() != ".csv":
        fail(f"{file.name}: give a .csv or .json file.")
    lines = [line for line in text.splitlines() if line.strip()]
    if lines and lines[0].strip().lower().startswith("asset_kind"):
        lines = lines[1:]
    return [
        {k: v for k, v in zip(CSV_COLUMNS, values, strict=False) if v != "" or k != "cpe"}
        for values in csv.reader(lines)
    ]


@app.command("product-import")
def product_import(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="A .csv or .json file.")
    ],
) -> None:
    """Record products on registered assets, all in one transaction: a bad row aborts them all."""
    rows = read_product_rows(file)
    with open_platform(ctx) as platform, platform.transaction() as session:
        checked = []
        for number, row in enumerate(rows, start=1):
            try:
                checked.append(validated(ProductRow, **row))
            except FenghuoError as exc:
                raise AtLocation(f"{file.name} row {number}", exc) from exc
        added, unchanged = service.import_products(
            session=session, actor=cli_actor(platform), rows=checked
        )
    stdout().print(
        f"{len(rows)} rows read, {added} added, {unchanged} already recorded.", markup=False
    )
