"""notifications: notifications, recipients, deliveries, endpoints

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 16:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import fenghuo.store.base


revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('notification',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('sender_org_id', sa.String(length=36), nullable=True),
    sa.Column('sender_user_id', sa.String(length=36), nullable=True),
    sa.Column('sender_label', sa.String(length=200), nullable=False),
    sa.Column('ref_type', sa.String(length=40), nullable=True),
    sa.Column('ref_id', sa.String(length=64), nullable=True),
    sa.Column('tlp', sa.String(length=16), nullable=False),
    sa.Column('escalate_after_seconds', sa.Integer(), nullable=True),
    sa.Column('escalate_at', fenghuo.store.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('created_at', fenghuo.store.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['sender_org_id'], ['organisation.id'], name=op.f('fk_notification_sender_org_id_organisation')),
    sa.ForeignKeyConstraint(['sender_user_id'], ['user_account.id'], name=op.f('fk_notification_sender_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification'))
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_notification_escalate_at'), ['escalate_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_notification_sender_org_id'), ['sender_org_id'], unique=False)

    op.create_table('notification_endpoint',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('org_id', sa.String(length=36), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('address', sa.String(length=2000), nullable=False),
    sa.Column('secret_salt', sa.String(length=64), nullable=True),
    sa.Column('secret_hint', sa.String(length=16), nullable=True),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', fenghuo.store.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organisation.id'], name=op.f('fk_notification_endpoint_org_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_endpoint'))
    )
    with op.batch_alter_table('notification_endpoint', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_endpoint_org_id'), ['org_id'], unique=False)

    op.create_table('notification_recipient',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('notification_id', sa.String(length=36), nullable=False),
    sa.Column('org_id', sa.String(length=36), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('acknowledged_at', fenghuo.store.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('acknowledged_by_id', sa.String(length=36), nullable=True),
    sa.Column('acknowledged_by', sa.String(length=200), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('escalated_at', fenghuo.store.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('escalation_id', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['acknowledged_by_id'], ['user_account.id'], name=op.f('fk_notification_recipient_acknowledged_by_id_user_account')),
    sa.ForeignKeyConstraint(['notification_id'], ['notification.id'], name=op.f('fk_notification_recipient_notification_id_notification'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['org_id'], ['organisation.id'], name=op.f('fk_notification_recipient_org_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_recipient')),
    sa.UniqueConstraint('notification_id', 'org_id', name=op.f('uq_notification_recipient_notification_id'))
    )
    with op.batch_alter_table('notification_recipient', schema=None) as batch_op:
        batch_op.create_index('ix_notification_recipient_org_state', ['org_id', 'state'], unique=False)

    op.create_table('notification_delivery',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('notification_id', sa.String(length=36), nullable=False),
    sa.Column('recipient_id', sa.String(length=36), nullable=False),
    sa.Column('org_id', sa.String(length=36), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('endpoint_id', sa.String(length=36), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.String(length=1000), nullable=True),
    sa.Column('next_attempt_at', fenghuo.store.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('delivered_at', fenghuo.store.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', fenghuo.store.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', fenghuo.store.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['endpoint_id'], ['notification_endpoint.id'], name=op.f('fk_notification_delivery_endpoint_id_notification_endpoint'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['notification_id'], ['notification.id'], name=op.f('fk_notification_delivery_notification_id_notification'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['org_id'], ['organisation.id'], name=op.f('fk_notification_delivery_org_id_organisation')),
    sa.ForeignKeyConstraint(['recipient_id'], ['notification_recipient.id'], name=op.f('fk_notification_delivery_recipient_id_notification_recipient'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_delivery'))
    )
    with op.batch_alter_table('notification_delivery', schema=None) as batch_op:
        batch_op.create_index('ix_notification_delivery_due', ['state', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_notification_delivery_notification_id'), ['notification_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notification_delivery_recipient_id'), ['recipient_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('notification_delivery', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_delivery_recipient_id'))
        batch_op.drop_index(batch_op.f('ix_notification_delivery_notification_id'))
        batch_op.drop_index('ix_notification_delivery_due')

    op.drop_table('notification_delivery')
    with op.batch_alter_table('notification_recipient', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_recipient_org_state')

    op.drop_table('notification_recipient')
    with op.batch_alter_table('notification_endpoint', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_endpoint_org_id'))

    op.drop_table('notification_endpoint')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_sender_org_id'))
        batch_op.drop_index(batch_op.f('ix_notification_escalate_at'))
        batch_op.drop_index(batch_op.f('ix_notification_created_at'))

    op.drop_table('notification')
