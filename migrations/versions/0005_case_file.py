"""case file: leader ownership (领导包案), mediation records, extensions and pauses,
closure kinds and follow-up settings

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 23:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql


revision: str = '0005'
down_revision: str | None = '0004'
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
    op.create_table(
        'case_mediations',
        sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column('county_id', sa.BigInteger(), nullable=False),
        sa.Column('case_id', sa.BigInteger(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('linkage', sa.String(length=16), nullable=True),
        sa.Column('held_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('place', sa.String(length=200), nullable=False),
        sa.Column(
            'staff_mediator_ids', postgresql.ARRAY(sa.BigInteger(), dimensions=1), nullable=False
        ),
        sa.Column('outside_mediators', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            'parties_present', postgresql.ARRAY(sa.String(length=100), dimensions=1), nullable=False
        ),
        sa.Column('transcript', sa.Text(), nullable=False),
        sa.Column('outcome', sa.String(length=16), nullable=False),
        sa.Column('agreement', sa.Text(), nullable=True),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('recorded_by_id', sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id']),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_case_mediations_case_id', 'case_mediations', ['case_id'])

    op.add_column('cases', sa.Column('extension_requested_by_id', sa.BigInteger(), nullable=True))
    op.create_foreign_key(
        'fk_cases_extension_requested_by', 'cases', 'users', ['extension_requested_by_id'], ['id']
    )
    op.add_column('cases', sa.Column('paused_since', sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        'cases', sa.Column('due_at_when_paused', sa.DateTime(timezone=True), nullable=True)
    )
    op.create_table(
        'case_extensions',
        sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column('county_id', sa.BigInteger(), nullable=False),
        sa.Column('case_id', sa.BigInteger(), nullable=False),
        sa.Column('days', sa.SmallInteger(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('requested_by_id', sa.BigInteger(), nullable=False),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('decided_by_id', sa.BigInteger(), nullable=True),
        sa.Column('decision_note', sa.Text(), nullable=True),
        sa.Column('due_at_before', sa.DateTime(timezone=True), nullable=True),
        sa.Column('due_at_after', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id']),
        sa.ForeignKeyConstraint(['requested_by_id'], ['users.id']),
        sa.ForeignKeyConstraint(['decided_by_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_case_extensions_case_id', 'case_extensions', ['case_id'])
    op.create_table(
        'case_pauses',
        sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column('county_id', sa.BigInteger(), nullable=False),
        sa.Column('case_id', sa.BigInteger(), nullable=False),
        sa.Column('reason', sa.String(length=24), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('paused_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('paused_by_id', sa.BigInteger(), nullable=False),
        sa.Column('resumed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('resumed_by_id', sa.BigInteger(), nullable=True),
        sa.Column('resume_note', sa.Text(), nullable=True),
        sa.Column('working_days', sa.SmallInteger(), nullable=True),
        sa.Column('due_at_before', sa.DateTime(timezone=True), nullable=False),
        sa.Column('due_at_after', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id']),
        sa.ForeignKeyConstraint(['paused_by_id'], ['users.id']),
        sa.ForeignKeyConstraint(['resumed_by_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_case_pauses_case_id', 'case_pauses', ['case_id'])

    op.add_column('cases', sa.Column('closure_kind', sa.String(length=16), nullable=True))
    op.add_column('cases', sa.Column('closed_by_id', sa.BigInteger(), nullable=True))
    op.add_column(
        'cases',
        sa.Column(
            'followed_up_since_result', sa.Boolean(), server_default='false', nullable=False
        ),
    )
    op.create_foreign_key('fk_cases_closed_by', 'cases', 'users', ['closed_by_id'], ['id'])
    # Closed before the distinction existed: nobody claimed the matter settled.
    op.execute("UPDATE cases SET closure_kind = 'PROCEDURAL' WHERE status = 'CLOSED'")
    op.add_column('case_follow_ups', sa.Column('settled', sa.Boolean(), nullable=True))
    op.create_table(
        'county_settings',
        sa.Column('county_id', sa.BigInteger(), nullable=False),
        sa.Column(
            'follow_up_before_closure',
            postgresql.ARRAY(sa.String(length=8), dimensions=1),
            nullable=False,
        ),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('county_id'),
    )


def downgrade() -> None:
    op.drop_table('county_settings')
    op.drop_column('case_follow_ups', 'settled')
    op.drop_constraint('fk_cases_closed_by', 'cases', type_='foreignkey')
    op.drop_column('cases', 'followed_up_since_result')
    op.drop_column('cases', 'closed_by_id')
    op.drop_column('cases', 'closure_kind')
    op.drop_index('ix_case_pauses_case_id', table_name='case_pauses')
    op.drop_table('case_pauses')
    op.drop_index('ix_case_extensions_case_id', table_name='case_extensions')
    op.drop_table('case_extensions')
    op.drop_column('cases', 'due_at_when_paused')
    op.drop_column('cases', 'paused_since')
    op.drop_constraint('fk_cases_extension_requested_by', 'cases', type_='foreignkey')
    op.drop_column('cases', 'extension_requested_by_id')
    op.drop_index('ix_case_mediations_case_id', table_name='case_mediations')
    op.drop_table('case_mediations')
    op.drop_index('ix_cases_owner', table_name='cases')
    op.drop_constraint('fk_cases_owner', 'cases', type_='foreignkey')
    op.drop_column('cases', 'owner_unit_path')
    op.drop_column('cases', 'owned_since')
    op.drop_column('cases', 'owner_id')
    op.alter_column(
        'case_events', 'type', type_=sa.String(length=16), existing_type=sa.String(length=32)
    )
