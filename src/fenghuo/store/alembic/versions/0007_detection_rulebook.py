"""detection rulebook: managed Sigma rules, their versions, the revision counter

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 16:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import fenghuo.store.base


revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('detection_rule',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('level', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('tags_text', sa.Text(), nullable=False),
    sa.Column('product', sa.String(length=100), nullable=False),
    sa.Column('category', sa.String(length=100), nullable=False),
    sa.Column('service', sa.String(length=100), nullable=False),
    sa.Column('author', sa.String(length=300), nullable=False),
    sa.Column('compiles', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('created_at', fenghuo.store.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', fenghuo.store.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_detection_rule')),
    sa.UniqueConstraint('key', name=op.f('uq_detection_rule_key'))
    )
    with op.batch_alter_table('detection_rule', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_detection_rule_compiles'), ['compiles'], unique=False)
        batch_op.create_index(batch_op.f('ix_detection_rule_enabled'), ['enabled'], unique=False)
        batch_op.create_index(batch_op.f('ix_detection_rule_level'), ['level'], unique=False)
        batch_op.create_index(batch_op.f('ix_detection_rule_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_detection_rule_title'), ['title'], unique=False)

    op.create_table('detection_rule_version',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('rule_id', sa.String(length=36), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('origin', sa.String(length=500), nullable=False),
    sa.Column('imported_by', sa.String(length=200), nullable=False),
    sa.Column('imported_by_user_id', sa.String(length=36), nullable=True),
    sa.Column('imported_at', fenghuo.store.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['imported_by_user_id'], ['user_account.id'], name=op.f('fk_detection_rule_version_imported_by_user_id_user_account')),
    sa.ForeignKeyConstraint(['rule_id'], ['detection_rule.id'], name=op.f('fk_detection_rule_version_rule_id_detection_rule'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_detection_rule_version')),
    sa.UniqueConstraint('rule_id', 'number', name=op.f('uq_detection_rule_version_rule_id'))
    )

    rulebook = op.create_table('detection_rulebook',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_detection_rulebook'))
    )
    op.bulk_insert(rulebook, [{'id': 1, 'revision': 0}])


def downgrade() -> None:
    op.drop_table('detection_rulebook')
    op.drop_table('detection_rule_version')
    with op.batch_alter_table('detection_rule', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_detection_rule_title'))
        batch_op.drop_index(batch_op.f('ix_detection_rule_status'))
        batch_op.drop_index(batch_op.f('ix_detection_rule_level'))
        batch_op.drop_index(batch_op.f('ix_detection_rule_enabled'))
        batch_op.drop_index(batch_op.f('ix_detection_rule_compiles'))

    op.drop_table('detection_rule')
