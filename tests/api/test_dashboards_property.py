"""Property: on random trees and random case histories, every figure of unitStats,
zeroFilingUnits and caseTrend equals a brute-force recount in plain Python from the same rows.

Each example builds a new county (random townships, villages, departments), writes random
cases with histories that follow the lifecycle table (dispatch, reassign, escalate, accept,
resolve, close, reopen, evaluate, redirect, merge) as rows, then asks the dashboard use cases
about every unit over a random window. The recount walks parent ids and event lists in
Python: it shares no SQL, no path column and no bucketing code with the application.
"""

import itertools
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette

from yidi.authz.actor import Actor
from yidi.authz.default_policy import DEFAULT_POLICY
from yidi.authz.enforcer import CountyEnforcer
from yidi.domain.dashboards import PathUnit, area_ancestors
from yidi.domain.enums import Interval, UnitKind, UnitLevel
from yidi.persistence.models import Case, CaseEvent, Category, Unit
from yidi.services import dashboards, org

SHANGHAI = ZoneInfo("Asia/Shanghai")
EPOCH = datetime(2026, 12, 25, 10, 0, tzinfo=UTC)  # windows cross a year's end
_counties = itertools.count(1)
ACTIONS = (
    "DISPATCH",
    "REASSIGN",
    "ESCALATE",
    "ACCEPT",
    "RESOLVE",
    "CLOSE",
    "REOPEN",
    "EVALUATE",
    "REDIRECT",
    "MERGE",
)
SATISFACTION = ("SATISFIED", "BASICALLY_SATISFIED", "DISSATISFIED")
OPEN = {"REGISTERED", "DISPATCHED", "IN_PROGRESS"}


@dataclass(frozen=True)
class TreeSpec:
    villages: tuple[int, ...]
    offices: tuple[bool, ...]
    departments: int


@dataclass(frozen=True)
class Step:
    action: str
    target: int
    satisfaction: int
    gap_minutes: int


@dataclass(frozen=True)
class CaseSpec:
    location: int
    category: int
    risk: str
    registered_minute: int
    due_days: int
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class Window:
    start_minute: int
    minutes: int
    interval: Interval


index = st.integers(min_value=0, max_value=63)
trees = st.integers(min_value=1, max_value=3).flatmap(
    lambda n: st.builds(
        TreeSpec,
        villages=st.tuples(*[st.integers(min_value=0, max_value=3)] * n),
        offices=st.tuples(*[st.booleans()] * n),
        departments=st.integers(min_value=0, max_value=2),
    )
)
steps = st.builds(
    Step,
    # Weighted towards the steps that move a case on, so many cases get resolved, reopened,
    # re-resolved and evaluated within a handful of steps.
    action=st.sampled_from((*ACTIONS, "ACCEPT", "RESOLVE", "ACCEPT", "RESOLVE", "EVALUATE")),
    target=index,
    satisfaction=st.integers(min_value=0, max_value=2),
    gap_minutes=st.integers(min_value=0, max_value=60 * 24 * 6),
)
case_specs = st.lists(
    st.builds(
        CaseSpec,
        location=index,
        category=st.integers(min_value=0, max_value=2),
        risk=st.sampled_from(("BLUE", "YELLOW", "ORANGE", "RED")),
        registered_minute=st.integers(min_value=0, max_value=60 * 24 * 30),
        due_days=st.integers(min_value=1, max_value=20),
        steps=st.lists(steps, max_size=9).map(tuple),
    ),
    max_size=14,
)
windows = st.builds(
    Window,
    start_minute=st.integers(min_value=-60 * 24 * 3, max_value=60 * 24 * 25),
    minutes=st.integers(min_value=1, max_value=60 * 24 * 45),
    interval=st.sampled_from(list(Interval)),
)


