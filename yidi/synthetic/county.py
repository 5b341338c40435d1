"""`yidi seed --synthetic`: a synthetic county for benchmarks and demos (docs/DASHBOARDS.md).

Creates the county's tree (townships, villages, county departments and each township's
司法所), its users and categories through the org service, then loads the cases that
`history.generate` writes with COPY (persistence/bulk_load.py), all in one transaction.
The rows are generated in a child process while this one feeds PostgreSQL, so generation
and loading use both cores.
"""

import asyncio
import multiprocessing
from collections.abc import Callable, Generator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from yidi.domain.calendar import WorkingCalendar
from yidi.domain.enums import Role, UnitKind, UnitLevel
from yidi.persistence import bulk_load
from yidi.persistence.models import Unit, User
from yidi.persistence.session import Session
from yidi.persistence.units import add, unit_by_code
from yidi.sample_texts import CATEGORIES
from yidi.services import org
from yidi.services.auth import hash_password
from yidi.services.unit_of_work import UnitOfWork
from yidi.synthetic import history
from yidi.synthetic.history import County, Place, Plan, Township

PASSWORD = "synthetic-password"
DEPARTMENTS = ["县住建局", "县人社局", "县司法局", "县自然资源局", "县农业农村局", "县信访局"]


@dataclass(frozen=True)
class Options:
    cases: int
    townships: int = 20
    villages_per_township: int = 25
    years: int = 3
    seed: int = 1
    code: str = "990300"
    name: str = "合成县"
    batch: int = 20_000  # cases per COPY batch (and per generation task)


class AlreadySeeded(Exception):
    """The county code is taken: a synthetic county is loaded once."""


async def _users(session: Session, unit: Unit, password_hash: str, roles: list[Role]) -> Place:
    """The unit's handler (who registers, accepts and resolves) and leader (who dispatches
    and reopens); one person in a village or a department."""
    ids = []
    for suffix, role_set in (("handler", roles), ("leader", [Role.LEADER])):
        if suffix == "leader" and unit.level == UnitLevel.VILLAGE.value:
            break
        user = User(
            county_id=unit.county_id,
            unit_id=unit.id,
            username=f"{unit.code}.{suffix}",
            display_name=f"{unit.name}{'负责人' if suffix == 'leader' else '工作人员'}",
            # One hash for all: hashing hundreds of passwords one by one would take a minute.
            password_hash=password_hash,
            roles=[r.value for r in role_set],
        )
        await add(session, user)
        ids.append(user.id)
    depth = {"COUNTY": 0, "TOWNSHIP": 1, "VILLAGE": 2}[unit.level]
    return Place(
        id=unit.id,
        path=tuple(unit.path),
        depth=depth,
        handler=ids[0],
        leader=ids[-1],
        parent=unit.parent_id,
        level=unit.level,
        area=unit.kind == UnitKind.AREA.value,
    )


async def create_county(session: Session, options: Options) -> County:
    if await unit_by_code(session, options.code) is not None:
        raise AlreadySeeded(f"a county with code {options.code} already exists")
    password_hash = hash_password(PASSWORD)
    staff = [Role.INTAKE, Role.HANDLER]
    county = await org.create_county(session, options.code, options.name)
    county_place = await _users(session, county, password_hash, staff)
    townships = []
    for t in range(1, options.townships + 1):
        code = f"{options.code}{t:03d}"
        unit = await org.create_unit(session, code, f"合成{t}镇", UnitLevel.TOWNSHIP, parent=county)
        villages = []
        for v in range(1, options.villages_per_township + 1):
            village = await org.create_unit(
                session, f"{code}{v:03d}", f"合成{t}镇{v}村", UnitLevel.VILLAGE, parent=unit
            )
            villages.append(await _users(session, village, password_hash, staff))
        office = await org.create_unit(
            session, f"{code}901", f"合成{t}镇司法所", UnitLevel.TOWNSHIP, UnitKind.DEPARTMENT, unit
        )
        townships.append(
            Township(
                await _users(session, unit, password_hash, staff),
                villages,
                await _users(session, office, password_hash, [Role.HANDLER]),
            )
        )
    departments = []
    for i, name in enumerate(DEPARTMENTS, start=1):
        unit = await org.create_unit(
            session, f"{options.code}9{i:02d}", name, UnitLevel.COUNTY, UnitKind.DEPARTMENT, county
        )
        departments.append(await _users(session, unit, password_hash, [Role.HANDLER]))
    leaves = []
    parents: dict[str, Any] = {}
    for code, name, days in CATEGORIES:
        parent = parents.get(code.split(".")[0]) if "." in code else None
        category = await org.create_category(session, county, code, name, days, parent)
        parents[code] = category
        if "." in code or code in ("PETITION", "CONSULT"):
            leaves.append((category.id, code, days))
    return County(options.code, county_place, townships, departments, leaves)


