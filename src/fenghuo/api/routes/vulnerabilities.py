"""Vulnerability exposure: products on assets, the CVE/KEV catalogue, operators' exposure."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, File, Form, Path, Query, Response, UploadFile
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from fenghuo.api.deps import ActorDep, SessionDep, requires
from fenghuo.api.errors import PROBLEM_RESPONSES
from fenghuo.api.routes.lists import PLAIN_TEXT, IdPath, Page, PagingDep
from fenghuo.api.uploads import read_within
from fenghuo.errors import Invalid
from fenghuo.monitoring import cve
from fenghuo.monitoring import vulnerabilities as service
from fenghuo.monitoring.vulnerabilities_models import AssetProduct
from fenghuo.monitoring.vulnerabilities_schemas import (
    CatalogueImported,
    CveImport,
    ExposureRead,
    KevImport,
    MatchRead,
    ProductCreate,
    ProductRead,
    ProductRow,
    ProductsImported,
    RecordErrorRead,
    VulnerabilityRead,
)

router = APIRouter(prefix="/api/v1", tags=["vulnerabilities"], responses=PROBLEM_RESPONSES)
MAX_UPLOAD_BYTES = 256 << 20
MAX_SKIPPED_SHOWN = 1000
CSV_COLUMNS = ("asset_kind", "asset_value", "vendor", "product", "version", "cpe")
CveId = Annotated[str, Path(pattern=r"^[Cc][Vv][Ee]-[0-9]{4}-[0-9]{4,19}$")]


class ProductPage(Page[ProductRead]):
    """A page of products on assets, by asset, vendor, product and version."""


class VulnerabilityPage(Page[VulnerabilityRead]):
    """A page of the catalogue, newest CVE id first."""


class ProductImport(BaseModel):
    """Rows to record: JSON ``rows``, or ``csv`` text (header
    ``asset_kind,asset_value,vendor,product,version[,cpe]``)."""

    model_config = ConfigDict(extra="forbid")

    rows: list[ProductRow] | None = Field(default=None, max_length=10_000)
    csv: Annotated[str, Field(max_length=5_000_000)] | None = None


def _product(row: AssetProduct) -> ProductRead:
    return ProductRead(
        id=row.id,
        asset_id=row.asset_id,
        asset_kind=row.asset.kind,
        asset_value=row.asset.value,
        org_id=row.asset.org_id,
        vendor=row.vendor,
        product=row.product,
        version=row.version,
        cpe=row.cpe,
    )


def csv_rows(text: str) -> list[ProductRow]:
    """Rows of CSV text (header ``asset_kind,asset_value,vendor,product,version[,cpe]``, or the
    same columns without a header); a bad row is ``Invalid`` naming its line and field."""
    lines = [line for line in text.splitlines() if line.strip()]
    if lines and lines[0].strip().lower().startswith("asset_kind"):
        lines = lines[1:]
        first = 2
    else:
        first = 1
    rows = []
    for number, values in enumerate(csv.reader(io.StringIO("\n".join(lines))), start=first):
        if not 5 <= len(values) <= 6:
            raise Invalid(
                f"line {number}: give {', '.join(CSV_COLUMNS[:5])}[, cpe]",
                field=f"line {number}",
                rule="csv-columns",
            )
        data: dict[str, Any] = dict(zip(CSV_COLUMNS, values, strict=False))
        if not data.get("cpe"):
            data.pop("cpe", None)
        try:
            rows.append(ProductRow.model_validate(data))
        except ValidationError as exc:
            error = exc.errors()[0]
            where = ".".join(str(p) for p in error["loc"])
            raise Invalid(
                f"line {number}: {error['msg']}",
                field=f"line {number}: {where}",
                rule=error["type"],
            ) from None
    return rows


@router.get(
    "/asset-products",
    summary="Products on assets within my visibility",
    dependencies=[Depends(requires(service.ASSETS_VIEW))],
)
def list_products(
    actor: ActorDep,
    session: SessionDep,
    paging: PagingDep,
    org_id: Annotated[str | None, Query(max_length=64, pattern=PLAIN_TEXT)] = None,
) -> ProductPage:
    """Every product recorded on an asset the actor may see; ``org_id`` narrows to one owner."""
    found = service.list_products(session=session, actor=actor, org_id=org_id)
    window = found[paging.offset : paging.offset + paging.limit]
    return ProductPage.of([_product(r) for r in window], len(found), paging)


@router.post(
    "/asset-products/import",
    summary="Record products on registered assets in bulk (all or nothing)",
    dependencies=[Depends(requires(service.PRODUCTS_MANAGE))],
)
def import_products(
    body: Annotated[ProductImport, Body()], actor: ActorDep, session: SessionDep
) -> ProductsImported:
    """One transaction and one audit record; a bad row refuses the whole import."""
    if (body.rows is None) == (body.csv is None):
        raise Invalid("give either rows or csv", field="rows", rule="one-of")
    rows = body.rows if body.rows is not None else csv_rows(body.csv or "")
    added, unchanged = service.import_products(session=session, actor=actor, rows=rows)
    return ProductsImported(rows=len(rows), added=added, unchanged=unchanged)


@router.delete(
    "/asset-products/{product_id}",
    status_code=204,
    summary="Remove a product from its asset",
    dependencies=[Depends(requires(service.PRODUCTS_MANAGE))],
)
def remove_product(product_id: IdPath, actor: ActorDep, session: SessionDep) -> Response:
    service.remove_product(session=session, actor=actor, product_id=product_id)
    return Response(status_code=204)


@router.get(
    "/assets/{asset_id}/products",
    summary="The products recorded on one asset",
    dependencies=[Depends(requires(service.ASSETS_VIEW))],
)
def list_asset_products(
    asset_id: IdPath, actor: ActorDep, session: SessionDep, paging: PagingDep
) -> ProductPage:
    found = service.list_products(session=session, actor=actor, asset_id=asset_id)
    window = found[paging.offset : paging.offset + paging.limit]
    return ProductPage.of([_product(r) for r in window], len(found), paging)


@router.post(
    "/assets/{asset_id}/products",
    status_code=201,
    summary="Record a product on an asset",
    dependencies=[Depends(requires(service.PRODUCTS_MANAGE))],
)
def add_product(
    asset_id: IdPath,
    body: Annotated[ProductCreate, Body()],
    actor: ActorDep,
    session: SessionDep,
) -> ProductRead:
    """Vendor and product (normalised as CPE writes them) and version, or a CPE 2.3 name."""
    row = service.add_product(session=session, actor=actor, asset_id=asset_id, product_in=body)
    return _product(row)


@router.get(
    "/vulnerabilities",
    summary="The vulnerability catalogue",
    dependencies=[Depends(requires(service.VIEW))],
)
def list_vulnerabilities(
    actor: ActorDep,
    session: SessionDep,
    paging: PagingDep,
    kev_only: bool = False,
    q: Annotated[str | None, Query(max_length=200, pattern=PLAIN_TEXT)] = None,
) -> VulnerabilityPage:
    """CVEs newest first; ``kev_only`` keeps KEV-listed ones; ``q`` is part of the id or title."""
    rows, total = service.list_vulnerabilities(
        session, actor, kev_only=kev_only, q=q, limit=paging.limit, offset=paging.offset
    )
    return VulnerabilityPage.of([VulnerabilityRead.model_validate(r) for r in rows], total, paging)


def _imported(outcome: service.ImportOutcome) -> CatalogueImported:
    return CatalogueImported(
        kind="cve" if outcome.kind == "cve" else "kev",
        new=outcome.new,
        updated=outcome.updated,
        unchanged=outcome.unchanged,
        skipped=[RecordErrorRead(**s.as_dict()) for s in outcome.skipped[:MAX_SKIPPED_SHOWN]],
        catalog_version=outcome.catalog_version,
    )


@router.post(
    "/vulnerabilities/cve",
    summary="Import CVE JSON 5 records (JSON body)",
    dependencies=[Depends(requires(service.IMPORT))],
)
def import_cve_json(
    body: Annotated[CveImport, Body()], actor: ActorDep, session: SessionDep
) -> CatalogueImported:
    """Upsert by CVE id. An invalid record refuses the import (nothing changes) unless
    ``skip_invalid``; national coordinator and CERTs only."""
    parsed = cve.ParsedCves(files=1)
    for index, record in enumerate(body.records):
        ref = f"records[{index}]"
        try:
            parsed.records.append(cve.parse_cve_record(record, ref=ref))
        except Invalid as exc:
            field = exc.field.removeprefix(f"{ref}: ")
            parsed.errors.append(cve.RecordError(ref, field, exc.rule, exc.message))
    outcome = service.import_cve_records(
        session=session,
        actor=actor,
        parsed=parsed,
        origin="api: JSON",
        skip_invalid=body.skip_invalid,
    )
    return _imported(outcome)


@router.post(
    "/vulnerabilities/cve/files",
    summary="Import CVE JSON 5 files (.json records or arrays, cvelistV5 .zip)",
    dependencies=[Depends(requires(service.IMPORT))],
)
def import_cve_files(
    files: Annotated[list[UploadFile], File(description=".json files and cvelistV5 .zip archives")],
    actor: ActorDep,
    session: SessionDep,
    skip_invalid: Annotated[bool, Form()] = False,
) -> CatalogueImported:
    uploads = read_within(files, MAX_UPLOAD_BYTES)
    for name, _data in uploads:
        if not name.lower().endswith((".json", ".zip")):
            raise Invalid(f"{name}: give .json or .zip files", field="file", rule="file-type")
    parsed = cve.read_cve_files(uploads)
    outcome = service.import_cve_records(
        session=session, actor=actor, parsed=parsed, origin="api: files", skip_invalid=skip_invalid
    )
    return _imported(outcome)


@router.post(
    "/vulnerabilities/kev",
    summary="Import the CISA Known Exploited Vulnerabilities catalogue (its JSON as published)",
    dependencies=[Depends(requires(service.IMPORT))],
)
def import_kev(
    body: Annotated[KevImport, Body()],
    actor: ActorDep,
    session: SessionDep,
    skip_invalid: bool = False,
) -> CatalogueImported:
    parsed = cve.kev_from_document(body.model_dump(), name="body")
    outcome = service.import_kev(
        session=session, actor=actor, parsed=parsed, origin="api: KEV", skip_invalid=skip_invalid
    )
    return _imported(outcome)


@router.get(
    "/vulnerabilities/{cve_id}",
    summary="One CVE of the catalogue",
    dependencies=[Depends(requires(service.VIEW))],
)
def get_vulnerability(cve_id: CveId, actor: ActorDep, session: SessionDep) -> VulnerabilityRead:
    return VulnerabilityRead.model_validate(service.get_vulnerability(session, actor, cve_id))


@router.get(
    "/exposures",
    summary="Operators' vulnerability exposure within my visibility",
    dependencies=[Depends(requires(service.EXPOSURES_VIEW))],
)
def list_exposures(
    actor: ActorDep,
    session: SessionDep,
    org_id: Annotated[str | None, Query(max_length=64, pattern=PLAIN_TEXT)] = None,
) -> list[ExposureRead]:
    """Each organisation with a vulnerable product: score (the risk model's input), CVEs, and
    every matched (asset, product, CVE, KEV, CVSS, status, weight); highest score first."""
    return [
        ExposureRead(
            org_id=e.org_id,
            org_name=e.org_name,
            score=e.score,
            cves=e.cves,
            kev_cves=e.kev_cves,
            matches=[MatchRead(**m.as_dict()) for m in e.matches],
        )
        for e in service.exposures(session, actor, org_id=org_id)
    ]