# ---------------------------------------------------------------------------------------
@dataclass
class History:
    """One case as rows: its final state and its events in order."""

    spec: CaseSpec
    location: Unit
    registered_at: datetime
    due_at: datetime
    status: str = "REGISTERED"
    handling: Unit | None = None
    escalations: int = 0
    merged_into: int | None = None  # index of the original among the county's cases
    events: list[dict[str, Any]] = field(default_factory=list)


def live(
    spec: CaseSpec,
    at: datetime,
    units: list[Unit],
    parent: dict[int, Unit | None],
    earlier: list[History],
    location: Unit,
) -> History:
    """Play the spec's steps through the lifecycle table; steps it forbids are skipped."""
    h = History(spec, location, at, at + timedelta(days=spec.due_days), handling=location)
    h.events.append({"type": "REGISTERED", "at": at, "to": location.id})
    now = at
    for step in spec.steps:
        now += timedelta(minutes=step.gap_minutes)
        target = units[step.target % len(units)]
        assert h.handling is not None
        status, handling = h.status, h.handling
        match step.action:
            case "DISPATCH" if status == "REGISTERED" and target.id != handling.id:
                h.status, h.handling = "DISPATCHED", target
                h.events.append({"type": "DISPATCHED", "at": now, "to": target.id})
            case "REASSIGN" if status in ("DISPATCHED", "IN_PROGRESS") and target != handling:
                h.status, h.handling = "DISPATCHED", target
                h.events.append({"type": "REASSIGNED", "at": now, "to": target.id})
            case "ESCALATE" if status in OPEN and parent[handling.id] is not None:
                up = parent[handling.id]
                assert up is not None
                h.status, h.handling, h.escalations = "REGISTERED", up, h.escalations + 1
                h.events.append({"type": "ESCALATED", "at": now, "from": handling.id, "to": up.id})
            case "ACCEPT" if status in ("REGISTERED", "DISPATCHED"):
                h.status = "IN_PROGRESS"
                h.events.append({"type": "ACCEPTED", "at": now})
            case "RESOLVE" if status == "IN_PROGRESS":
                h.status = "RESOLVED"
                h.events.append({"type": "RESOLVED", "at": now, "from": handling.id})
            case "CLOSE" if status == "RESOLVED":
                h.status = "CLOSED"
                h.events.append({"type": "CLOSED", "at": now})
            case "REOPEN" if status in ("RESOLVED", "CLOSED"):
                h.status, h.due_at = "IN_PROGRESS", now + timedelta(days=spec.due_days)
                h.events.append({"type": "REOPENED", "at": now})
            case "EVALUATE" if status in ("RESOLVED", "CLOSED"):
                sat = SATISFACTION[step.satisfaction]
                h.events.append({"type": "EVALUATED", "at": now, "data": {"satisfaction": sat}})
            case "REDIRECT" if status == "REGISTERED":
                h.status = "REDIRECTED"
                h.events.append({"type": "REDIRECTED", "at": now})
            case "MERGE" if status == "REGISTERED":
                originals = [
                    i for i, o in enumerate(earlier) if o.status not in ("MERGED", "REDIRECTED")
                ]
                if originals:
                    h.status, h.merged_into = "MERGED", originals[step.target % len(originals)]
                    h.events.append({"type": "MERGED", "at": now})
            case _:
                pass
    return h


