"""officers: former names and a private residential address; officer_amendments keeps every change

Revision ID: f3b8d1e6a2c9
Revises: e1a9c4b7d2f0
Create Date: 2026-12-02 15:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'f3b8d1e6a2c9'
down_revision = 'e1a9c4b7d2f0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('officers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('former_names', sa.String(length=160), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('residential_address', sa.Text(), nullable=False, server_default=''))
    with op.batch_alter_table('officers', schema=None) as batch_op:
        for column in ('former_names', 'residential_address'):
            batch_op.alter_column(column, server_default=None)

    op.create_table('officer_amendments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('coop_id', sa.Integer(), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=False),
    sa.Column('field', sa.String(length=40), nullable=False),
    sa.Column('old_value', sa.Text(), nullable=False),
    sa.Column('new_value', sa.Text(), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_officer_amendments_actor_id_users')),
    sa.ForeignKeyConstraint(['coop_id'], ['coops.id'], name=op.f('fk_officer_amendments_coop_id_coops')),
    sa.ForeignKeyConstraint(['officer_id'], ['officers.id'], name=op.f('fk_officer_amendments_officer_id_officers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_officer_amendments'))
    )
    with op.batch_alter_table('officer_amendments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_officer_amendments_coop_id'), ['coop_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_officer_amendments_officer_id'), ['officer_id'], unique=False)


def downgrade():
    with op.batch_alter_table('officer_amendments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_officer_amendments_officer_id'))
        batch_op.drop_index(batch_op.f('ix_officer_amendments_coop_id'))
    op.drop_table('officer_amendments')
    with op.batch_alter_table('officers', schema=None) as batch_op:
        batch_op.drop_column('residential_address')
        batch_op.drop_column('former_names')
