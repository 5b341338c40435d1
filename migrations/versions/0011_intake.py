"""intake and routing: responsibility lists (责任清单), intake settings, repeat petitions
(reporter keys, the repeat flag, pg_trgm), visit report sheets (民意报告单)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26 01:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Similar titles and descriptions at the same place (repeat petitions, docs/INTAKE.md).
    op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    op.create_table(
        'responsibility_rules',
        sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column('county_id', sa.BigInteger(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('category_id', sa.BigInteger(), nullable=False),
        sa.Column('level', sa.String(length=16), nullable=False),
        sa.Column('responsible', sa.String(length=24), nullable=False),
        sa.Column('department_id', sa.BigInteger(), nullable=True),
        sa.Column('duty', sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(['category_id'], ['categories.id']),
        sa.ForeignKeyConstraint(['department_id'], ['units.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(
        'ix_responsibility_rules_county_id', 'responsibility_rules', ['county_id']
    )
    op.create_table(
        'responsibility_revisions',
        sa.Column('county_id', sa.BigInteger(), nullable=False),
        sa.Column('revision', sa.Integer(), nullable=False),
        sa.Column(
            'updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False
        ),
        sa.Column('updated_by_id', sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(['updated_by_id'], ['users.id']),
        sa.PrimaryKeyConstraint('county_id'),
    )
    op.create_table(
        'intake_settings',
        sa.Column('county_id', sa.BigInteger(), nullable=False),
        sa.Column('auto_route', sa.Boolean(), server_default='false', nullable=False),
        sa.Column('repeat_window_days', sa.Integer(), server_default='180', nullable=False),
        sa.Column('repeat_similarity', sa.Float(), server_default='0.5', nullable=False),
        sa.Column(
            'updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False
        ),
        sa.PrimaryKeyConstraint('county_id'),
    )
    op.create_table(
        'visit_reports',
        sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column('county_id', sa.BigInteger(), nullable=False),
        sa.Column('unit_id', sa.BigInteger(), nullable=False),
        sa.Column('location_unit_id', sa.BigInteger(), nullable=False),
        sa.Column('submitted_by_id', sa.BigInteger(), nullable=False),
        sa.Column('client_key', sa.String(length=200), nullable=False),
        sa.Column('content_hash', sa.String(length=64), nullable=False),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('place', sa.String(length=200), nullable=True),
        sa.Column('visited_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('households', sa.Integer(), nullable=False),
        sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id']),
        sa.ForeignKeyConstraint(['location_unit_id'], ['units.id']),
        sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('submitted_by_id', 'client_key', name='uq_visit_reports_client_key'),
    )
    op.create_index('ix_visit_reports_county_id', 'visit_reports', ['county_id'])
    op.create_table(
        'visit_report_items',
        sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column('report_id', sa.BigInteger(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('case_id', sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(['report_id'], ['visit_reports.id']),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_visit_report_items_report_id', 'visit_report_items', ['report_id'])
    # Existing cases keep NULL keys: the HMAC key is not the migration's to know, so they
    # are compared by place and text only (docs/INTAKE.md).
    op.add_column('cases', sa.Column('reporter_phone_key', sa.String(length=64), nullable=True))
    op.add_column('cases', sa.Column('reporter_id_key', sa.String(length=64), nullable=True))
    op.add_column(
        'cases', sa.Column('is_repeat', sa.Boolean(), server_default='false', nullable=False)
    )
    op.create_index(
        'ix_cases_reporter_phone_key', 'cases', ['county_id', 'reporter_phone_key']
    )
    op.create_index('ix_cases_reporter_id_key', 'cases', ['county_id', 'reporter_id_key'])
    op.create_index(
        'ix_cases_location_registered', 'cases', ['location_unit_id', 'registered_at']
    )


def downgrade() -> None:
    op.drop_index('ix_cases_location_registered', table_name='cases')
    op.drop_index('ix_cases_reporter_id_key', table_name='cases')
    op.drop_index('ix_cases_reporter_phone_key', table_name='cases')
    op.drop_column('cases', 'is_repeat')
    op.drop_column('cases', 'reporter_id_key')
    op.drop_column('cases', 'reporter_phone_key')
    op.drop_index('ix_visit_report_items_report_id', table_name='visit_report_items')
    op.drop_table('visit_report_items')
    op.drop_index('ix_visit_reports_county_id', table_name='visit_reports')
    op.drop_table('visit_reports')
    op.drop_table('intake_settings')
    op.drop_table('responsibility_revisions')
    op.drop_index('ix_responsibility_rules_county_id', table_name='responsibility_rules')
    op.drop_table('responsibility_rules')
    op.execute('DROP EXTENSION IF EXISTS pg_trgm')
