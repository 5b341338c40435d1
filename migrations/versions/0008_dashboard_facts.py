"""dashboard facts on the case row: first resolution (time, level) and latest satisfaction

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BEFORE = [
    'location_township_id',
    'location_village_id',
    'status',
    'risk_level',
    'category_id',
    'due_at',
    'escalation_count',
    'merged_into_id',
]
_FACTS = ['first_resolved_at', 'first_resolved_level', 'latest_satisfaction']


def upgrade() -> None:
    op.add_column('cases', sa.Column('first_resolved_at', sa.DateTime(timezone=True)))
    op.add_column('cases', sa.Column('first_resolved_level', sa.String(length=16)))
    op.add_column('cases', sa.Column('latest_satisfaction', sa.String(length=24)))
    # The same rules as services/events.record: the earliest RESOLVED event and its unit's
    # level, the latest EVALUATED event's satisfaction.
    op.execute(
        "UPDATE cases c SET first_resolved_at = r.at, first_resolved_level = r.level"
        " FROM (SELECT DISTINCT ON (e.case_id) e.case_id, e.at, u.level"
        "       FROM case_events e LEFT JOIN units u ON u.id = e.from_unit_id"
        "       WHERE e.type = 'RESOLVED' ORDER BY e.case_id, e.at, e.id) r"
        " WHERE r.case_id = c.id"
    )
    op.execute(
        "UPDATE cases c SET latest_satisfaction = v.satisfaction"
        " FROM (SELECT DISTINCT ON (e.case_id) e.case_id, e.data->>'satisfaction' AS satisfaction"
        "       FROM case_events e WHERE e.type = 'EVALUATED'"
        "       ORDER BY e.case_id, e.at DESC, e.id DESC) v"
        " WHERE v.case_id = c.id"
    )
    op.drop_index('ix_cases_county_stats', table_name='cases')
    op.create_index(
        'ix_cases_county_stats',
        'cases',
        ['county_id', 'registered_at'],
        postgresql_include=_BEFORE + _FACTS,
    )
    op.drop_index('ix_cases_location_township', table_name='cases')
    op.create_index(
        'ix_cases_location_township',
        'cases',
        ['location_township_id', 'registered_at'],
        postgresql_include=_BEFORE + _FACTS,
    )
    op.create_index(
        'ix_cases_county_first_resolved',
        'cases',
        ['county_id', 'first_resolved_at'],
        postgresql_include=['location_township_id', 'location_village_id', 'merged_into_id'],
    )
    op.create_index(
        'ix_case_events_handed_to',
        'case_events',
        ['to_unit_id', 'at'],
        postgresql_where="type IN ('DISPATCHED', 'REASSIGNED')",
    )


def downgrade() -> None:
    op.drop_index('ix_case_events_handed_to', table_name='case_events')
    op.drop_index('ix_cases_county_first_resolved', table_name='cases')
    op.drop_index('ix_cases_location_township', table_name='cases')
    op.create_index(
        'ix_cases_location_township', 'cases', ['location_township_id', 'registered_at']
    )
    op.drop_index('ix_cases_county_stats', table_name='cases')
    op.create_index(
        'ix_cases_county_stats', 'cases', ['county_id', 'registered_at'], postgresql_include=_BEFORE
    )
    op.drop_column('cases', 'latest_satisfaction')
    op.drop_column('cases', 'first_resolved_level')
    op.drop_column('cases', 'first_resolved_at')
