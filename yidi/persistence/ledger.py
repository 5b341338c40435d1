"""The SQL of the ledger import (docs/IMPORT.md): what rows are checked against, which rows
an earlier import already brought in, and the batched write of the new cases, their
events (built and chained by `services/events.record_past`) and the imported rows.

A 100,000-row register is written with COPY (persistence/bulk_load.py), in the caller's
transaction, with the tables' indexes kept: unlike the synthetic seed, an import runs on
a database in use.
"""

import asyncio
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import String, cast, func, select, text
from sqlalchemy.dialects.postgresql import ARRAY

from yidi.persistence import bulk_load
from yidi.persistence.models import Case, Category, LedgerRow, Unit
from yidi.persistence.session import Session

# The columns of a new case the import fills; the others take their defaults.
CASE_COLUMNS = (
    "id",
    "county_id",
    "number",
    "tracking_code_hash",
    "title",
    "description",
    "category_id",
    "channel",
    "status",
    "risk_level",
    "track",
    "parties_count",
    "reporter_name",
    "reporter_phone",
    "reporter_id_number",
    "reporter_anonymous",
    "reporter_phone_key",
    "reporter_id_key",
    "address",
    "location_unit_id",
    "intake_unit_id",
    "handling_unit_id",
    "registered_by_id",
    "handling_path",
    "location_path",
    "involved_path",
    "location_township_id",
    "location_village_id",
    "registered_at",
    "due_at",
    "accepted_at",
    "resolved_at",
    "closed_at",
    "resolution_outcome",
    "resolution_summary",
    "resolved_by_unit_id",
    "closure_kind",
    "first_resolved_at",
    "first_resolved_level",
    "version",
    "chain_head",
    "external_number",
)
EVENT_COLUMNS = (
    "county_id",
    "case_id",
    "type",
    "at",
    "actor_id",
    "from_unit_id",
    "to_unit_id",
    "note",
    "data",
    "position",
    "chain_hash",
)
_ROW_COLUMNS = ("county_id", "external_number", "case_id", "content_hash", "imported_at")


async def county_units(session: Session, county_id: int) -> list[Unit]:
    return list(await session.scalars(select(Unit).where(Unit.county_id == county_id)))


async def units_by_codes(session: Session, codes: Sequence[str]) -> list[Unit]:
    """Units of any county with these codes: a code of another county is named as such."""
    if not codes:
        return []
    # One array parameter, however many codes (a statement takes at most 32,767 parameters).
    wanted = Unit.code == func.any(cast(list(codes), ARRAY(String)))
    return list(await session.scalars(select(Unit).where(wanted)))


async def county_categories(session: Session, county_id: int) -> list[Category]:
    return list(await session.scalars(select(Category).where(Category.county_id == county_id)))


async def imported_rows(
    session: Session, county_id: int, external_numbers: Sequence[str]
) -> dict[str, tuple[str, str]]:
    """Rows of the county an import already brought in: external number → (content hash,
    the case's number)."""
    if not external_numbers:
        return {}
    wanted = LedgerRow.external_number == func.any(cast(list(external_numbers), ARRAY(String)))
    rows = await session.execute(
        select(LedgerRow.external_number, LedgerRow.content_hash, Case.number)
        .join(Case, Case.id == LedgerRow.case_id)
        .where(LedgerRow.county_id == county_id, wanted)
    )
    return {row[0]: (row[1], row[2]) for row in rows}


async def lock_imports(session: Session, county_id: int) -> None:
    """One import of a county at a time (the second waits, then sees the first's rows)."""
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended('ledger-import', :c))"),
        {"c": county_id},
    )


async def new_case_ids(session: Session, count: int) -> list[int]:
    rows = await session.scalars(
        text("SELECT nextval(pg_get_serial_sequence('cases', 'id')) FROM generate_series(1, :n)"),
        {"n": count},
    )
    return [int(i) for i in rows]


async def take_numbers(
    session: Session, county_id: int, counts: Mapping[int, int]
) -> dict[int, int]:
    """Reserve `counts[year]` case numbers of each year of the county; the first of each.
    The counter rows stay locked until commit (taken in year order, before the event
    positions, the order every registration takes them: persistence/outbox.py)."""
    first: dict[int, int] = {}
    for year, count in sorted(counts.items()):
        last = await session.scalar(
            text(
                "INSERT INTO case_sequences (county_id, year, last_value) VALUES (:c, :y, :k) "
                "ON CONFLICT (county_id, year) DO UPDATE "
                "SET last_value = case_sequences.last_value + :k RETURNING last_value"
            ),
            {"c": county_id, "y": year, "k": count},
        )
        first[year] = int(last or 0) - count + 1
    return first


async def store_cases(
    session: Session, cases: Iterable[Mapping[str, Any]], events: Iterable[Sequence[Any]]
) -> None:
    """COPY new cases (by column name) and their events (in `EVENT_COLUMNS` order); the
    lines are encoded off the event loop."""
    case_lines = await asyncio.to_thread(
        _lines, [[case[c] for c in CASE_COLUMNS] for case in cases]
    )
    await bulk_load.copy_lines(session, "cases", CASE_COLUMNS, case_lines)
    event_lines = await asyncio.to_thread(_lines, events)
    await bulk_load.copy_lines(session, "case_events", EVENT_COLUMNS, event_lines)


async def store_rows(
    session: Session, county_id: int, rows: Iterable[tuple[str, int, str]], at: datetime
) -> None:
    """COPY the imported rows: (external number, case id, content hash)."""
    lines = _lines((county_id, number, case_id, digest, at) for number, case_id, digest in rows)
    await bulk_load.copy_lines(session, "ledger_rows", _ROW_COLUMNS, lines)


def _lines(rows: Iterable[Sequence[Any]]) -> bytes:
    return "".join("\t".join(map(_cell, row)) + "\n" for row in rows).encode()


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _cell(value: Any) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value.translate(_ESCAPES)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return "\\\\x" + value.hex()
    if isinstance(value, list):
        return "{" + ",".join(str(int(v)) for v in value) + "}"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False).translate(_ESCAPES)
    raise TypeError(f"no COPY text form for {type(value).__name__}")
