"""decision kinds: each proposal records its kind, venue and governing clause

Existing proposals were all votes outside a meeting counted "of votes cast", before coopkit
knew decision kinds. They are mapped onto the kind they were meant as and marked venue
"legacy": their frozen counting settings (threshold, basis, quorum) are kept, so a recount
gives the outcome they closed with (tests/proposals/test_decision_migration.py).

Revision ID: 7c1e0a9d2b41
Revises: 7c2d9e4f1a36
Create Date: 2026-12-02 07:15:00

"""
from alembic import op
import sqlalchemy as sa


revision = '7c1e0a9d2b41'
down_revision = '7c2d9e4f1a36'
branch_labels = None
depends_on = None

OLD_METHODS = "method IN ('resolution', 'unanimity', 'consent', 'consensus', 'poll', 'election')"
NEW_METHODS = ("method IN ('resolution', 'unanimity', 'consent', 'consensus', 'poll', 'election', 'instrument', "
               "'audit_exemption')")

#: today's (method, preset, changes the rules?) -> the decision kind it was meant as
KIND_FOR = """CASE
    WHEN method = 'resolution' AND preset = 'special' THEN 'special'
    WHEN method = 'resolution' AND preset = 'custom' AND rule_changes_json NOT IN ('{}', '') THEN 'special'
    WHEN method = 'resolution' THEN 'ordinary'
    WHEN method = 'unanimity' THEN 'entrenched'
    ELSE method END"""


def upgrade():
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column('venue', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('citation', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('threshold_exact', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('against_cast_below', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('against_all_below', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('subject_member_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('subject_notified_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('subject_reply', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('subject_reply_at', sa.DateTime(), nullable=True))
    op.execute(f"UPDATE proposals SET kind = {KIND_FOR}, venue = 'legacy', subject_reply = '', "
               "citation = CASE WHEN method = 'resolution' THEN "
               "'Recorded before decision kinds: counted on votes cast, as it was then' "
               "ELSE 'Recorded before decision kinds: counted as it was then' END")
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.alter_column('kind', existing_type=sa.String(length=30), nullable=False)
        batch_op.alter_column('venue', existing_type=sa.String(length=10), nullable=False)
        batch_op.alter_column('citation', existing_type=sa.String(length=300), nullable=False)
        batch_op.alter_column('subject_reply', existing_type=sa.Text(), nullable=False)
        batch_op.create_foreign_key(batch_op.f('fk_proposals_subject_member_id_members'), 'members',
                                    ['subject_member_id'], ['id'])
        batch_op.drop_constraint(batch_op.f('ck_proposals_method'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_proposals_method'), NEW_METHODS)
        batch_op.drop_constraint(batch_op.f('ck_proposals_outcome'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_proposals_outcome'),
                                         "outcome IS NULL OR outcome IN ('passed', 'failed', 'advisory')")
        batch_op.create_check_constraint(batch_op.f('ck_proposals_venue'), "venue IN ('writing', 'meeting', 'legacy')")


def downgrade():
    # proposals of the new methods or outcomes cannot be represented before this revision
    op.execute("UPDATE proposals SET outcome = 'passed' WHERE outcome = 'advisory'")
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_proposals_venue'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_proposals_outcome'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_proposals_outcome'),
                                         "outcome IS NULL OR outcome IN ('passed', 'failed')")
        batch_op.drop_constraint(batch_op.f('ck_proposals_method'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_proposals_subject_member_id_members'), type_='foreignkey')
        batch_op.drop_column('subject_reply_at')
        batch_op.drop_column('subject_reply')
        batch_op.drop_column('subject_notified_at')
        batch_op.drop_column('subject_member_id')
        batch_op.drop_column('against_all_below')
        batch_op.drop_column('against_cast_below')
        batch_op.drop_column('threshold_exact')
        batch_op.drop_column('citation')
        batch_op.drop_column('venue')
        batch_op.drop_column('kind')
    op.execute("UPDATE proposals SET method = 'resolution' WHERE method IN ('instrument', 'audit_exemption')")
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.create_check_constraint(batch_op.f('ck_proposals_method'), OLD_METHODS)
