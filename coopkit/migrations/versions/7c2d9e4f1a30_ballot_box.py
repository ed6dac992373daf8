"""the ballot box: secret ballots sealed until close

Revision ID: 7c2d9e4f1a30
Revises: f62181e88b23
Create Date: 2026-12-02 07:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = '7c2d9e4f1a30'
down_revision = 'f62181e88b23'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('ballot_box',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('sealed', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_ballot_box_proposal_id_proposals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ballot_box')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('ballot_box', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ballot_box_proposal_id'), ['proposal_id'], unique=False)


def downgrade():
    with op.batch_alter_table('ballot_box', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ballot_box_proposal_id'))
    op.drop_table('ballot_box')