def _write_encoded(
    plan: Plan, chunk: history.Chunk, first_position: int, first_event_id: int
) -> tuple[bytes, bytes, bytes, int]:
    """In a worker process: the chunk's rows as COPY data."""
    batch = history.write(plan, chunk, first_position, first_event_id)
    return (
        "".join(batch.cases).encode(),
        "".join(batch.events).encode(),
        "".join(batch.follow_ups).encode(),
        len(batch.cases),
    )


def _batches(plan: Plan, chunks: list[history.Chunk], workers: int) -> Generator[Any]:
    """The chunks' rows in order, generated by `workers` processes (spawned: this process
    runs an event loop). A chunk's events are positioned after all earlier chunks' events,
    so each chunk is first simulated to count them (a quarter of the work), then written;
    counting runs ahead of writing so neither waits long."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers) as pool:
        counts = [pool.apply_async(history.count_events, (plan, c)) for c in chunks[:workers]]
        writes = []
        position, event_id = 1, plan.first_event_id
        for index, chunk in enumerate(chunks):
            writes.append(pool.apply_async(_write_encoded, (plan, chunk, position, event_id)))
            if index + workers < len(chunks):
                counts.append(
                    pool.apply_async(history.count_events, (plan, chunks[index + workers]))
                )
            # Hand out finished batches while waiting for the next count.
            while writes and (writes[0].ready() or len(writes) > workers):
                yield writes.pop(0).get()
            count = counts[index].get()
            position, event_id = position + count, event_id + count
        for pending in writes:
            yield pending.get()
        yield ("last_position", position - 1)


async def seed(
    uow: UnitOfWork,
    options: Options,
    now: datetime,
    calendar: WorkingCalendar,
    progress: Callable[[str, int], None] = lambda stage, n: None,
    workers: int = 2,
) -> County:
    """Create and load the county, all or nothing, then vacuum. `progress(stage, n)` hears
    of each loaded batch ("cases", its size) and of each later stage ("indexes",
    "counters", "vacuum")."""
    async with uow.sessions.begin() as session:
        county = await create_county(session, options)
        first = await bulk_load.lock_and_number(session)
        deferred = await bulk_load.defer_indexes(session)
        triggers_skipped = await bulk_load.skip_reference_checks(session)
        plan = Plan(
            county=county,
            cases=options.cases,
            years=options.years,
            seed=options.seed,
            now=now,
            first_case_id=first.case_id,
            first_event_id=first.event_id,
            calendar=calendar,
            batch=options.batch,
        )
        chunks, sequences = history.chunks(plan)
        batches = _batches(plan, chunks, workers)
        loop = asyncio.get_running_loop()
        last_position = 0
        try:
            while (item := await loop.run_in_executor(None, next, batches, None)) is not None:
                if item[0] == "last_position":
                    last_position = item[1]
                    continue
                cases, events, follow_ups, count = item
                await bulk_load.copy_lines(session, "cases", history.CASE_COLUMNS, cases)
                await bulk_load.copy_lines(session, "case_events", history.EVENT_COLUMNS, events)
                await bulk_load.copy_lines(
                    session, "case_follow_ups", history.FOLLOW_UP_COLUMNS, follow_ups
                )
                progress("cases", count)
        finally:
            batches.close()  # a failed load stops the workers (the pool is left and ended)
        progress("indexes", 0)
        await bulk_load.restore_indexes(session, deferred)
        await bulk_load.fill_reach(session, first.case_id, triggers_skipped)
        progress("counters", 0)
        await bulk_load.finish(session, county.unit.id, sequences, last_position)
    progress("vacuum", 0)
    async with uow.sessions() as session:
        await bulk_load.vacuum(session)
    return county
