"""Tables of products recorded on assets and of the vulnerability catalogue (CVE, KEV)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fenghuo.monitoring.models import Asset
from fenghuo.store import Base, TimestampMixin, new_id


class AssetProduct(TimestampMixin, Base):
    """A product (vendor, product, version; optionally its CPE 2.3 name) running on an asset."""

    __tablename__ = "asset_product"
    __table_args__ = (UniqueConstraint("asset_id", "vendor", "product", "version"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    asset_id: Mapped[str] = mapped_column(ForeignKey("asset.id", ondelete="CASCADE"), index=True)
    vendor: Mapped[str] = mapped_column(String(200), index=True)  # normalised, as CPE writes it
    product: Mapped[str] = mapped_column(String(200))
    version: Mapped[str] = mapped_column(String(100), default="")
    cpe: Mapped[str | None] = mapped_column(String(500))

    asset: Mapped[Asset] = relationship(lazy="joined")

    def state(self) -> dict[str, Any]:
        """What the audit trail digests."""
        return {
            "id": self.id,
            "asset_id": self.asset_id,
            "vendor": self.vendor,
            "product": self.product,
            "version": self.version,
            "cpe": self.cpe,
        }


class Vulnerability(TimestampMixin, Base):
    """One CVE: its record (if imported), and its KEV listing (if CISA lists it)."""

    __tablename__ = "vulnerability"
    __table_args__ = (Index("ix_vulnerability_kev_vendor_product", "kev_vendor", "kev_product"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    cve_id: Mapped[str] = mapped_column(String(32), unique=True)
    has_record: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(16), default="PUBLISHED")  # or REJECTED
    title: Mapped[str] = mapped_column(String(2000), default="")
    date_published: Mapped[datetime | None]
    date_updated: Mapped[datetime | None]
    cvss_score: Mapped[float | None] = mapped_column(Float)
    cvss_version: Mapped[str | None] = mapped_column(String(16))
    record_digest: Mapped[str | None] = mapped_column(String(64))
    is_kev: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    kev_vendor: Mapped[str | None] = mapped_column(String(200))  # normalised vendorProject
    kev_product: Mapped[str | None] = mapped_column(String(200))  # normalised product
    kev_date_added: Mapped[date | None] = mapped_column(Date)
    kev_due_date: Mapped[date | None] = mapped_column(Date)
    kev_ransomware: Mapped[bool] = mapped_column(Boolean, default=False)
    kev: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # the KEV entry as imported


class VulnerabilityProduct(Base):
    """One (vendor, product) a CVE record's ``affected[]`` entry names, with that entry.

    An entry naming the product by name and by CPEs gives one row per distinct pair, so a
    lookup by the pairs of recorded products finds every entry that may concern them.
    """

    __tablename__ = "vulnerability_product"
    __table_args__ = (Index("ix_vulnerability_product_vendor_product", "vendor", "product"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    vulnerability_id: Mapped[str] = mapped_column(
        ForeignKey("vulnerability.id", ondelete="CASCADE"), index=True
    )
    vendor: Mapped[str] = mapped_column(String(200))
    product: Mapped[str] = mapped_column(String(200))
    entry: Mapped[dict[str, Any]] = mapped_column(JSON)  # cve.Affected.as_dict()
