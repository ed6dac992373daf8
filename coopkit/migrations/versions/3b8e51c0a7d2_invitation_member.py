"""an invitation may be bound to a register entry without an account

Revision ID: 3b8e51c0a7d2
Revises: b046e1b71b04
Create Date: 2026-12-02 07:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '3b8e51c0a7d2'
down_revision = 'b046e1b71b04'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('member_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_invitations_member_id'), ['member_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_invitations_member_id_members'), 'members', ['member_id'], ['id'])


def downgrade():
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_invitations_member_id_members'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_invitations_member_id'))
        batch_op.drop_column('member_id')