async def build(
    app: Starlette, tree: TreeSpec, specs: list[CaseSpec]
) -> tuple[list[Unit], list[Category], list[History], list[int]]:
    async with app.state.yidi.sessions.begin() as session:
        code = f"96{next(_counties):04d}"
        county = await org.create_county(session, code, f"统计县{code}")
        units = [county]
        for t, (villages, office) in enumerate(zip(tree.villages, tree.offices, strict=True)):
            township = await org.create_unit(
                session, f"{code}{t + 1:03d}", f"镇{t}", UnitLevel.TOWNSHIP, parent=county
            )
            units.append(township)
            for v in range(villages):
                units.append(
                    await org.create_unit(
                        session,
                        f"{township.code}{v + 1:03d}",
                        f"村{v}",
                        UnitLevel.VILLAGE,
                        parent=township,
                    )
                )
            if office:
                units.append(
                    await org.create_unit(
                        session,
                        f"{township.code}901",
                        "所",
                        UnitLevel.TOWNSHIP,
                        UnitKind.DEPARTMENT,
                        township,
                    )
                )
        for d in range(tree.departments):
            units.append(
                await org.create_unit(
                    session,
                    f"{code}9{d:02d}",
                    f"局{d}",
                    UnitLevel.COUNTY,
                    UnitKind.DEPARTMENT,
                    county,
                )
            )
        categories = [
            await org.create_category(session, county, f"C{i}", f"类{i}", 10) for i in range(3)
        ]
        by_id = {u.id: u for u in units}
        parent = {u.id: by_id.get(u.parent_id) if u.parent_id else None for u in units}
        areas = [u for u in units if u.kind == UnitKind.AREA.value]
        histories: list[History] = []
        for spec in specs:
            location = areas[spec.location % len(areas)]
            at = EPOCH + timedelta(minutes=spec.registered_minute)
            histories.append(live(spec, at, units, parent, histories, location))
        rows = [_case_row(county, h, categories, by_id, n) for n, h in enumerate(histories)]
        session.add_all(rows)
        await session.flush()
        for h, row in zip(histories, rows, strict=True):
            if h.merged_into is not None:
                row.merged_into_id = rows[h.merged_into].id
        position = itertools.count(1)
        session.add_all(
            CaseEvent(
                county_id=county.id,
                case_id=row.id,
                type=e["type"],
                at=e["at"],
                from_unit_id=e.get("from"),
                to_unit_id=e.get("to"),
                data=e.get("data"),
                position=next(position),
                chain_hash=bytes(32),
            )
            for h, row in zip(histories, rows, strict=True)
            for e in h.events
        )
        await session.flush()
        return units, categories, histories, [r.id for r in rows]


def _case_row(
    county: Unit, h: History, categories: list[Category], by_id: dict[int, Unit], n: int
) -> Case:
    assert h.handling is not None
    township, village = area_ancestors(
        [PathUnit(i, UnitLevel(by_id[i].level), UnitKind(by_id[i].kind)) for i in h.location.path]
    )
    return Case(
        county_id=county.id,
        number=f"{county.code}-P-{n}",
        tracking_code_hash=uuid.uuid4().hex,
        title="t",
        description="d",
        category_id=categories[h.spec.category].id,
        channel="VISIT",
        status=h.status,
        risk_level=h.spec.risk,
        track="STANDARD",
        location_unit_id=h.location.id,
        intake_unit_id=h.location.id,
        handling_unit_id=h.handling.id,
        handling_path=list(h.handling.path),
        location_path=list(h.location.path),
        involved_path=list(h.location.path),
        location_township_id=township,
        location_village_id=village,
        registered_at=h.registered_at,
        due_at=h.due_at,
        escalation_count=h.escalations,
        version=len(h.events),
        **_dashboard_facts(h, by_id),
    )


def _dashboard_facts(h: History, by_id: dict[int, Unit]) -> dict[str, Any]:
    """What the event writer keeps on the case row, as it would from these events: the
    first RESOLVED event (earliest, then first written) and the latest EVALUATED one."""
    order = {id(e): n for n, e in enumerate(h.events)}
    resolved = [e for e in h.events if e["type"] == "RESOLVED"]
    evaluated = [e for e in h.events if e["type"] == "EVALUATED"]
    first = min(resolved, key=lambda e: (e["at"], order[id(e)]), default=None)
    latest = max(evaluated, key=lambda e: (e["at"], order[id(e)]), default=None)
    return {
        "first_resolved_at": first["at"] if first else None,
        "first_resolved_level": by_id[first["from"]].level if first else None,
        "latest_satisfaction": latest["data"]["satisfaction"] if latest else None,
    }


