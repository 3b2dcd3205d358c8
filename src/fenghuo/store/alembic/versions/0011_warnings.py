"""warnings: early warnings, their immutable versions, the CAP messages they emitted, and the
per-year identifier sequence

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28 16:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import fenghuo.store.base


revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('warning_sequence',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_warning_sequence'))
    )
    op.create_table('early_warning',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('identifier', sa.String(length=24), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('colour', sa.String(length=10), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('title_zh', sa.String(length=300), nullable=False),
    sa.Column('title_en', sa.String(length=300), nullable=False),
    sa.Column('description_zh', sa.Text(), nullable=False),
    sa.Column('description_en', sa.Text(), nullable=False),
    sa.Column('measures_zh', sa.Text(), nullable=False),
    sa.Column('measures_en', sa.Text(), nullable=False),
    sa.Column('sectors', sa.JSON(), nullable=False),
    sa.Column('regions', sa.JSON(), nullable=False),
    sa.Column('effective_at', fenghuo.store.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', fenghuo.store.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('audience', sa.String(length=20), nullable=False),
    sa.Column('tlp', sa.String(length=20), nullable=True),
    sa.Column('exercise', sa.Boolean(), nullable=False),
    sa.Column('org_id', sa.String(length=36), nullable=False),
    sa.Column('incident_id', sa.String(length=36), nullable=True),
    sa.Column('recommendation_id', sa.String(length=64), nullable=True),
    sa.Column('plan_version_id', sa.String(length=36), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('published_at', fenghuo.store.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('lifted_at', fenghuo.store.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', fenghuo.store.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('notification_ids', sa.JSON(), nullable=False),
    sa.Column('created_at', fenghuo.store.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', fenghuo.store.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organisation.id'], name=op.f('fk_early_warning_org_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_early_warning')),
    sa.UniqueConstraint('identifier', name=op.f('uq_early_warning_identifier'))
    )
    op.create_index(op.f('ix_early_warning_incident_id'), 'early_warning', ['incident_id'], unique=False)
    op.create_index(op.f('ix_early_warning_org_id'), 'early_warning', ['org_id'], unique=False)
    op.create_index(op.f('ix_early_warning_published_at'), 'early_warning', ['published_at'], unique=False)
    op.create_index('ix_early_warning_state_colour', 'early_warning', ['state', 'colour'], unique=False)
    op.create_table('warning_cap_message',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('warning_id', sa.String(length=36), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('identifier', sa.String(length=64), nullable=False),
    sa.Column('sender', sa.String(length=120), nullable=False),
    sa.Column('sent_at', fenghuo.store.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent', sa.String(length=32), nullable=False),
    sa.Column('msg_type', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('scope', sa.String(length=12), nullable=False),
    sa.Column('refs', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('algorithm', sa.String(length=20), nullable=False),
    sa.Column('key_fingerprint', sa.String(length=64), nullable=False),
    sa.Column('xml', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['warning_id'], ['early_warning.id'], name=op.f('fk_warning_cap_message_warning_id_early_warning'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_warning_cap_message')),
    sa.UniqueConstraint('identifier', name=op.f('uq_warning_cap_message_identifier'))
    )
    op.create_index(op.f('ix_warning_cap_message_warning_id'), 'warning_cap_message', ['warning_id'], unique=False)
    op.create_table('warning_version',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('warning_id', sa.String(length=36), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('change', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('colour', sa.String(length=10), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('made_at', fenghuo.store.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('made_by', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['warning_id'], ['early_warning.id'], name=op.f('fk_warning_version_warning_id_early_warning'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_warning_version')),
    sa.UniqueConstraint('warning_id', 'number', name=op.f('uq_warning_version_warning_id'))
    )
    op.create_index(op.f('ix_warning_version_warning_id'), 'warning_version', ['warning_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_warning_version_warning_id'), table_name='warning_version')
    op.drop_table('warning_version')
    op.drop_index(op.f('ix_warning_cap_message_warning_id'), table_name='warning_cap_message')
    op.drop_table('warning_cap_message')
    op.drop_index('ix_early_warning_state_colour', table_name='early_warning')
    op.drop_index(op.f('ix_early_warning_published_at'), table_name='early_warning')
    op.drop_index(op.f('ix_early_warning_org_id'), table_name='early_warning')
    op.drop_index(op.f('ix_early_warning_incident_id'), table_name='early_warning')
    op.drop_table('early_warning')
    op.drop_table('warning_sequence')
