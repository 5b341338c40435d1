"""event chain: each case's events linked by hash (yidi audit verify)

Revision ID: 0006
Revises: 0004
Create Date: 2026-11-25 23:20:00
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from yidi.domain.audit_chain import GENESIS, EventContent, link

revision: str = '0006'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 10_000
READ = sa.text(
    "SELECT id, county_id, case_id, position, type, at, actor_id, from_unit_id, to_unit_id,"
    " note, data FROM case_events WHERE (case_id, position) > (:case_id, :position)"
    " ORDER BY case_id, position LIMIT :batch"
)


def upgrade() -> None:
    op.add_column('case_events', sa.Column('chain_hash', sa.LargeBinary(length=32), nullable=True))
    op.add_column('cases', sa.Column('chain_head', sa.LargeBinary(length=32), nullable=True))
    # Events written before the chain existed are linked now, case by case in their order.
    bind = op.get_bind()
    heads: dict[int, bytes] = {}
    last = {"case_id": 0, "position": 0}
    while rows := bind.execute(READ, {**last, "batch": BATCH}).mappings().all():
        updates = []
        for row in rows:
            data = json.loads(row["data"]) if isinstance(row["data"], str) else row["data"]
            content = EventContent(
                county_id=row["county_id"],
                case_id=row["case_id"],
                position=row["position"],
                type=row["type"],
                at=row["at"],
                actor_id=row["actor_id"],
                from_unit_id=row["from_unit_id"],
                to_unit_id=row["to_unit_id"],
                note=row["note"],
                data=data,
            )
            heads[row["case_id"]] = link(heads.get(row["case_id"], GENESIS), content)
            updates.append({"id": row["id"], "hash": heads[row["case_id"]]})
        bind.execute(sa.text("UPDATE case_events SET chain_hash = :hash WHERE id = :id"), updates)
        last = {"case_id": rows[-1]["case_id"], "position": rows[-1]["position"]}
    if heads:
        bind.execute(
            sa.text("UPDATE cases SET chain_head = :head WHERE id = :id"),
            [{"id": case_id, "head": head} for case_id, head in heads.items()],
        )
    op.alter_column('case_events', 'chain_hash', nullable=False)


def downgrade() -> None:
    op.drop_column('cases', 'chain_head')
    op.drop_column('case_events', 'chain_hash')