# ---------------------------------------------------------------------------------------
# The recount: plain Python over the histories and the parent ids.
def subtree(units: list[Unit], top: Unit) -> set[int]:
    parent = {u.id: u.parent_id for u in units}
    found = set()
    for u in units:
        node: int | None = u.id
        while node is not None and node != top.id:
            node = parent[node]
        if node == top.id:
            found.add(u.id)
    return found


def handed_over(h: History, units: set[int]) -> list[datetime]:
    return [
        e["at"] for e in h.events if e["type"] in ("DISPATCHED", "REASSIGNED") and e["to"] in units
    ]


def first_resolution(h: History) -> dict[str, Any] | None:
    return next((e for e in h.events if e["type"] == "RESOLVED"), None)


def counted(
    units: list[Unit], unit: Unit, hs: list[History], a: datetime, b: datetime
) -> list[History]:
    below = subtree(units, unit)
    if unit.kind == UnitKind.DEPARTMENT.value:
        return [
            h for h in hs if h.status != "MERGED" and any(a <= t < b for t in handed_over(h, below))
        ]
    return [
        h
        for h in hs
        if h.status != "MERGED" and h.location.id in below and a <= h.registered_at < b
    ]


def recount(units: list[Unit], hs: list[History], now: datetime) -> dict[str, Any]:
    level = {u.id: u.level for u in units}
    resolved = [(h, r) for h in hs if (r := first_resolution(h)) is not None]
    evaluations = [
        [e for e in h.events if e["type"] == "EVALUATED"][-1]["data"]["satisfaction"]
        for h in hs
        if any(e["type"] == "EVALUATED" for e in h.events)
    ]
    hours = [(r["at"] - h.registered_at).total_seconds() / 3600 for h, r in resolved]
    satisfied = sum(s in ("SATISFIED", "BASICALLY_SATISFIED") for s in evaluations)

    def tally(values: list[str], order: list[str]) -> list[tuple[str, int]]:
        return [(v, values.count(v)) for v in order if values.count(v)]

    return {
        "received": len(hs),
        "resolved": len(resolved),
        "closed": sum(h.status == "CLOSED" for h in hs),
        "overdue": sum(h.status in OPEN and h.due_at < now for h in hs),
        "escalated": sum(h.escalations > 0 for h in hs),
        "resolution_rate": len(resolved) / len(hs) if hs else None,
        "on_time_rate": sum(r["at"] <= h.due_at for h, r in resolved) / len(resolved)
        if resolved
        else None,
        "satisfaction_rate": satisfied / len(evaluations) if evaluations else None,
        "average_resolution_hours": sum(hours) / len(hours) if hours else None,
        "levels": tally([level[r["from"]] for _, r in resolved], ["COUNTY", "TOWNSHIP", "VILLAGE"]),
        "risks": tally([h.spec.risk for h in hs], ["BLUE", "YELLOW", "ORANGE", "RED"]),
        "statuses": tally(
            [h.status for h in hs],
            ["REGISTERED", "DISPATCHED", "IN_PROGRESS", "RESOLVED", "CLOSED", "REDIRECTED"],
        ),
        "categories": sorted({h.spec.category for h in hs}),
    }


def answered(f: Any, categories: list[Category]) -> dict[str, Any]:
    position = {c.id: i for i, c in enumerate(categories)}
    return {
        "received": f.received,
        "resolved": f.resolved,
        "closed": f.closed,
        "overdue": f.overdue,
        "escalated": f.escalated,
        "resolution_rate": f.resolution_rate,
        "on_time_rate": f.on_time_rate,
        "satisfaction_rate": f.satisfaction_rate,
        "average_resolution_hours": f.average_resolution_hours,
        "levels": [(lv.value, n) for lv, n in f.levels()],
        "risks": [(r.value, n) for r, n in f.risks()],
        "statuses": [(s.value, n) for s, n in f.statuses()],
        "categories": sorted(position[c] for c, _ in f.categories()),
    }


