"""meetings: expulsion, admission and election of directors as agenda items; sealed secret polls

Agenda items about one member (the member, the written notice and reasons, their reply and
hearing), candidates and ranked ballots for elections, the sealed ballot box of a secret poll
while it is open, and an elected director's term in the register of officers. Existing rows
keep their values (the new text columns start empty).

Revision ID: e4b7a2c9d1f0
Revises: 7c1e0a9d2b41
Create Date: 2026-12-02 14:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'e4b7a2c9d1f0'
down_revision = '7c1e0a9d2b41'
branch_labels = None
depends_on = None

OLD_KINDS = ("kind IS NULL OR kind IN ('ordinary', 'special', 'statutory_special', 'statutory_confirmation', "
             "'audit_exemption')")
NEW_KINDS = ("kind IS NULL OR kind IN ('ordinary', 'special', 'statutory_special', 'statutory_confirmation', "
             "'audit_exemption', 'entrenched', 'expulsion', 'admission', 'election')")


def upgrade():
    with op.batch_alter_table('meeting_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject_member_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('subject_reasons', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('subject_notified_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('subject_reply', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('subject_reply_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('subject_heard', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('seats', sa.Integer(), nullable=True))
    op.execute("UPDATE meeting_items SET subject_reasons = '', subject_reply = ''")
    with op.batch_alter_table('meeting_items', schema=None) as batch_op:
        batch_op.alter_column('subject_reasons', existing_type=sa.Text(), nullable=False)
        batch_op.alter_column('subject_reply', existing_type=sa.Text(), nullable=False)
        batch_op.create_foreign_key(batch_op.f('fk_meeting_items_subject_member_id_members'), 'members',
                                    ['subject_member_id'], ['id'])
        batch_op.drop_constraint(batch_op.f('ck_meeting_items_kind'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_meeting_items_kind'), NEW_KINDS)
        batch_op.create_check_constraint(batch_op.f('ck_meeting_items_subject_heard'),
                                         "subject_heard IS NULL OR subject_heard IN ('spoke', 'declined', 'absent')")
        batch_op.create_check_constraint(batch_op.f('ck_meeting_items_seats'), "seats IS NULL OR seats >= 1")
    with op.batch_alter_table('officers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('term_ends_on', sa.Date(), nullable=True))

    op.create_table('meeting_candidates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('nominated_on', sa.Date(), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['item_id'], ['meeting_items.id'], name=op.f('fk_meeting_candidates_item_id_meeting_items')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_meeting_candidates_member_id_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_candidates')),
    sa.UniqueConstraint('item_id', 'member_id', name=op.f('uq_meeting_candidates_item_id_member_id'))
    )
    with op.batch_alter_table('meeting_candidates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_candidates_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_candidates_member_id'), ['member_id'], unique=False)

    op.create_table('meeting_ballot_box',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('sealed', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['meeting_items.id'], name=op.f('fk_meeting_ballot_box_item_id_meeting_items')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_ballot_box')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('meeting_ballot_box', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_ballot_box_item_id'), ['item_id'], unique=False)

    op.create_table('meeting_rankings',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('ranking', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['meeting_items.id'], name=op.f('fk_meeting_rankings_item_id_meeting_items')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_meeting_rankings_member_id_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_rankings')),
    sa.UniqueConstraint('item_id', 'member_id', name=op.f('uq_meeting_rankings_item_id_member_id')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('meeting_rankings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_rankings_item_id'), ['item_id'], unique=False)


def downgrade():
    with op.batch_alter_table('meeting_rankings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_rankings_item_id'))
    op.drop_table('meeting_rankings')
    with op.batch_alter_table('meeting_ballot_box', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_ballot_box_item_id'))
    op.drop_table('meeting_ballot_box')
    with op.batch_alter_table('meeting_candidates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_candidates_member_id'))
        batch_op.drop_index(batch_op.f('ix_meeting_candidates_item_id'))
    op.drop_table('meeting_candidates')
    with op.batch_alter_table('officers', schema=None) as batch_op:
        batch_op.drop_column('term_ends_on')
    # items of the new kinds cannot be represented before this revision
    op.execute("UPDATE meeting_items SET state = 'withdrawn', kind = 'ordinary' "
               "WHERE kind IN ('entrenched', 'expulsion', 'admission', 'election')")
    with op.batch_alter_table('meeting_items', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_meeting_items_seats'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_meeting_items_subject_heard'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_meeting_items_kind'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_meeting_items_kind'), OLD_KINDS)
        batch_op.drop_constraint(batch_op.f('fk_meeting_items_subject_member_id_members'), type_='foreignkey')
        batch_op.drop_column('seats')
        batch_op.drop_column('subject_heard')
        batch_op.drop_column('subject_reply_at')
        batch_op.drop_column('subject_reply')
        batch_op.drop_column('subject_notified_on')
        batch_op.drop_column('subject_reasons')
        batch_op.drop_column('subject_member_id')
