"""ledger import: cases.external_number, the imported ledger rows

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-26 04:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('cases', sa.Column('external_number', sa.String(length=64), nullable=True))
    op.create_index(
        'ux_cases_county_external_number',
        'cases',
        ['county_id', 'external_number'],
        unique=True,
        postgresql_where='external_number IS NOT NULL',
    )
    op.create_table(
        'ledger_rows',
        sa.Column('county_id', sa.BigInteger(), nullable=False),
        sa.Column('external_number', sa.String(length=64), nullable=False),
        sa.Column('case_id', sa.BigInteger(), nullable=False),
        sa.Column('content_hash', sa.String(length=64), nullable=False),
        sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id']),
        sa.PrimaryKeyConstraint('county_id', 'external_number'),
        sa.UniqueConstraint('case_id'),
    )


def downgrade() -> None:
    op.drop_table('ledger_rows')
    op.drop_index('ux_cases_county_external_number', table_name='cases')
    op.drop_column('cases', 'external_number')
