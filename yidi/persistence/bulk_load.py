"""Bulk loading of a synthetic county's history (`yidi seed --synthetic`) with COPY.

The one place besides `services/events.record` that writes case events: a load of past
history, whose events `yidi.synthetic.history` chains and positions exactly as the event
writer would (tests/synthetic checks `yidi audit verify` on a loaded county). Everything
happens in the caller's transaction, so a failed load leaves nothing behind.

Loading a million cases is dominated by index maintenance: the secondary indexes of the
loaded tables are dropped for the load and built again afterwards (one sort each instead
of millions of insertions), inside the same transaction. Dropping an index locks its table
against readers too until the load commits: seed a database no one is using.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from sqlalchemy import text

from yidi.persistence.session import Session

TABLES = ("cases", "case_events", "case_follow_ups")


@dataclass(frozen=True)
class FirstIds:
    case_id: int
    event_id: int


async def _raw(session: Session) -> Any:
    """The transaction's asyncpg connection (COPY is not part of SQLAlchemy)."""
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    return raw.driver_connection


async def lock_and_number(session: Session) -> FirstIds:
    """Lock the loaded tables against writers until commit; the first free ids."""
    await session.execute(text(f"LOCK TABLE {', '.join(TABLES)} IN EXCLUSIVE MODE"))
    case_id = await session.scalar(text("SELECT coalesce(max(id), 0) + 1 FROM cases"))
    event_id = await session.scalar(text("SELECT coalesce(max(id), 0) + 1 FROM case_events"))
    return FirstIds(int(case_id or 1), int(event_id or 1))


async def skip_reference_checks(session: Session) -> bool:
    """Skip the foreign-key triggers for this transaction, when the role may (a superuser,
    as with the embedded server): checking ten references per case row one by one costs
    more than the whole load. Every other trigger is off too (`fill_reach` then does the
    work of `case_reach_sync`). The generator only refers to rows it has just created;
    tests/synthetic checks every reference of a loaded county. False when not permitted."""
    allowed = await session.scalar(
        text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    )
    if allowed:
        await session.execute(text("SET LOCAL session_replication_role = replica"))
    return bool(allowed)


async def defer_indexes(session: Session) -> list[str]:
    """Drop the loaded tables' indexes that back no constraint; their definitions, to
    build them again with `restore_indexes`."""
    rows = await session.execute(
        text(
            "SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS ddl"
            " FROM pg_index i WHERE i.indrelid = ANY(CAST(:tables AS regclass[]))"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)"
        ),
        {"tables": list(TABLES)},
    )
    found = rows.all()
    for row in found:
        await session.execute(text(f"DROP INDEX {row.name}"))
    return [row.ddl for row in found]


async def restore_indexes(session: Session, definitions: Sequence[str]) -> None:
    # More memory per sort than the default: each index is one sort of the whole table.
    await session.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
    for ddl in definitions:
        await session.execute(text(ddl))


async def copy_lines(session: Session, table: str, columns: Sequence[str], data: bytes) -> None:
    """COPY text-format lines (tab-separated, `\\N` for NULL) into `table`."""
    if data:
        await (await _raw(session)).copy_to_table(
            table, source=BytesIO(data), columns=list(columns), format="text"
        )


# The rows the `case_reach_sync` trigger (migration 0016) writes for each case, for the
# loaded cases at once: session_replication_role = replica switches that trigger off too.
_REACH = """
INSERT INTO case_reach (unit_id, case_id, status, risk_level, channel, category_id,
  registered_at, due_at, handles, above, involved, intake)
SELECT u, c.id, c.status, c.risk_level, c.channel, c.category_id, c.registered_at, c.due_at,
  u = c.handling_unit_id,
  u = ANY(c.handling_path) AND u <> c.handling_unit_id,
  u = ANY(c.involved_path),
  u = c.intake_unit_id
FROM cases c
CROSS JOIN LATERAL (
  SELECT DISTINCT unnest(c.handling_path || c.involved_path || c.intake_unit_id)
) AS t(u)
WHERE c.id >= :first
ORDER BY 1, 2
"""


async def fill_reach(session: Session, first_case_id: int, triggers_skipped: bool) -> None:
    """Write `case_reach` for the cases loaded from `first_case_id` on, when the load ran
    with triggers off (`skip_reference_checks`); otherwise the trigger already has."""
    if triggers_skipped:
        await session.execute(text(_REACH), {"first": first_case_id})


async def finish(
    session: Session, county_id: int, sequences: dict[int, int], last_position: int
) -> None:
    """Set the county's counters where the loaded rows left them and move the id sequences
    past the loaded ids."""
    for year, last in sorted(sequences.items()):
        await session.execute(
            text(
                "INSERT INTO case_sequences (county_id, year, last_value) VALUES (:c, :y, :v)"
                " ON CONFLICT (county_id, year) DO UPDATE SET last_value = :v"
            ),
            {"c": county_id, "y": year, "v": last},
        )
    await session.execute(
        text(
            "INSERT INTO event_positions (county_id, last_position) VALUES (:c, :p)"
            " ON CONFLICT (county_id) DO UPDATE SET last_position = :p"
        ),
        {"c": county_id, "p": last_position},
    )
    for table in TABLES:
        await session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                f" (SELECT coalesce(max(id), 1) FROM {table}))"
            )
        )
    await session.execute(text("SET LOCAL session_replication_role = DEFAULT"))


async def vacuum(session: Session) -> None:
    """VACUUM the loaded tables (outside any transaction): it sets the visibility map that
    lets the dashboards answer from their indexes alone (index-only scans), and analyzes."""
    connection = await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    for table in (*TABLES, "case_reach"):
        await connection.execute(text(f"VACUUM (ANALYZE) {table}"))
