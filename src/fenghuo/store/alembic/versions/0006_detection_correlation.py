"""detection correlation: hits of correlation rules kept between batches

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 16:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import fenghuo.store.base


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('detection_correlation_hit',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('correlation_id', sa.String(length=100), nullable=False),
    sa.Column('group_key', sa.String(length=64), nullable=False),
    sa.Column('group_values', sa.JSON(), nullable=False),
    sa.Column('ref', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.String(length=64), nullable=False),
    sa.Column('event_time', fenghuo.store.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('value', sa.String(length=2000), nullable=True),
    sa.Column('meta', sa.JSON(), nullable=False),
    sa.Column('batch_id', sa.String(length=36), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_detection_correlation_hit')),
    sa.UniqueConstraint('correlation_id', 'ref', 'event_id', name=op.f('uq_detection_correlation_hit_correlation_id'))
    )
    with op.batch_alter_table('detection_correlation_hit', schema=None) as batch_op:
        batch_op.create_index('ix_detection_correlation_hit_group', ['correlation_id', 'group_key', 'event_time'], unique=False)
        batch_op.create_index(batch_op.f('ix_detection_correlation_hit_event_time'), ['event_time'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('detection_correlation_hit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_detection_correlation_hit_event_time'))
        batch_op.drop_index('ix_detection_correlation_hit_group')

    op.drop_table('detection_correlation_hit')
