"""officers who are not members, directors' particulars, register of people with significant control

Revision ID: e4b7a1c93d52
Revises: c7d2e9f1a4b3
Create Date: 2026-12-02 08:25:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'e4b7a1c93d52'
down_revision = 'c7d2e9f1a4b3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('officers', schema=None) as batch_op:
        batch_op.alter_column('member_id', existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column('person_name', sa.String(length=160), nullable=True))
        batch_op.add_column(sa.Column('service_address', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('date_of_birth', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('nationality', sa.String(length=80), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('country_of_residence', sa.String(length=80), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('occupation', sa.String(length=120), nullable=False, server_default=''))
        batch_op.drop_constraint(batch_op.f('ck_officers_office'), type_='check')
        batch_op.create_check_constraint(
            'office', "office IN ('secretary', 'director', 'chair', 'treasurer', 'manager')")
        batch_op.create_check_constraint('member_or_person', "member_id IS NOT NULL OR person_name IS NOT NULL")
    with op.batch_alter_table('officers', schema=None) as batch_op:
        for column in ('service_address', 'nationality', 'country_of_residence', 'occupation'):
            batch_op.alter_column(column, server_default=None)

    op.create_table('significant_controls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('coop_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('full_name', sa.String(length=160), nullable=False),
    sa.Column('nature', sa.String(length=300), nullable=False),
    sa.Column('service_address', sa.Text(), nullable=False),
    sa.Column('date_of_birth', sa.Date(), nullable=True),
    sa.Column('nationality', sa.String(length=80), nullable=False),
    sa.Column('country_of_residence', sa.String(length=80), nullable=False),
    sa.Column('became_on', sa.Date(), nullable=False),
    sa.Column('ceased_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('ceased_on IS NULL OR ceased_on >= became_on',
                       name=op.f('ck_significant_controls_ceased_after_became')),
    sa.ForeignKeyConstraint(['coop_id'], ['coops.id'], name=op.f('fk_significant_controls_coop_id_coops')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_significant_controls_member_id_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_significant_controls'))
    )
    with op.batch_alter_table('significant_controls', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_significant_controls_coop_id'), ['coop_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_significant_controls_member_id'), ['member_id'], unique=False)


def downgrade():
    with op.batch_alter_table('significant_controls', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_significant_controls_member_id'))
        batch_op.drop_index(batch_op.f('ix_significant_controls_coop_id'))
    op.drop_table('significant_controls')
    op.execute("DELETE FROM officers WHERE member_id IS NULL")
    op.execute("UPDATE officers SET office = 'director' WHERE office = 'manager'")
    with op.batch_alter_table('officers', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_officers_member_or_person'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_officers_office'), type_='check')
        batch_op.create_check_constraint('office', "office IN ('secretary', 'director', 'chair', 'treasurer')")
        batch_op.drop_column('occupation')
        batch_op.drop_column('country_of_residence')
        batch_op.drop_column('nationality')
        batch_op.drop_column('date_of_birth')
        batch_op.drop_column('service_address')
        batch_op.drop_column('person_name')
        batch_op.alter_column('member_id', existing_type=sa.Integer(), nullable=False)
