"""Cohort requests: a co-op accepts joining a cohort, or a platform admin as its mentor

Revision ID: a7c3e1f9b2d4
Revises: e4b7a1c93d52
Create Date: 2026-12-02 07:20:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'a7c3e1f9b2d4'
down_revision = 'e4b7a1c93d52'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cohort_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('coop_id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('mentor_id', sa.Integer(), nullable=True),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'accepted', 'declined', 'ended')",
                       name=op.f('ck_cohort_requests_status')),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_cohort_requests_answered_by_id_users')),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_cohort_requests_cohort_id_cohorts')),
    sa.ForeignKeyConstraint(['coop_id'], ['coops.id'], name=op.f('fk_cohort_requests_coop_id_coops')),
    sa.ForeignKeyConstraint(['mentor_id'], ['users.id'], name=op.f('fk_cohort_requests_mentor_id_users')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'],
                            name=op.f('fk_cohort_requests_requested_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cohort_requests'))
    )
    with op.batch_alter_table('cohort_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cohort_requests_cohort_id'), ['cohort_id'], unique=False)
        batch_op.create_index('ix_cohort_requests_coop_status', ['coop_id', 'status'], unique=False)


def downgrade():
    with op.batch_alter_table('cohort_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_cohort_requests_coop_status')
        batch_op.drop_index(batch_op.f('ix_cohort_requests_cohort_id'))
    op.drop_table('cohort_requests')
