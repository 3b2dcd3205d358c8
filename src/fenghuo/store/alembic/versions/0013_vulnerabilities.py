"""monitoring: vulnerability catalogue (CVE JSON 5, CISA KEV), asset products and exposure

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-28 19:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import fenghuo.store.base

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIME = fenghuo.store.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "asset_product",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("asset_id", sa.String(length=36), nullable=False),
        sa.Column("vendor", sa.String(length=200), nullable=False),
        sa.Column("product", sa.String(length=200), nullable=False),
        sa.Column("version", sa.String(length=100), nullable=False),
        sa.Column("cpe", sa.String(length=500), nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["asset.id"],
            name=op.f("fk_asset_product_asset_id_asset"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asset_product")),
        sa.UniqueConstraint(
            "asset_id", "vendor", "product", "version", name=op.f("uq_asset_product_asset_id")
        ),
    )
    with op.batch_alter_table("asset_product", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_asset_product_asset_id"), ["asset_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_asset_product_vendor"), ["vendor"], unique=False)

    op.create_table(
        "vulnerability",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("cve_id", sa.String(length=32), nullable=False),
        sa.Column("has_record", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=2000), nullable=False),
        sa.Column("date_published", UTC_TIME, nullable=True),
        sa.Column("date_updated", UTC_TIME, nullable=True),
        sa.Column("cvss_score", sa.Float(), nullable=True),
        sa.Column("cvss_version", sa.String(length=16), nullable=True),
        sa.Column("record_digest", sa.String(length=64), nullable=True),
        sa.Column("is_kev", sa.Boolean(), nullable=False),
        sa.Column("kev_vendor", sa.String(length=200), nullable=True),
        sa.Column("kev_product", sa.String(length=200), nullable=True),
        sa.Column("kev_date_added", sa.Date(), nullable=True),
        sa.Column("kev_due_date", sa.Date(), nullable=True),
        sa.Column("kev_ransomware", sa.Boolean(), nullable=False),
        sa.Column("kev", sa.JSON(), nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vulnerability")),
        sa.UniqueConstraint("cve_id", name=op.f("uq_vulnerability_cve_id")),
    )
    with op.batch_alter_table("vulnerability", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_vulnerability_is_kev"), ["is_kev"], unique=False)
        batch_op.create_index(
            "ix_vulnerability_kev_vendor_product", ["kev_vendor", "kev_product"], unique=False
        )

    op.create_table(
        "vulnerability_product",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("vulnerability_id", sa.String(length=36), nullable=False),
        sa.Column("vendor", sa.String(length=200), nullable=False),
        sa.Column("product", sa.String(length=200), nullable=False),
        sa.Column("entry", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["vulnerability_id"],
            ["vulnerability.id"],
            name=op.f("fk_vulnerability_product_vulnerability_id_vulnerability"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vulnerability_product")),
    )
    with op.batch_alter_table("vulnerability_product", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_vulnerability_product_vulnerability_id"),
            ["vulnerability_id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_vulnerability_product_vendor_product", ["vendor", "product"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("vulnerability_product", schema=None) as batch_op:
        batch_op.drop_index("ix_vulnerability_product_vendor_product")
        batch_op.drop_index(batch_op.f("ix_vulnerability_product_vulnerability_id"))

    op.drop_table("vulnerability_product")
    with op.batch_alter_table("vulnerability", schema=None) as batch_op:
        batch_op.drop_index("ix_vulnerability_kev_vendor_product")
        batch_op.drop_index(batch_op.f("ix_vulnerability_is_kev"))

    op.drop_table("vulnerability")
    with op.batch_alter_table("asset_product", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_asset_product_vendor"))
        batch_op.drop_index(batch_op.f("ix_asset_product_asset_id"))

    op.drop_table("asset_product")
