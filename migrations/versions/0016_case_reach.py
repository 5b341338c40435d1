"""case reach: one row per (unit, case) the unit stands in a relation to, for exact counts
from an index (docs/BENCHMARKS.md, "Counting a scope")

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-26 04:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Kept by the database itself, in the transaction of every write to a case: a trigger
# cannot be forgotten by a new code path, and the bulk loads (which switch triggers off)
# refill it in one statement (yidi/persistence/bulk_load.py).
SYNC = """
CREATE FUNCTION case_reach_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    DELETE FROM case_reach
    WHERE case_id = OLD.id
      AND unit_id = ANY(OLD.handling_path || OLD.involved_path || OLD.intake_unit_id);
  END IF;
  INSERT INTO case_reach (unit_id, case_id, status, risk_level, channel, category_id,
    registered_at, due_at, handles, above, involved, intake)
  SELECT u, NEW.id, NEW.status, NEW.risk_level, NEW.channel, NEW.category_id,
    NEW.registered_at, NEW.due_at,
    u = NEW.handling_unit_id,
    u = ANY(NEW.handling_path) AND u <> NEW.handling_unit_id,
    u = ANY(NEW.involved_path),
    u = NEW.intake_unit_id
  FROM (SELECT DISTINCT unnest(NEW.handling_path || NEW.involved_path || NEW.intake_unit_id)) AS t(u);
  RETURN NULL;
END $$
"""
TRIGGER = """
CREATE TRIGGER case_reach_sync
AFTER INSERT OR UPDATE OF status, risk_level, channel, category_id, registered_at, due_at,
  handling_unit_id, handling_path, involved_path, intake_unit_id ON cases
FOR EACH ROW EXECUTE FUNCTION case_reach_sync()
"""
BACKFILL = """
INSERT INTO case_reach (unit_id, case_id, status, risk_level, channel, category_id,
  registered_at, due_at, handles, above, involved, intake)
SELECT u, c.id, c.status, c.risk_level, c.channel, c.category_id, c.registered_at, c.due_at,
  u = c.handling_unit_id,
  u = ANY(c.handling_path) AND u <> c.handling_unit_id,
  u = ANY(c.involved_path),
  u = c.intake_unit_id
FROM cases c
CROSS JOIN LATERAL (SELECT DISTINCT unnest(c.handling_path || c.involved_path || c.intake_unit_id)) AS t(u)
ORDER BY 1, 2
"""


def upgrade() -> None:
    op.create_table(
        'case_reach',
        sa.Column('unit_id', sa.BigInteger(), nullable=False),
        sa.Column('case_id', sa.BigInteger(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('risk_level', sa.String(length=8), nullable=False),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('category_id', sa.BigInteger(), nullable=False),
        sa.Column('registered_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('handles', sa.Boolean(), nullable=False),
        sa.Column('above', sa.Boolean(), nullable=False),
        sa.Column('involved', sa.Boolean(), nullable=False),
        sa.Column('intake', sa.Boolean(), nullable=False),
    )
    op.execute(BACKFILL)
    op.create_index(
        'ix_case_reach_unit_case',
        'case_reach',
        ['unit_id', 'case_id'],
        unique=True,
        postgresql_include=[
            'status', 'risk_level', 'channel', 'category_id', 'registered_at', 'due_at',
            'handles', 'above', 'involved', 'intake',
        ],
    )
    op.execute(SYNC)
    op.execute(TRIGGER)


def downgrade() -> None:
    op.execute('DROP TRIGGER case_reach_sync ON cases')
    op.execute('DROP FUNCTION case_reach_sync()')
    op.drop_index('ix_case_reach_unit_case', table_name='case_reach')
    op.drop_table('case_reach')
