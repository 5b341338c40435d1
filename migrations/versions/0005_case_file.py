"""case file: leader ownership (领导包案)

Revision ID: 0005
Revises: 0003
Create Date: 2026-11-25 23:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql


revision: str = '0005'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The case file's event types (OWNERSHIP_RELEASED, …) are longer than 16 characters.
    op.alter_column(
        'case_events', 'type', type_=sa.String(length=32), existing_type=sa.String(length=16)
    )
    op.add_column('cases', sa.Column('owner_id', sa.BigInteger(), nullable=True))
    op.add_column('cases', sa.Column('owned_since', sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        'cases',
        sa.Column('owner_unit_path', postgresql.ARRAY(sa.BigInteger(), dimensions=1), nullable=True),
    )
    op.create_foreign_key('fk_cases_owner', 'cases', 'users', ['owner_id'], ['id'])
    op.create_index(
        'ix_cases_owner',
        'cases',
        ['owner_id'],
        postgresql_where=sa.text('owner_id IS NOT NULL'),
    )


def downgrade() -> None:
    op.drop_index('ix_cases_owner', table_name='cases')
    op.drop_constraint('fk_cases_owner', 'cases', type_='foreignkey')
    op.drop_column('cases', 'owner_unit_path')
    op.drop_column('cases', 'owned_since')
    op.drop_column('cases', 'owner_id')
    op.alter_column(
        'case_events', 'type', type_=sa.String(length=16), existing_type=sa.String(length=32)
    )
