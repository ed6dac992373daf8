"""members: a partial index on (coop_id) of the entries with a probation

Revision ID: 9d4e2b7c1f58
Revises: f3b8d1e6a2c9
Create Date: 2026-12-02 18:15:00

The calendar's probations (one column of the mentor dashboard's statement) read the members of
each co-op whose probation_ends_on is set: with this index, those entries only, not the whole
register (issue 14).

No index on (coop_id, status, admitted_on) for the founding group: its condition (an OR over the
co-op's stage and registration date) is no range of such an index, so neither SQLite nor
PostgreSQL reads fewer members with it than with ix_members_coop_id / ix_members_coop_status.
"""
from alembic import op
import sqlalchemy as sa


revision = '9d4e2b7c1f58'
down_revision = 'f3b8d1e6a2c9'
branch_labels = None
depends_on = None

ON_PROBATION = sa.text('probation_ends_on IS NOT NULL')


def upgrade():
    op.create_index('ix_members_coop_probation', 'members', ['coop_id'], unique=False,
                    sqlite_where=ON_PROBATION, postgresql_where=ON_PROBATION)


def downgrade():
    op.drop_index('ix_members_coop_probation', table_name='members')
