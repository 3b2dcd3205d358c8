"""incidents: incidents, their reports, timeline, tasks, evidence, affected operators and
assets, referrals, and the per-year reference-number sequence

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28 16:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import fenghuo.store.base


revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('incident_sequence',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_incident_sequence'))
    )
    op.create_table('incident',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('reference', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('org_id', sa.String(length=36), nullable=False),
    sa.Column('reported_by_id', sa.String(length=36), nullable=True),
    sa.Column('reported_by', sa.String(length=200), nullable=False),
    sa.Column('origin', sa.String(length=20), nullable=False),
    sa.Column('detection_ids', sa.JSON(), nullable=False),
    sa.Column('warning_id', sa.String(length=36), nullable=True),
    sa.Column('operator_type', sa.String(length=20), nullable=False),
    sa.Column('plan_name', sa.String(length=100), nullable=False),
    sa.Column('plan_version', sa.Integer(), nullable=False),
    sa.Column('plan_version_id', sa.String(length=36), nullable=False),
    sa.Column('reporting_unit', sa.String(length=300), nullable=False),
    sa.Column('facility', sa.Text(), nullable=False),
    sa.Column('discovered_at', fenghuo.store.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('occurred_at', fenghuo.store.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('place', sa.String(length=300), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('impact', sa.JSON(), nullable=False),
    sa.Column('data_involved', sa.Text(), nullable=False),
    sa.Column('measures_taken', sa.Text(), nullable=False),
    sa.Column('ransom_amount', sa.String(length=100), nullable=True),
    sa.Column('ransom_method', sa.String(length=300), nullable=True),
    sa.Column('ransom_date', sa.Date(), nullable=True),
    sa.Column('trend', sa.Text(), nullable=False),
    sa.Column('cause', sa.Text(), nullable=False),
    sa.Column('attribution', sa.Text(), nullable=False),
    sa.Column('planned_measures', sa.Text(), nullable=False),
    sa.Column('support_requested', sa.Text(), nullable=False),
    sa.Column('scene_preservation', sa.Text(), nullable=False),
    sa.Column('other_matters', sa.Text(), nullable=False),
    sa.Column('computed_level', sa.String(length=4), nullable=True),
    sa.Column('final_level', sa.String(length=4), nullable=True),
    sa.Column('override_level', sa.String(length=4), nullable=True),
    sa.Column('override_reason', sa.Text(), nullable=False),
    sa.Column('override_by', sa.String(length=200), nullable=True),
    sa.Column('classification', sa.JSON(), nullable=False),
    sa.Column('classified_at', fenghuo.store.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('activated_level', sa.String(length=4), nullable=True),
    sa.Column('harm_evaluation', sa.Text(), nullable=False),
    sa.Column('handling_ended_at', fenghuo.store.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', fenghuo.store.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancel_reason', sa.Text(), nullable=False),
    sa.Column('merged_into_id', sa.String(length=36), nullable=True),
    sa.Column('created_at', fenghuo.store.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', fenghuo.store.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organisation.id'], name=op.f('fk_incident_org_id_organisation')),
    sa.ForeignKeyConstraint(['reported_by_id'], ['user_account.id'], name=op.f('fk_incident_reported_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident')),
    sa.UniqueConstraint('reference', name=op.f('uq_incident_reference'))
    )
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_discovered_at'), ['discovered_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_incident_org_id'), ['org_id'], unique=False)
        batch_op.create_index('ix_incident_state_level', ['state', 'final_level'], unique=False)

    op.create_table('incident_asset',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('incident_id', sa.String(length=36), nullable=False),
    sa.Column('asset_id', sa.String(length=36), nullable=False),
    sa.Column('added_at', fenghuo.store.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['asset_id'], ['asset.id'], name=op.f('fk_incident_asset_asset_id_asset')),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], name=op.f('fk_incident_asset_incident_id_incident'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_asset')),
    sa.UniqueConstraint('incident_id', 'asset_id', name=op.f('uq_incident_asset_incident_id'))
    )
    with op.batch_alter_table('incident_asset', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_asset_asset_id'), ['asset_id'], unique=False)

    op.create_table('incident_evidence',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('incident_id', sa.String(length=36), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('media_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('uploaded_at', fenghuo.store.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('uploaded_by_id', sa.String(length=36), nullable=True),
    sa.Column('uploaded_by', sa.String(length=200), nullable=False),
    sa.Column('uploader_org_id', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], name=op.f('fk_incident_evidence_incident_id_incident'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], name=op.f('fk_incident_evidence_uploaded_by_id_user_account')),
    sa.ForeignKeyConstraint(['uploader_org_id'], ['organisation.id'], name=op.f('fk_incident_evidence_uploader_org_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_evidence'))
    )
    with op.batch_alter_table('incident_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_evidence_incident_id'), ['incident_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_incident_evidence_sha256'), ['sha256'], unique=False)

    op.create_table('incident_operator',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('incident_id', sa.String(length=36), nullable=False),
    sa.Column('org_id', sa.String(length=36), nullable=False),
    sa.Column('added_at', fenghuo.store.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], name=op.f('fk_incident_operator_incident_id_incident'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['org_id'], ['organisation.id'], name=op.f('fk_incident_operator_org_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_operator')),
    sa.UniqueConstraint('incident_id', 'org_id', name=op.f('uq_incident_operator_incident_id'))
    )
    with op.batch_alter_table('incident_operator', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_operator_org_id'), ['org_id'], unique=False)

    op.create_table('incident_referral',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('incident_id', sa.String(length=36), nullable=False),
    sa.Column('authority', sa.String(length=40), nullable=False),
    sa.Column('recipient', sa.String(length=300), nullable=False),
    sa.Column('grounds', sa.Text(), nullable=False),
    sa.Column('made_at', fenghuo.store.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('made_by_id', sa.String(length=36), nullable=True),
    sa.Column('made_by', sa.String(length=200), nullable=False),
    sa.Column('document', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], name=op.f('fk_incident_referral_incident_id_incident'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['made_by_id'], ['user_account.id'], name=op.f('fk_incident_referral_made_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_referral'))
    )
    with op.batch_alter_table('incident_referral', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_referral_incident_id'), ['incident_id'], unique=False)

    op.create_table('incident_report',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('incident_id', sa.String(length=36), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('made_at', fenghuo.store.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('made_by_id', sa.String(length=36), nullable=True),
    sa.Column('made_by', sa.String(length=200), nullable=False),
    sa.Column('org_id', sa.String(length=36), nullable=True),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('level', sa.String(length=4), nullable=True),
    sa.Column('notification_id', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], name=op.f('fk_incident_report_incident_id_incident'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['made_by_id'], ['user_account.id'], name=op.f('fk_incident_report_made_by_id_user_account')),
    sa.ForeignKeyConstraint(['org_id'], ['organisation.id'], name=op.f('fk_incident_report_org_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_report'))
    )
    with op.batch_alter_table('incident_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_report_incident_id'), ['incident_id'], unique=False)

    op.create_table('incident_task',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('incident_id', sa.String(length=36), nullable=False),
    sa.Column('level', sa.String(length=4), nullable=False),
    sa.Column('title_zh', sa.String(length=300), nullable=False),
    sa.Column('title_en', sa.String(length=300), nullable=False),
    sa.Column('owner_role', sa.String(length=40), nullable=False),
    sa.Column('owner_org_id', sa.String(length=36), nullable=True),
    sa.Column('directive', sa.Boolean(), nullable=False),
    sa.Column('due_at', fenghuo.store.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('created_at', fenghuo.store.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('completed_at', fenghuo.store.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('completed_by', sa.String(length=200), nullable=True),
    sa.Column('completion_note', sa.Text(), nullable=False),
    sa.Column('notification_id', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], name=op.f('fk_incident_task_incident_id_incident'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_org_id'], ['organisation.id'], name=op.f('fk_incident_task_owner_org_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_task'))
    )
    with op.batch_alter_table('incident_task', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_task_incident_id'), ['incident_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_incident_task_owner_org_id'), ['owner_org_id'], unique=False)

    op.create_table('incident_timeline',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('incident_id', sa.String(length=36), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('at', fenghuo.store.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recorded_at', fenghuo.store.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('author_id', sa.String(length=36), nullable=True),
    sa.Column('author', sa.String(length=200), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('automatic', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_incident_timeline_author_id_user_account')),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], name=op.f('fk_incident_timeline_incident_id_incident'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_timeline'))
    )
    with op.batch_alter_table('incident_timeline', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_timeline_incident_id'), ['incident_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('incident_timeline', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_timeline_incident_id'))

    op.drop_table('incident_timeline')
    with op.batch_alter_table('incident_task', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_task_owner_org_id'))
        batch_op.drop_index(batch_op.f('ix_incident_task_incident_id'))

    op.drop_table('incident_task')
    with op.batch_alter_table('incident_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_report_incident_id'))

    op.drop_table('incident_report')
    with op.batch_alter_table('incident_referral', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_referral_incident_id'))

    op.drop_table('incident_referral')
    with op.batch_alter_table('incident_operator', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_operator_org_id'))

    op.drop_table('incident_operator')
    with op.batch_alter_table('incident_evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_evidence_sha256'))
        batch_op.drop_index(batch_op.f('ix_incident_evidence_incident_id'))

    op.drop_table('incident_evidence')
    with op.batch_alter_table('incident_asset', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_asset_asset_id'))

    op.drop_table('incident_asset')
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.drop_index('ix_incident_state_level')
        batch_op.drop_index(batch_op.f('ix_incident_org_id'))
        batch_op.drop_index(batch_op.f('ix_incident_discovered_at'))

    op.drop_table('incident')
    op.drop_table('incident_sequence')
