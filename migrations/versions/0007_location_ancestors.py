"""location ancestors: each case's township and village as plain columns (dashboards)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 23:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_INCLUDE = [
    'location_township_id',
    'location_village_id',
    'status',
    'risk_level',
    'category_id',
    'due_at',
    'escalation_count',
    'merged_into_id',
]


def _ancestor(level: str) -> str:
    # The AREA unit of `level` on the location's path (the same rule as
    # yidi.domain.dashboards.area_ancestors).
    return (
        f"(SELECT u.id FROM units u WHERE u.id = ANY(c.location_path)"
        f" AND u.level = '{level}' AND u.kind = 'AREA' ORDER BY u.id LIMIT 1)"
    )


def upgrade() -> None:
    op.add_column('cases', sa.Column('location_township_id', sa.BigInteger(), nullable=True))
    op.add_column('cases', sa.Column('location_village_id', sa.BigInteger(), nullable=True))
    op.execute(
        f"UPDATE cases c SET location_township_id = {_ancestor('TOWNSHIP')},"
        f" location_village_id = {_ancestor('VILLAGE')}"
    )
    op.create_index(
        'ix_cases_county_stats',
        'cases',
        ['county_id', 'registered_at'],
        postgresql_include=_INCLUDE,
    )
    op.create_index(
        'ix_cases_location_township', 'cases', ['location_township_id', 'registered_at']
    )
    op.create_index('ix_cases_location_village', 'cases', ['location_village_id', 'registered_at'])


def downgrade() -> None:
    op.drop_index('ix_cases_location_village', table_name='cases')
    op.drop_index('ix_cases_location_township', table_name='cases')
    op.drop_index('ix_cases_county_stats', table_name='cases')
    op.drop_column('cases', 'location_village_id')
    op.drop_column('cases', 'location_township_id')
