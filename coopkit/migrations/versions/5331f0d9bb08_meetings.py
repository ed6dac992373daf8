"""General meetings: meetings, agenda items, attendance, proxies, consents, poll voters and ballots

Revision ID: 5331f0d9bb08
Revises: d5a4f6c69d85
Create Date: 2026-12-02 06:55:25.414476

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5331f0d9bb08'
down_revision = 'd5a4f6c69d85'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('meetings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('coop_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('place', sa.Text(), nullable=False),
    sa.Column('mode', sa.String(length=12), nullable=False),
    sa.Column('online_details', sa.Text(), nullable=False),
    sa.Column('called_by', sa.String(length=12), nullable=False),
    sa.Column('called_by_user_id', sa.Integer(), nullable=True),
    sa.Column('requisition_text', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('notice_sent_at', sa.DateTime(), nullable=True),
    sa.Column('notice_sent_on', sa.Date(), nullable=True),
    sa.Column('notice_clear_days', sa.Integer(), nullable=True),
    sa.Column('short_notice', sa.Boolean(), nullable=False),
    sa.Column('consents_needed', sa.Integer(), nullable=True),
    sa.Column('entitled', sa.Integer(), nullable=True),
    sa.Column('proxies_allowed', sa.Boolean(), nullable=False),
    sa.Column('proxy_limit', sa.Integer(), nullable=True),
    sa.Column('proxy_deadline_at', sa.DateTime(), nullable=True),
    sa.Column('quorum_needed', sa.Integer(), nullable=True),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('present_at_start', sa.Integer(), nullable=True),
    sa.Column('chair_member_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('adjourned_from_id', sa.Integer(), nullable=True),
    sa.Column('adjourned_reason', sa.Text(), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(), nullable=True),
    sa.Column('minutes_approved_at_id', sa.Integer(), nullable=True),
    sa.Column('minutes_approved_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("called_by IN ('secretary', 'directors', 'requisition', 'founders')", name=op.f('ck_meetings_called_by')),
    sa.CheckConstraint("kind IN ('agm', 'general')", name=op.f('ck_meetings_kind')),
    sa.CheckConstraint("mode IN ('in_person', 'online', 'hybrid')", name=op.f('ck_meetings_mode')),
    sa.CheckConstraint("state IN ('draft', 'called', 'open', 'adjourned', 'closed', 'cancelled')", name=op.f('ck_meetings_state')),
    sa.CheckConstraint('quorum_needed IS NULL OR quorum_needed >= 1', name=op.f('ck_meetings_quorum_positive')),
    sa.ForeignKeyConstraint(['adjourned_from_id'], ['meetings.id'], name=op.f('fk_meetings_adjourned_from_id_meetings')),
    sa.ForeignKeyConstraint(['called_by_user_id'], ['users.id'], name=op.f('fk_meetings_called_by_user_id_users')),
    sa.ForeignKeyConstraint(['chair_member_id'], ['members.id'], name=op.f('fk_meetings_chair_member_id_members')),
    sa.ForeignKeyConstraint(['coop_id'], ['coops.id'], name=op.f('fk_meetings_coop_id_coops')),
    sa.ForeignKeyConstraint(['minutes_approved_at_id'], ['meetings.id'], name=op.f('fk_meetings_minutes_approved_at_id_meetings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meetings')),
    sa.UniqueConstraint('coop_id', 'number', name=op.f('uq_meetings_coop_id_number'))
    )
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meetings_coop_id'), ['coop_id'], unique=False)
        batch_op.create_index('ix_meetings_coop_starts', ['coop_id', 'starts_at'], unique=False)

    op.create_table('meeting_attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.Column('left_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("status IN ('in_person', 'online', 'apologies')", name=op.f('ck_meeting_attendance_status')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_meeting_attendance_meeting_id_meetings')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_meeting_attendance_member_id_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_attendance')),
    sa.UniqueConstraint('meeting_id', 'member_id', name=op.f('uq_meeting_attendance_meeting_id_member_id'))
    )
    with op.batch_alter_table('meeting_attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_attendance_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_attendance_member_id'), ['member_id'], unique=False)

    op.create_table('meeting_consents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=14), nullable=False),
    sa.Column('given_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("purpose IN ('short_notice', 'requisition')", name=op.f('ck_meeting_consents_purpose')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_meeting_consents_meeting_id_meetings')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_meeting_consents_member_id_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_consents')),
    sa.UniqueConstraint('meeting_id', 'member_id', 'purpose', name=op.f('uq_meeting_consents_meeting_id_member_id_purpose'))
    )
    with op.batch_alter_table('meeting_consents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_consents_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_consents_member_id'), ['member_id'], unique=False)

    op.create_table('meeting_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('item_type', sa.String(length=12), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=True),
    sa.Column('resolution_text', sa.Text(), nullable=False),
    sa.Column('purpose', sa.String(length=20), nullable=True),
    sa.Column('confirms_item_id', sa.Integer(), nullable=True),
    sa.Column('approves_meeting_id', sa.Integer(), nullable=True),
    sa.Column('rule_changes_json', sa.Text(), nullable=False),
    sa.Column('amended_rules_version_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('method', sa.String(length=8), nullable=True),
    sa.Column('secret', sa.Boolean(), nullable=False),
    sa.Column('votes_for', sa.Integer(), nullable=True),
    sa.Column('votes_against', sa.Integer(), nullable=True),
    sa.Column('votes_abstain', sa.Integer(), nullable=True),
    sa.Column('present_at_vote', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=10), nullable=True),
    sa.Column('result_json', sa.Text(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("item_type IN ('business', 'resolution', 'minutes')", name=op.f('ck_meeting_items_item_type')),
    sa.CheckConstraint("kind IS NULL OR kind IN ('ordinary', 'special', 'statutory_special', 'statutory_confirmation', 'audit_exemption')", name=op.f('ck_meeting_items_kind')),
    sa.CheckConstraint("outcome IS NULL OR outcome IN ('passed', 'failed')", name=op.f('ck_meeting_items_outcome')),
    sa.CheckConstraint("state IN ('pending', 'voting', 'decided', 'noted', 'withdrawn')", name=op.f('ck_meeting_items_state')),
    sa.CheckConstraint('votes_for IS NULL OR (votes_for >= 0 AND votes_against >= 0 AND votes_abstain >= 0)', name=op.f('ck_meeting_items_counts')),
    sa.ForeignKeyConstraint(['amended_rules_version_id'], ['rules_versions.id'], name=op.f('fk_meeting_items_amended_rules_version_id_rules_versions')),
    sa.ForeignKeyConstraint(['approves_meeting_id'], ['meetings.id'], name=op.f('fk_meeting_items_approves_meeting_id_meetings')),
    sa.ForeignKeyConstraint(['confirms_item_id'], ['meeting_items.id'], name=op.f('fk_meeting_items_confirms_item_id_meeting_items')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_meeting_items_meeting_id_meetings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_items')),
    sa.UniqueConstraint('meeting_id', 'position', name=op.f('uq_meeting_items_meeting_id_position'))
    )
    with op.batch_alter_table('meeting_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_items_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('meeting_proxies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('holder_member_id', sa.Integer(), nullable=False),
    sa.Column('appointed_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint('member_id <> holder_member_id', name=op.f('ck_meeting_proxies_not_self')),
    sa.ForeignKeyConstraint(['holder_member_id'], ['members.id'], name=op.f('fk_meeting_proxies_holder_member_id_members')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_meeting_proxies_meeting_id_meetings')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_meeting_proxies_member_id_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_proxies'))
    )
    with op.batch_alter_table('meeting_proxies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_proxies_holder_member_id'), ['holder_member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_proxies_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_proxies_member_id'), ['member_id'], unique=False)
        batch_op.create_index('uq_meeting_proxies_live', ['meeting_id', 'member_id'], unique=True, sqlite_where=sa.text('revoked_at IS NULL'), postgresql_where=sa.text('revoked_at IS NULL'))

    op.create_table('meeting_ballots',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('choice', sa.String(length=8), nullable=False),
    sa.CheckConstraint("choice IN ('for', 'against', 'abstain')", name=op.f('ck_meeting_ballots_choice')),
    sa.ForeignKeyConstraint(['item_id'], ['meeting_items.id'], name=op.f('fk_meeting_ballots_item_id_meeting_items')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_meeting_ballots_member_id_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_ballots')),
    sa.UniqueConstraint('item_id', 'member_id', name=op.f('uq_meeting_ballots_item_id_member_id')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('meeting_ballots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_ballots_item_id'), ['item_id'], unique=False)

    op.create_table('meeting_voters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('cast_by_member_id', sa.Integer(), nullable=True),
    sa.Column('voted_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['cast_by_member_id'], ['members.id'], name=op.f('fk_meeting_voters_cast_by_member_id_members')),
    sa.ForeignKeyConstraint(['item_id'], ['meeting_items.id'], name=op.f('fk_meeting_voters_item_id_meeting_items')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_meeting_voters_member_id_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_voters')),
    sa.UniqueConstraint('item_id', 'member_id', name=op.f('uq_meeting_voters_item_id_member_id'))
    )
    with op.batch_alter_table('meeting_voters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_voters_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_voters_member_id'), ['member_id'], unique=False)



def downgrade():
    with op.batch_alter_table('meeting_voters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_voters_member_id'))
        batch_op.drop_index(batch_op.f('ix_meeting_voters_item_id'))

    op.drop_table('meeting_voters')
    with op.batch_alter_table('meeting_ballots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_ballots_item_id'))

    op.drop_table('meeting_ballots')
    with op.batch_alter_table('meeting_proxies', schema=None) as batch_op:
        batch_op.drop_index('uq_meeting_proxies_live', sqlite_where=sa.text('revoked_at IS NULL'), postgresql_where=sa.text('revoked_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_meeting_proxies_member_id'))
        batch_op.drop_index(batch_op.f('ix_meeting_proxies_meeting_id'))
        batch_op.drop_index(batch_op.f('ix_meeting_proxies_holder_member_id'))

    op.drop_table('meeting_proxies')
    with op.batch_alter_table('meeting_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_items_meeting_id'))

    op.drop_table('meeting_items')
    with op.batch_alter_table('meeting_consents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_consents_member_id'))
        batch_op.drop_index(batch_op.f('ix_meeting_consents_meeting_id'))

    op.drop_table('meeting_consents')
    with op.batch_alter_table('meeting_attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_attendance_member_id'))
        batch_op.drop_index(batch_op.f('ix_meeting_attendance_meeting_id'))

    op.drop_table('meeting_attendance')
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_index('ix_meetings_coop_starts')
        batch_op.drop_index(batch_op.f('ix_meetings_coop_id'))

    op.drop_table('meetings')
