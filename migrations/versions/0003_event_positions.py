"""event positions: each county's events numbered in commit order (the live-update outbox)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 21:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'event_positions',
        sa.Column('county_id', sa.BigInteger(), nullable=False),
        sa.Column('last_position', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('county_id'),
    )
    op.add_column('case_events', sa.Column('position', sa.BigInteger(), nullable=True))
    # Events written before positions existed keep their order of ids, county by county.
    op.execute(
        "UPDATE case_events e SET position = numbered.position FROM ("
        " SELECT id, row_number() OVER (PARTITION BY county_id ORDER BY id) AS position"
        " FROM case_events) AS numbered WHERE e.id = numbered.id"
    )
    op.execute(
        "INSERT INTO event_positions (county_id, last_position)"
        " SELECT county_id, max(position) FROM case_events GROUP BY county_id"
    )
    op.alter_column('case_events', 'position', nullable=False)
    op.create_index(
        'ux_case_events_county_position', 'case_events', ['county_id', 'position'], unique=True
    )


def downgrade() -> None:
    op.drop_index('ux_case_events_county_position', table_name='case_events')
    op.drop_column('case_events', 'position')
    op.drop_table('event_positions')
