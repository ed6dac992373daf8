"""The live-proxy unique index follows the naming convention (ix_ prefix)

Revision ID: 7c2d9e4f1a36
Revises: a7c3e1f9b2d4
Create Date: 2026-12-02 08:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = '7c2d9e4f1a36'
down_revision = 'a7c3e1f9b2d4'
branch_labels = None
depends_on = None

WHERE = dict(sqlite_where=sa.text('revoked_at IS NULL'), postgresql_where=sa.text('revoked_at IS NULL'))


def upgrade():
    with op.batch_alter_table('meeting_proxies', schema=None) as batch_op:
        batch_op.drop_index('uq_meeting_proxies_live', **WHERE)
        batch_op.create_index('ix_meeting_proxies_live', ['meeting_id', 'member_id'], unique=True, **WHERE)


def downgrade():
    with op.batch_alter_table('meeting_proxies', schema=None) as batch_op:
        batch_op.drop_index('ix_meeting_proxies_live', **WHERE)
        batch_op.create_index('uq_meeting_proxies_live', ['meeting_id', 'member_id'], unique=True, **WHERE)
