"""hotline bridge: county secrets, received work orders, nonces, status callbacks

Revision ID: 0013
Revises: 0011
Create Date: 2026-11-26 02:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0013'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'hotline_bridges',
        sa.Column('county_id', sa.BigInteger(), nullable=False),
        sa.Column('secret', sa.String(length=128), nullable=False),
        sa.Column('callback_url', sa.String(length=2000), nullable=True),
        sa.Column('enabled', sa.Boolean(), server_default='true', nullable=False),
        sa.PrimaryKeyConstraint('county_id'),
    )
    op.create_table(
        'hotline_orders',
        sa.Column('case_id', sa.BigInteger(), nullable=False),
        sa.Column('county_id', sa.BigInteger(), nullable=False),
        sa.Column('order_id', sa.String(length=64), nullable=False),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id']),
        sa.PrimaryKeyConstraint('case_id'),
        sa.UniqueConstraint('county_id', 'order_id', name='uq_hotline_orders_county_order'),
    )
    op.create_table(
        'hotline_nonces',
        sa.Column('county_id', sa.BigInteger(), nullable=False),
        sa.Column('nonce', sa.String(length=64), nullable=False),
        sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('county_id', 'nonce'),
    )
    op.create_index('ix_hotline_nonces_seen_at', 'hotline_nonces', ['seen_at'])
    op.create_table(
        'hotline_callbacks',
        sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column('county_id', sa.BigInteger(), nullable=False),
        sa.Column('case_id', sa.BigInteger(), nullable=False),
        sa.Column('order_id', sa.String(length=64), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('payload', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_error', sa.String(length=200), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(
        'ix_hotline_callbacks_pending',
        'hotline_callbacks',
        ['next_attempt_at'],
        postgresql_where=sa.text("state = 'PENDING'"),
    )
    op.create_index(
        'ix_hotline_callbacks_county_case', 'hotline_callbacks', ['county_id', 'case_id', 'id']
    )


def downgrade() -> None:
    op.drop_table('hotline_callbacks')
    op.drop_table('hotline_nonces')
    op.drop_table('hotline_orders')
    op.drop_table('hotline_bridges')