def same(got: dict[str, Any], want: dict[str, Any]) -> bool:
    return all(
        got[k] == pytest.approx(want[k]) if isinstance(want[k], float) else got[k] == want[k]
        for k in want
    )


def floor(at: datetime, interval: Interval) -> datetime:
    local = at.astimezone(SHANGHAI)
    day = datetime(local.year, local.month, local.day, tzinfo=SHANGHAI)
    if interval is Interval.WEEK:
        return day - timedelta(days=day.weekday())
    if interval is Interval.MONTH:
        return datetime(local.year, local.month, 1, tzinfo=SHANGHAI)
    return day


# A step from a bucket's start that lands inside the next bucket.
STRIDE = {
    Interval.DAY: timedelta(days=1),
    Interval.WEEK: timedelta(days=7),
    Interval.MONTH: timedelta(days=32),
}


def trend(
    units: list[Unit], unit: Unit, hs: list[History], a: datetime, b: datetime, interval: Interval
) -> list[tuple[datetime, int, int]]:
    below = subtree(units, unit)
    alive = [h for h in hs if h.status != "MERGED"]
    if unit.kind == UnitKind.DEPARTMENT.value:
        received = [
            min(t) for h in alive if (t := [x for x in handed_over(h, below) if a <= x < b])
        ]
        mine = [h for h in alive if handed_over(h, below)]
    else:
        mine = [h for h in alive if h.location.id in below]
        received = [h.registered_at for h in mine if a <= h.registered_at < b]
    resolved = [r["at"] for h in mine if (r := first_resolution(h)) and a <= r["at"] < b]
    starts: list[datetime] = []
    current = floor(a, interval)
    while current < b:
        starts.append(current)
        current = floor(current + STRIDE[interval], interval)
    return [
        (
            s,
            sum(floor(t, interval) == s for t in received),
            sum(floor(t, interval) == s for t in resolved),
        )
        for s in starts
    ]


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(org, "hash_password", lambda _password: "unused")


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(tree=trees, specs=case_specs, window=windows, now_minute=st.integers(0, 60 * 24 * 60))
async def test_every_figure_equals_a_recount(
    app: Starlette, tree: TreeSpec, specs: list[CaseSpec], window: Window, now_minute: int
) -> None:
    units, categories, hs, _ids = await build(app, tree, specs)
    county = units[0]
    a = EPOCH + timedelta(minutes=window.start_minute)
    b = a + timedelta(minutes=window.minutes)
    now = EPOCH + timedelta(minutes=now_minute)
    actor = Actor(0, "p", county.id, county.id, (county.id,), "COUNTY", frozenset({"LEADER"}))
    enforcer = CountyEnforcer(DEFAULT_POLICY)
    async with app.state.yidi.sessions() as session:
        for unit in units:
            got = await dashboards.unit_stats(session, enforcer, actor, unit.id, a, b, now)
            want = recount(units, counted(units, unit, hs, a, b), now)
            assert same(answered(got.figures, categories), want), (unit.code, got.figures, want)
            children = sorted(
                (u for u in units if u.parent_id == unit.id and u.kind == UnitKind.AREA.value),
                key=lambda u: u.code,
            )
            assert [c.unit.id for c in got.children] == [c.id for c in children]
            for child in got.children:
                want = recount(units, counted(units, child.unit, hs, a, b), now)
                assert same(answered(child.figures, categories), want), child.unit.code
            points = await dashboards.case_trend(
                session, enforcer, actor, unit.id, a, b, window.interval
            )
            expected = trend(units, unit, hs, a, b, window.interval)
            assert [(p.start, p.received, p.resolved) for p in points] == expected, unit.code
        for level in UnitLevel:
            zero = await dashboards.zero_filing_units(
                session, enforcer, actor, county.id, level, a, b
            )
            idle = [
                u.code
                for u in sorted(units, key=lambda u: u.code)
                if u.kind == UnitKind.AREA.value
                and u.level == level.value
                and not counted(units, u, hs, a, b)
            ]
            assert [u.code for u in zero] == idle, level
