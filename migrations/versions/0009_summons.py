"""summons (中心吹哨、部门报到): the units a case's handling unit calls in, and their answers

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26 01:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql


revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ARRAYS = ('summoned_unit_ids', 'awaiting_report_unit_ids', 'awaiting_contribution_unit_ids')


def upgrade() -> None:
    for name in _ARRAYS:
        op.add_column(
            'cases',
            sa.Column(
                name,
                postgresql.ARRAY(sa.BigInteger(), dimensions=1),
                server_default='{}',
                nullable=False,
            ),
        )
    op.create_table(
        'case_summons',
        sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column('county_id', sa.BigInteger(), nullable=False),
        sa.Column('case_id', sa.BigInteger(), nullable=False),
        sa.Column('unit_id', sa.BigInteger(), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('summoned_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('summoned_by_id', sa.BigInteger(), nullable=False),
        sa.Column('report_by', sa.DateTime(timezone=True), nullable=False),
        sa.Column('missed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('reported_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('reported_by_id', sa.BigInteger(), nullable=True),
        sa.Column('report_note', sa.Text(), nullable=True),
        sa.Column('contributed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('contributed_by_id', sa.BigInteger(), nullable=True),
        sa.Column('contribution', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id']),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id']),
        sa.ForeignKeyConstraint(['summoned_by_id'], ['users.id']),
        sa.ForeignKeyConstraint(['reported_by_id'], ['users.id']),
        sa.ForeignKeyConstraint(['contributed_by_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_case_summons_case_id', 'case_summons', ['case_id'])
    op.create_index(
        'ix_case_summons_awaiting',
        'case_summons',
        ['report_by'],
        postgresql_where=sa.text("state = 'SUMMONED'"),
    )


def downgrade() -> None:
    op.drop_index('ix_case_summons_awaiting', table_name='case_summons')
    op.drop_index('ix_case_summons_case_id', table_name='case_summons')
    op.drop_table('case_summons')
    for name in reversed(_ARRAYS):
        op.drop_column('cases', name)
