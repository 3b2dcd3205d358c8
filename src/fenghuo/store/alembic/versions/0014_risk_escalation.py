"""risk: a recommendation per scope, window and colour, so a rising risk is recommended again

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-28 19:40:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("risk_recommendation", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_risk_recommendation_sector"), type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_risk_recommendation_sector"),
            ["sector", "region", "window_start", "colour"],
        )


def downgrade() -> None:
    # Keep the first recommendation of each scope and window: the old constraint allows one.
    op.execute(
        "DELETE FROM risk_recommendation WHERE id NOT IN (SELECT MIN(id) FROM "
        "risk_recommendation GROUP BY sector, region, window_start)"
    )
    with op.batch_alter_table("risk_recommendation", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_risk_recommendation_sector"), type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_risk_recommendation_sector"), ["sector", "region", "window_start"]
        )
