"""The dashboards' rules (docs/DASHBOARDS.md): which window may be asked for, the trend's
buckets in Asia/Shanghai time, and how grouped counts fold into one unit's figures."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from yidi.domain.calendar import SHANGHAI
from yidi.domain.enums import CaseStatus, Interval, RiskLevel, UnitKind, UnitLevel
from yidi.domain.errors import BadInput

MAX_WINDOW = timedelta(days=5 * 366)  # "at most 5 years", leap days included
MAX_POINTS = 2_000


def check_window(start: datetime, end: datetime) -> None:
    """[from, to) must be a non-empty window of at most five years, in absolute time."""
    if start.tzinfo is None:
        raise BadInput("from", "from must include a time zone.")
    if end.tzinfo is None:
        raise BadInput("to", "to must include a time zone.")
    if start >= end:
        raise BadInput("to", "to must be later than from.")
    if end - start > MAX_WINDOW:
        raise BadInput("to", "The window may span at most 5 years.")


def bucket_start(at: datetime, interval: Interval) -> datetime:
    """The start of the DAY, WEEK (Monday) or MONTH holding `at`, in Asia/Shanghai time."""
    local = at.astimezone(SHANGHAI).replace(hour=0, minute=0, second=0, microsecond=0)
    if interval is Interval.WEEK:
        local -= timedelta(days=local.weekday())
    elif interval is Interval.MONTH:
        local = local.replace(day=1)
    return local


def _next(start: datetime, interval: Interval) -> datetime:
    if interval is Interval.DAY:
        return start + timedelta(days=1)
    if interval is Interval.WEEK:
        return start + timedelta(days=7)
    year, month = (start.year + 1, 1) if start.month == 12 else (start.year, start.month + 1)
    return start.replace(year=year, month=month)


def buckets(start: datetime, end: datetime, interval: Interval) -> list[datetime]:
    """Every bucket meeting [start, end), empty ones included; more than MAX_POINTS is
    BAD_USER_INPUT (Shanghai has no daylight saving, so a day is always 24 hours)."""
    check_window(start, end)
    found: list[datetime] = []
    current = bucket_start(start, interval)
    while current < end:
        if len(found) == MAX_POINTS:
            raise BadInput("interval", f"A trend has at most {MAX_POINTS} points.")
        found.append(current)
        current = _next(current, interval)
    return found


@dataclass(frozen=True)
class PathUnit:
    id: int
    level: UnitLevel
    kind: UnitKind


def area_ancestors(path: Sequence[PathUnit]) -> tuple[int | None, int | None]:
    """The township and village AREA units on a location's path (the location included);
    None where the path has none (a county-level location, a county department)."""
    township = next((u.id for u in path if _is(u, UnitLevel.TOWNSHIP)), None)
    village = next((u.id for u in path if _is(u, UnitLevel.VILLAGE)), None)
    return township, village


def _is(unit: PathUnit, level: UnitLevel) -> bool:
    return unit.kind is UnitKind.AREA and unit.level is level


@dataclass(frozen=True)
class Group:
    """Counts for the cases sharing one (child, risk, status, category, level) — one row
    of the statement in persistence/dashboards.py."""

    child: int | None
    risk: str
    status: str
    category_id: int
    resolved_level: str | None
    received: int
    resolved: int
    closed: int
    overdue: int
    escalated: int
    on_time: int
    evaluated: int
    satisfied: int
    resolution_seconds: float


@dataclass
class Figures:
    received: int = 0
    resolved: int = 0
    closed: int = 0
    overdue: int = 0
    escalated: int = 0
    on_time: int = 0
    evaluated: int = 0
    satisfied: int = 0
    resolution_seconds: float = 0.0
    by_level: dict[str, int] = field(default_factory=dict)
    by_risk: dict[str, int] = field(default_factory=dict)
    by_status: dict[str, int] = field(default_factory=dict)
    by_category: dict[int, int] = field(default_factory=dict)

    def add(self, g: Group) -> None:
        self.received += g.received
        self.resolved += g.resolved
        self.closed += g.closed
        self.overdue += g.overdue
        self.escalated += g.escalated
        self.on_time += g.on_time
        self.evaluated += g.evaluated
        self.satisfied += g.satisfied
        self.resolution_seconds += g.resolution_seconds
        if g.resolved_level is not None and g.resolved:
            self.by_level[g.resolved_level] = self.by_level.get(g.resolved_level, 0) + g.resolved
        self.by_risk[g.risk] = self.by_risk.get(g.risk, 0) + g.received
        self.by_status[g.status] = self.by_status.get(g.status, 0) + g.received
        self.by_category[g.category_id] = self.by_category.get(g.category_id, 0) + g.received

    @property
    def resolution_rate(self) -> float | None:
        return _ratio(self.resolved, self.received)

    @property
    def on_time_rate(self) -> float | None:
        return _ratio(self.on_time, self.resolved)

    @property
    def satisfaction_rate(self) -> float | None:
        return _ratio(self.satisfied, self.evaluated)

    @property
    def average_resolution_hours(self) -> float | None:
        return self.resolution_seconds / 3600 / self.resolved if self.resolved else None

    # Breakdowns list non-zero counts only, in the enums' declared order (categories by id).
    def levels(self) -> list[tuple[UnitLevel, int]]:
        return [(lv, self.by_level[lv]) for lv in UnitLevel if self.by_level.get(lv)]

    def risks(self) -> list[tuple[RiskLevel, int]]:
        return [(r, self.by_risk[r]) for r in RiskLevel if self.by_risk.get(r)]

    def statuses(self) -> list[tuple[CaseStatus, int]]:
        return [(s, self.by_status[s]) for s in CaseStatus if self.by_status.get(s)]

    def categories(self) -> list[tuple[int, int]]:
        return [(c, n) for c, n in sorted(self.by_category.items()) if n]


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def fold(groups: Iterable[Group], children: Iterable[int]) -> tuple[Figures, dict[int, Figures]]:
    """The unit's figures and each listed child's (a child with no case gets zeros)."""
    total = Figures()
    per_child = {child: Figures() for child in children}
    for g in groups:
        total.add(g)
        if g.child is not None and g.child in per_child:
            per_child[g.child].add(g)
    return total, per_child
