"""failed jobs of the job queue

Revision ID: a3f1c2d4e5b6
Revises: 3b8e51c0a7d2
Create Date: 2026-12-02 07:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'a3f1c2d4e5b6'
down_revision = '3b8e51c0a7d2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('failed_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.Column('error', sa.String(length=300), nullable=False),
    sa.Column('payload', sa.LargeBinary(), nullable=False),
    sa.Column('failed_at', sa.DateTime(), nullable=False),
    sa.Column('retried_at', sa.DateTime(), nullable=True),
    sa.Column('retried_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['retried_by_id'], ['users.id'], name=op.f('fk_failed_jobs_retried_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_failed_jobs'))
    )


def downgrade():
    op.drop_table('failed_jobs')
