"""document jobs: large PDFs rendered by the job queue

Revision ID: c7d2e9f1a4b3
Revises: 7c2d9e4f1a30
Create Date: 2026-12-02 08:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'c7d2e9f1a4b3'
down_revision = '7c2d9e4f1a30'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('document_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=43), nullable=False),
    sa.Column('coop_id', sa.Integer(), nullable=True),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=60), nullable=False),
    sa.Column('params', sa.Text(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('error', sa.String(length=300), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['coop_id'], ['coops.id'], name=op.f('fk_document_jobs_coop_id_coops')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_document_jobs_requested_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_jobs')),
    sa.UniqueConstraint('token', name=op.f('uq_document_jobs_token'))
    )
    with op.batch_alter_table('document_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_jobs_coop_id'), ['coop_id'], unique=False)


def downgrade():
    with op.batch_alter_table('document_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_jobs_coop_id'))
    op.drop_table('document_jobs')
