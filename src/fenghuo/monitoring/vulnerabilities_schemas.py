"""What the API and CLI accept and return for asset products, the vulnerability catalogue and
exposure."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

_PLAIN = r"^[^\x00-\x1f\x7f]*$"
Name = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200, pattern=_PLAIN)]
Version = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100, pattern=_PLAIN)]
CpeText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500, pattern=_PLAIN)]


class ProductCreate(BaseModel):
    """A product on an asset: vendor and product (or a CPE 2.3 name that gives them), version."""

    model_config = ConfigDict(extra="forbid")

    vendor: Name = Field(
        default="", description="Normalised as CPE does: lower case, _ for spaces."
    )
    product: Name = ""
    version: Version = Field(default="", description="Empty: not known (matches say unknown).")
    cpe: CpeText | None = Field(
        default=None,
        description="CPE 2.3 formatted string, e.g. cpe:2.3:a:apache:http_server:2.4.49",
    )


class ProductRow(ProductCreate):
    """One row of a bulk import: the asset by kind and value, and the product on it."""

    asset_kind: Literal["cidr", "host"]
    asset_value: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)
    ]


class ProductRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    asset_id: str
    asset_kind: str
    asset_value: str
    org_id: str
    vendor: str
    product: str
    version: str
    cpe: str | None


class ProductsImported(BaseModel):
    rows: int
    added: int = Field(description="Products recorded that were not there before.")
    unchanged: int = Field(description="Rows naming a product already recorded on the asset.")


class RecordErrorRead(BaseModel):
    ref: str = Field(description="The file (and array index, or zip member) of the record.")
    field: str
    rule: str
    reason: str


class CatalogueImported(BaseModel):
    """What an import of CVE records or of the KEV catalogue did."""

    kind: Literal["cve", "kev"]
    new: int
    updated: int
    unchanged: int
    skipped: list[RecordErrorRead] = Field(
        description="Invalid records left out (only with skip_invalid; the first 1,000)."
    )
    catalog_version: str = ""


class CveImport(BaseModel):
    """CVE JSON 5 records in a JSON body: one record or many."""

    model_config = ConfigDict(extra="forbid")

    records: list[dict[str, Any]] = Field(min_length=1, max_length=10_000)
    skip_invalid: bool = False


class KevImport(BaseModel):
    """The CISA KEV catalogue as published (``catalogVersion``, ``vulnerabilities``)."""

    model_config = ConfigDict(extra="allow")

    vulnerabilities: list[dict[str, Any]] = Field(max_length=100_000)
    catalogVersion: str = ""


class VulnerabilityRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    cve_id: str
    has_record: bool = Field(description="False: known only from the KEV catalogue.")
    state: str
    title: str
    date_published: datetime | None
    cvss_score: float | None
    cvss_version: str | None
    is_kev: bool
    kev_date_added: date | None
    kev_due_date: date | None
    kev_ransomware: bool
    kev: dict[str, Any] | None


MatchStatus = Literal["affected", "unknown", "version_not_checked"]


class MatchRead(BaseModel):
    """One vulnerable product on one asset."""

    asset_id: str
    asset_kind: str
    asset_value: str
    product_id: str
    vendor: str
    product: str
    version: str
    cve_id: str
    status: MatchStatus
    kev: bool
    ransomware: bool
    cvss: float | None
    weight: float


class ExposureRead(BaseModel):
    """An operator's vulnerability exposure: the score the risk model reads and why."""

    org_id: str
    org_name: str
    score: float
    cves: list[str]
    kev_cves: list[str]
    matches: list[MatchRead]
