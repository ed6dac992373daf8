"""someone who leaves and joins again gets a new register entry per membership

Revision ID: e1a9c4b7d2f0
Revises: e4b7a2c9d1f0
Create Date: 2026-12-02 14:10:00

The unique (coop_id, user_id) becomes a partial unique index over entries that have not
ceased, and a new entry points at the earlier one (previous_member_id). Existing rows are kept
as they are (an earlier rejoin's history stays in its amendments).
"""
from alembic import op
import sqlalchemy as sa


revision = 'e1a9c4b7d2f0'
down_revision = 'e4b7a2c9d1f0'
branch_labels = None
depends_on = None

CURRENT = sa.text("status <> 'ceased'")


def upgrade():
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('previous_member_id', sa.Integer(), nullable=True))
        batch_op.drop_constraint('uq_members_coop_user', type_='unique')
    op.create_index('ix_members_coop_user_current', 'members', ['coop_id', 'user_id'], unique=True,
                    sqlite_where=CURRENT, postgresql_where=CURRENT)


def downgrade():
    # Only possible while no account has two entries in one co-op (nobody has joined again since).
    op.drop_index('ix_members_coop_user_current', table_name='members')
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_members_coop_user', ['coop_id', 'user_id'])
        batch_op.drop_column('previous_member_id')
