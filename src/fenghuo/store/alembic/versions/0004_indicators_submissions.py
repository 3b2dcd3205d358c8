"""monitoring: indicator sets, indicators, sector submissions

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-28 15:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import fenghuo.store.base


revision: str = '0004'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('indicator_set',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('owner_org_id', sa.String(length=36), nullable=False),
    sa.Column('tlp', sa.String(length=16), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('description', sa.String(length=1000), nullable=False),
    sa.Column('created_at', fenghuo.store.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', fenghuo.store.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['owner_org_id'], ['organisation.id'], name=op.f('fk_indicator_set_owner_org_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_set')),
    sa.UniqueConstraint('name', name=op.f('uq_indicator_set_name'))
    )
    with op.batch_alter_table('indicator_set', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicator_set_owner_org_id'), ['owner_org_id'], unique=False)

    op.create_table('indicator',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('set_id', sa.String(length=36), nullable=False),
    sa.Column('type', sa.String(length=8), nullable=False),
    sa.Column('value', sa.String(length=2048), nullable=False),
    sa.Column('valid_from', fenghuo.store.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('valid_until', fenghuo.store.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('confidence', sa.Integer(), nullable=True),
    sa.Column('description', sa.String(length=1000), nullable=False),
    sa.Column('stix_id', sa.String(length=100), nullable=True),
    sa.Column('tlp', sa.String(length=16), nullable=False),
    sa.Column('created_at', fenghuo.store.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', fenghuo.store.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['set_id'], ['indicator_set.id'], name=op.f('fk_indicator_set_id_indicator_set'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator')),
    sa.UniqueConstraint('set_id', 'type', 'value', name=op.f('uq_indicator_set_id'))
    )
    with op.batch_alter_table('indicator', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicator_valid_until'), ['valid_until'], unique=False)

    op.create_table('submission',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('org_id', sa.String(length=36), nullable=False),
    sa.Column('submitted_by_id', sa.String(length=36), nullable=True),
    sa.Column('submitted_by', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('observed', sa.Text(), nullable=False),
    sa.Column('sectors', sa.JSON(), nullable=False),
    sa.Column('regions', sa.JSON(), nullable=False),
    sa.Column('operators', sa.JSON(), nullable=False),
    sa.Column('period_start', fenghuo.store.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('period_end', fenghuo.store.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('scale', sa.JSON(), nullable=False),
    sa.Column('assessment', sa.Text(), nullable=False),
    sa.Column('measures', sa.Text(), nullable=False),
    sa.Column('tlp', sa.String(length=16), nullable=False),
    sa.Column('created_at', fenghuo.store.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', fenghuo.store.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organisation.id'], name=op.f('fk_submission_org_id_organisation')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['user_account.id'], name=op.f('fk_submission_submitted_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submission'))
    )
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_org_id'), ['org_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_org_id'))

    op.drop_table('submission')
    with op.batch_alter_table('indicator', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicator_valid_until'))

    op.drop_table('indicator')
    with op.batch_alter_table('indicator_set', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicator_set_owner_org_id'))

    op.drop_table('indicator_set')
