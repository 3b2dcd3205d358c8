"""risk: refresh snapshots, assessments and warning recommendations

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28 17:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import fenghuo.store.base

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIME = fenghuo.store.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "risk_refresh",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("computed_at", UTC_TIME, nullable=False),
        sa.Column("computed_by", sa.String(length=200), nullable=False),
        sa.Column("assessments", sa.Integer(), nullable=False),
        sa.Column("surges", sa.Integer(), nullable=False),
        sa.Column("recommendations", sa.Integer(), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_refresh")),
        sa.UniqueConstraint("seq", name=op.f("uq_risk_refresh_seq")),
    )
    with op.batch_alter_table("risk_refresh", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_risk_refresh_computed_at"), ["computed_at"], unique=False
        )

    op.create_table(
        "risk_assessment",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("refresh_id", sa.String(length=36), nullable=False),
        sa.Column("computed_at", UTC_TIME, nullable=False),
        sa.Column("scope_kind", sa.String(length=10), nullable=False),
        sa.Column("sector", sa.String(length=40), nullable=True),
        sa.Column("region", sa.String(length=6), nullable=True),
        sa.Column("org_id", sa.String(length=36), nullable=True),
        sa.Column("org_name", sa.String(length=300), nullable=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("colour", sa.String(length=10), nullable=True),
        sa.Column("degree", sa.String(length=4), nullable=True),
        sa.Column("surge", sa.Boolean(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisation.id"], name=op.f("fk_risk_assessment_org_id_organisation")
        ),
        sa.ForeignKeyConstraint(
            ["refresh_id"],
            ["risk_refresh.id"],
            name=op.f("fk_risk_assessment_refresh_id_risk_refresh"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_assessment")),
    )
    with op.batch_alter_table("risk_assessment", schema=None) as batch_op:
        batch_op.create_index(
            "ix_risk_assessment_cell", ["sector", "region", "computed_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_risk_assessment_org_id"), ["org_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_risk_assessment_refresh_id"), ["refresh_id"], unique=False
        )

    op.create_table(
        "risk_recommendation",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("sector", sa.String(length=40), nullable=False),
        sa.Column("region", sa.String(length=6), nullable=False),
        sa.Column("window_start", UTC_TIME, nullable=False),
        sa.Column("colour", sa.String(length=10), nullable=False),
        sa.Column("threshold_key", sa.String(length=64), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("assessment_id", sa.String(length=36), nullable=False),
        sa.Column("title_zh", sa.String(length=300), nullable=False),
        sa.Column("title_en", sa.String(length=300), nullable=False),
        sa.Column("measures_zh", sa.Text(), nullable=False),
        sa.Column("measures_en", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("authority_org_ids", sa.JSON(), nullable=False),
        sa.Column("notification_id", sa.String(length=36), nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["risk_assessment.id"],
            name=op.f("fk_risk_recommendation_assessment_id_risk_assessment"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_recommendation")),
        sa.UniqueConstraint(
            "sector",
            "region",
            "window_start",
            name=op.f("uq_risk_recommendation_sector"),
        ),
    )
    with op.batch_alter_table("risk_recommendation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_risk_recommendation_created_at"), ["created_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("risk_recommendation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_risk_recommendation_created_at"))
    op.drop_table("risk_recommendation")
    with op.batch_alter_table("risk_assessment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_risk_assessment_refresh_id"))
        batch_op.drop_index(batch_op.f("ix_risk_assessment_org_id"))
        batch_op.drop_index("ix_risk_assessment_cell")
    op.drop_table("risk_assessment")
    with op.batch_alter_table("risk_refresh", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_risk_refresh_computed_at"))
    op.drop_table("risk_refresh")
