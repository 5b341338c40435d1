"""Case histories of a synthetic county, as rows ready for PostgreSQL's COPY (text format).

Pure Python and deterministic for a seed: the same plan gives byte-identical rows. Each case
walks the lifecycle table the way staff would move it (register, dispatch or accept, maybe
escalate up the tree, resolve, be evaluated, maybe be reopened after a dissatisfied
evaluation, be followed up and closed), stopping where the clock reaches `now`; so old
cases are mostly closed and recent ones still open. Every event is chained exactly as the
one event writer chains it (`domain/audit_chain`), positioned case after case (docs/
DASHBOARDS.md, "Synthetic county", says what that differs from a live history).

Speed matters (a million cases in minutes): rows are written as text lines directly, the
canonical JSON of each event is assembled from pre-encoded pieces (checked byte for byte
against `audit_chain.canonical` in tests/synthetic), and random draws use one
`random.Random`.
"""

import hashlib
import json
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from yidi.domain.calendar import SHANGHAI, WorkingCalendar
from yidi.domain.closure import DEFAULT_FOLLOW_UP_RISKS
from yidi.domain.enums import CaseStatus, Channel, Outcome, RiskLevel, Satisfaction
from yidi.domain.numbering import format_case_number

# The columns each line carries, in order (persistence/bulk_load.py copies them).
CASE_COLUMNS = [
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
    "reporter_anonymous",
    "location_unit_id",
    "intake_unit_id",
    "handling_unit_id",
    "assignee_id",
    "dispatched_by_unit_id",
    "registered_by_id",
    "co_handling_unit_ids",
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
    "supervision_count",
    "escalation_count",
    "resolution_outcome",
    "resolution_summary",
    "resolved_by_id",
    "resolved_by_unit_id",
    "evaluation_satisfaction",
    "evaluated_at",
    "merged_into_id",
    "duplicates_count",
    "closure_kind",
    "closed_by_id",
    "followed_up_since_result",
    "version",
    "chain_head",
    "first_resolved_at",
    "first_resolved_level",
    "latest_satisfaction",
]
EVENT_COLUMNS = [
    "id",
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
]
FOLLOW_UP_COLUMNS = ["county_id", "case_id", "at", "by_id", "method", "note", "settled"]

NULL = "\\N"
HOUR = 3600
DAY = 24 * HOUR

TEMPLATES: dict[str, list[str]] = {
    "DISPUTE.NEIGHBOR": ["邻居加盖房屋遮挡采光", "楼上漏水引发邻里矛盾", "宅前空地堆放杂物起争执"],
    "DISPUTE.FAMILY": ["赡养老人费用分担纠纷", "离婚后子女抚养费争议"],
    "DISPUTE.LAND": ["承包地边界划分争议", "宅基地使用权纠纷"],
    "DISPUTE.LABOR": ["工地拖欠农民工工资", "工厂未签劳动合同被辞退"],
    "LIVELIHOOD.ROAD": ["村道路面塌陷需修复", "路灯损坏夜间出行不便"],
    "LIVELIHOOD.WATER": ["自来水水压不足", "台风后线路停电未恢复"],
    "PETITION": ["反映征地补偿标准问题", "反映低保评定不公"],
    "CONSULT": ["咨询医保缴费政策", "咨询养老保险转移手续"],
}
SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张"
CHANNELS = [
    (Channel.VISIT, 30),
    (Channel.HOTLINE, 25),
    (Channel.GRID_PATROL, 15),
    (Channel.WECHAT, 10),
    (Channel.ONLINE, 8),
    (Channel.CADRE_VISIT, 6),
    (Channel.QR_CODE, 3),
    (Channel.LETTER, 2),
    (Channel.OTHER, 1),
]
RISKS = [(RiskLevel.BLUE, 70), (RiskLevel.YELLOW, 20), (RiskLevel.ORANGE, 8), (RiskLevel.RED, 2)]
OUTCOMES = [
    (Outcome.SOLVED, 60),
    (Outcome.EXPLAINED, 25),
    (Outcome.PARTIALLY_SOLVED, 10),
    (Outcome.UNRESOLVABLE, 5),
]
SATISFACTIONS = [
    (Satisfaction.SATISFIED, 70),
    (Satisfaction.BASICALLY_SATISFIED, 20),
    (Satisfaction.DISSATISFIED, 10),
]
# Chance that a unit of each depth (0 county, 1 township, 2 village) passes a case up.
ESCALATE = (0.0, 0.06, 0.12)
REDIRECT, DUPLICATE, EVALUATED, REOPEN_IF_DISSATISFIED = 0.015, 0.02, 0.6, 0.5
NOTES = {
    "escalate": "本级难以化解，提请上级协调",
    "summary": "经现场核实并协调各方，已办理完毕",
    "redirect": "不属于本级职责范围",
    "guidance": "请向有管辖权的部门反映",
    "reopen": "群众对办理结果不满意，重新办理",
    "follow_up": "电话回访，群众表示问题已解决",
    "supervise": "请加快办理进度",
    "merged": "同一事项重复反映，已并入原件",
}


@dataclass(frozen=True)
class Place:
    """A unit cases can be at: its id, path, depth, handler (and leader) user ids."""

    id: int
    path: tuple[int, ...]
    depth: int
    handler: int
    leader: int
    parent: "int | None"
    level: str  # the unit's level; a department's is the level of the area it belongs to
    area: bool  # False for a department


@dataclass(frozen=True)
class Township:
    unit: Place
    villages: list[Place]
    office: Place  # the township's 司法所 (a DEPARTMENT at township level)


@dataclass(frozen=True)
class County:
    code: str
    unit: Place
    townships: list[Township]
    departments: list[Place]
    # (id, code, time limit in working days), leaf categories only.
    categories: list[tuple[int, str, int]]


@dataclass(frozen=True)
class Plan:
    county: County
    cases: int
    years: int
    seed: int
    now: datetime
    first_case_id: int
    first_event_id: int
    calendar: WorkingCalendar
    batch: int = 20_000


@dataclass
class Batch:
    """One batch of rows and where the counters stood after it."""

    cases: list[str] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    follow_ups: list[str] = field(default_factory=list)
    last_position: int = 0
    last_event_id: int = 0


_DAYS: dict[int, str] = {}


def _iso(seconds: int) -> str:
    """`datetime.fromtimestamp(seconds, UTC).isoformat(timespec="microseconds")`, several
    times faster (tests/synthetic compares the two)."""
    day, rest = divmod(seconds, DAY)
    prefix = _DAYS.get(day)
    if prefix is None:
        prefix = _DAYS[day] = datetime.fromtimestamp(day * DAY, UTC).strftime("%Y-%m-%dT")
    hour, rest = divmod(rest, HOUR)
    minute, second = divmod(rest, 60)
    return f"{prefix}{hour:02d}:{minute:02d}:{second:02d}.000000+00:00"


def _json(value: object) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _array(ids: Sequence[int]) -> str:
    return "{" + ",".join(map(str, ids)) + "}"


Event = tuple[str, int, int | None, int | None, int | None, str | None, str | None]
"""(type, at in epoch seconds, actor, from unit, to unit, note as JSON, data as JSON)."""


@dataclass(slots=True)
class Draft:
    """One simulated case before it is written: a duplicate merged later still adds an
    event to its original, so a case is written only once the next one is known."""

    id: int
    number: str
    registered: int
    township: int
    location: Place
    village: int | None
    intake: Place
    category: tuple[int, str, int]
    risk: str
    channel: str
    handling: Place
    due: int
    status: str = "REGISTERED"
    events: list[Event] = field(default_factory=list)
    follow_ups: list[tuple[int, int]] = field(default_factory=list)
    accepted_at: int | None = None
    closed_at: int | None = None
    evaluated_at: int | None = None
    resolved_at: int | None = None
    first_resolved_at: int | None = None
    first_resolved_level: str | None = None
    assignee: int | None = None
    dispatched_by: int | None = None
    merged_into: int | None = None
    closed_by: int | None = None
    resolved_by: int | None = None
    resolved_by_unit: int | None = None
    closure_kind: str | None = None
    outcome: str | None = None
    satisfaction: str | None = None
    latest_satisfaction: str | None = None
    duplicates: int = 0
    escalations: int = 0
    supervisions: int = 0
    followed_up: bool = False


def _num(value: int | None) -> str:
    return "null" if value is None else str(value)


def _cell(value: object) -> str:
    return NULL if value is None else str(value)


def _time(seconds: int | None) -> str:
    return NULL if seconds is None else _iso(seconds)


def _text(note_json: str | None) -> str:
    # Notes are fixed texts without tabs, newlines or backslashes: the JSON string minus
    # its quotes is the text itself.
    return NULL if note_json is None else note_json[1:-1]


class _Writer:
    """Turns drafts into lines; positions and chains events like `services/events`."""

    def __init__(self, plan: "Plan", first_position: int, first_event_id: int) -> None:
        self.plan = plan
        self.county = plan.county.unit.id
        self.position = first_position - 1
        self.event_id = first_event_id - 1
        self._prefix = f'"county":{self.county},'
        self._seed = f"synthetic:{plan.seed}:".encode()

    def trail(self, batch: "Batch", case_id: int, events: list[Event]) -> bytes:
        """Store the case's events in order; its chain head."""
        head = bytes(32)
        out = batch.events
        county = self.county
        for kind, at, actor, from_unit, to_unit, note, data in events:
            self.position += 1
            self.event_id += 1
            iso = _iso(at)
            canonical = (
                f'{{"actor":{_num(actor)},"at":"{iso}","case":{case_id},{self._prefix}'
                f'"data":{data or "null"},"from":{_num(from_unit)},"note":{note or "null"},'
                f'"position":{self.position},"to":{_num(to_unit)},"type":"{kind}","v":1}}'
            )
            head = hashlib.sha256(head + canonical.encode()).digest()
            out.append(
                f"{self.event_id}\t{county}\t{case_id}\t{kind}\t{iso}\t{_cell(actor)}\t"
                f"{_cell(from_unit)}\t{_cell(to_unit)}\t{_text(note)}\t{data or NULL}\t"
                f"{self.position}\t\\\\x{head.hex()}\n"
            )
        return head

    def case(self, batch: "Batch", d: Draft) -> None:
        head = self.trail(batch, d.id, d.events)
        county = self.county
        loc: Place = d.location
        intake: Place = d.intake
        handling: Place = d.handling
        involved = _array(sorted(set(intake.path) | set(loc.path)))
        title = title_templates(d.category[1])
        tracking = hashlib.sha256(self._seed + str(d.id).encode()).hexdigest()
        name = SURNAMES[d.id % len(SURNAMES)] + "某"
        phone = f"138{d.id % 100_000_000:08d}"
        batch.cases.append(
            "\t".join(
                (
                    str(d.id),
                    str(county),
                    d.number,
                    tracking,
                    title[d.id % len(title)],
                    f"{title[d.id % len(title)]}，请协调处理。",
                    str(d.category[0]),
                    d.channel,
                    d.status,
                    d.risk,
                    "STANDARD",
                    "1",
                    name,
                    phone,
                    "f",
                    str(loc.id),
                    str(intake.id),
                    str(handling.id),
                    _cell(d.assignee),
                    _cell(d.dispatched_by),
                    str(intake.handler),
                    "{}",
                    _array(handling.path),
                    _array(loc.path),
                    involved,
                    _cell(d.township),
                    _cell(d.village),
                    _iso(d.registered),
                    _time(d.due),
                    _time(d.accepted_at),
                    _time(d.resolved_at),
                    _time(d.closed_at),
                    str(d.supervisions),
                    str(d.escalations),
                    _cell(d.outcome),
                    NOTES["summary"] if d.outcome else NULL,
                    _cell(d.resolved_by),
                    _cell(d.resolved_by_unit),
                    _cell(d.satisfaction),
                    _time(d.evaluated_at),
                    _cell(d.merged_into),
                    str(d.duplicates),
                    _cell(d.closure_kind),
                    _cell(d.closed_by),
                    "t" if d.followed_up else "f",
                    str(len(d.events)),
                    "\\\\x" + head.hex(),
                    _time(d.first_resolved_at),
                    _cell(d.first_resolved_level),
                    _cell(d.latest_satisfaction),
                )
            )
            + "\n"
        )
        for at, by in d.follow_ups:
            batch.follow_ups.append(
                f"{county}\t{d.id}\t{_iso(at)}\t{by}\tPHONE\t{NOTES['follow_up']}\tt\n"
            )


_NOTE = {key: _json(text) for key, text in NOTES.items()}
_OUTCOME = {o: _json({"outcome": o.value}) for o, _ in OUTCOMES}
_SATISFACTION = {s: _json({"by": "reporter", "satisfaction": s.value}) for s, _ in SATISFACTIONS}
_CLOSED = _json({"kind": "SUBSTANTIVE"})
_FOLLOWED_UP = _json({"method": "PHONE", "settled": True})
_GUIDANCE = _json({"guidance": NOTES["guidance"]})
_FOLLOW_UP_RISKS = {r.value for r in DEFAULT_FOLLOW_UP_RISKS}
_RISKS, _RISK_WEIGHTS = [r.value for r, _ in RISKS], [w for _, w in RISKS]
_CHANNELS, _CHANNEL_WEIGHTS = [c.value for c, _ in CHANNELS], [w for _, w in CHANNELS]
_OUTCOMES, _OUTCOME_WEIGHTS = [o for o, _ in OUTCOMES], [w for _, w in OUTCOMES]
_SATISFACTIONS, _SATISFACTION_WEIGHTS = [s for s, _ in SATISFACTIONS], [w for _, w in SATISFACTIONS]


def title_templates(code: str) -> list[str]:
    """The titles cases of a category get (categories without templates use their parent's
    or a generic one)."""
    return TEMPLATES.get(code) or TEMPLATES.get(code.split(".")[0]) or ["群众反映问题"]


class _Simulation:
    """Walks one case at a time through the lifecycle table; see the module docstring."""

    def __init__(self, plan: Plan, rng: random.Random) -> None:
        self.plan = plan
        self.rng = rng
        self.now = int(plan.now.timestamp())
        county = plan.county
        self.townships = county.townships
        self.county_unit = county.unit
        self.departments = county.departments
        self.categories = county.categories
        self.due_cache: dict[tuple[date, int], int] = {}

    def due(self, at: int, days: int) -> int:
        day = datetime.fromtimestamp(at, SHANGHAI).date()
        found = self.due_cache.get((day, days))
        if found is None:
            moment = self.plan.calendar.due_at(datetime.fromtimestamp(at, UTC), days)
            found = self.due_cache[(day, days)] = int(moment.timestamp())
        return found

    def draft(self, case_id: int, number: str, registered: int) -> Draft:
        rng = self.rng
        township = rng.choice(self.townships)
        location: Place = township.unit
        if rng.random() < 0.95:
            location = rng.choice(township.villages)
        r = rng.random()
        if location.depth == 2 and r < 0.7:
            intake = location
        elif r < 0.9:
            intake = township.unit
        else:
            intake = self.county_unit
        category = rng.choice(self.categories)
        return Draft(
            id=case_id,
            number=number,
            registered=registered,
            township=township.unit.id,
            location=location,
            village=location.id if location.depth == 2 else None,
            intake=intake,
            category=category,
            risk=rng.choices(_RISKS, _RISK_WEIGHTS)[0],
            channel=rng.choices(_CHANNELS, _CHANNEL_WEIGHTS)[0],
            handling=intake,
            due=self.due(registered, category[2]),
        )

    def run(self, d: Draft, township: Township) -> None:
        """The case's history from registration until it is closed or `now` comes."""
        rng, ev = self.rng, d.events
        t = d.registered
        limit = d.category[2]
        ev.append(("REGISTERED", t, d.intake.handler, None, d.intake.id, None, None))
        if rng.random() < REDIRECT:
            t += rng.randrange(HOUR, 2 * DAY)
            if t < self.now:
                ev.append(("REDIRECTED", t, d.handling.handler, d.handling.id, None,
                           _NOTE["redirect"], _GUIDANCE))  # fmt: skip
                d.status = CaseStatus.REDIRECTED.value
            return
        while True:
            here: Place = d.handling
            if here.area and here.depth < d.location.depth and rng.random() < 0.85:
                target = self._below(here, d, township)
                t += rng.randrange(HOUR, DAY)
                if t >= self.now:
                    return
                ev.append(("DISPATCHED", t, here.leader, here.id, target.id, None, None))
                d.handling, d.dispatched_by, d.status = target, here.id, "DISPATCHED"
            t += rng.randrange(HOUR, DAY)
            if t >= self.now:
                return
            ev.append(("ACCEPTED", t, d.handling.handler, None, d.handling.id, None, None))
            d.status, d.assignee, d.accepted_at = "IN_PROGRESS", d.handling.handler, t
            if rng.random() < 0.05:
                t += rng.randrange(HOUR, 3 * DAY)
                if t >= self.now:
                    return
                ev.append(("SUPERVISED", t, self.county_unit.leader, None, d.handling.id,
                           _NOTE["supervise"], None))  # fmt: skip
                d.supervisions += 1
            here = d.handling
            if here.area and here.parent is not None and rng.random() < ESCALATE[here.depth]:
                t += rng.randrange(HOUR, 10 * DAY)
                if t >= self.now:
                    return
                parent = self._parent(here, township)
                ev.append(("ESCALATED", t, here.handler, here.id, parent.id,
                           _NOTE["escalate"], None))  # fmt: skip
                d.handling, d.status, d.escalations = parent, "REGISTERED", d.escalations + 1
                d.dispatched_by = d.assignee = d.accepted_at = None
                continue
            break
        for attempt in range(2):
            # Handling takes about half the time limit, sometimes more than all of it.
            t += int(rng.expovariate(2 / limit) * DAY) + HOUR
            if t >= self.now:
                return
            here = d.handling
            outcome = rng.choices(_OUTCOMES, _OUTCOME_WEIGHTS)[0]
            ev.append(("RESOLVED", t, here.handler, here.id, None, _NOTE["summary"],
                       _OUTCOME[outcome]))  # fmt: skip
            d.status, d.resolved_at, d.outcome = "RESOLVED", t, outcome.value
            d.resolved_by, d.resolved_by_unit = here.handler, here.id
            if d.first_resolved_at is None:
                d.first_resolved_at, d.first_resolved_level = t, here.level
            if rng.random() >= EVALUATED:
                break
            t += rng.randrange(HOUR, 3 * DAY)
            if t >= self.now:
                return
            satisfaction = rng.choices(_SATISFACTIONS, _SATISFACTION_WEIGHTS)[0]
            ev.append(("EVALUATED", t, None, None, None, None, _SATISFACTION[satisfaction]))
            d.satisfaction = d.latest_satisfaction = satisfaction.value
            d.evaluated_at = t
            if (
                satisfaction is not Satisfaction.DISSATISFIED
                or attempt
                or rng.random() >= REOPEN_IF_DISSATISFIED
            ):
                break
            t += rng.randrange(HOUR, 2 * DAY)
            if t >= self.now:
                return
            ev.append(("REOPENED", t, here.leader, None, here.id, _NOTE["reopen"], None))
            d.status, d.due = "IN_PROGRESS", self.due(t, limit)
            d.resolved_at = d.outcome = d.resolved_by = d.resolved_by_unit = None
            d.satisfaction = d.evaluated_at = None
        here = d.handling
        if d.risk in _FOLLOW_UP_RISKS:
            t += rng.randrange(HOUR, 3 * DAY)
            if t >= self.now:
                return
            ev.append(("FOLLOWED_UP", t, here.handler, None, None, _NOTE["follow_up"],
                       _FOLLOWED_UP))  # fmt: skip
            d.followed_up = True
            d.follow_ups.append((t, here.handler))
        t += rng.randrange(HOUR, 5 * DAY)
        if t >= self.now:
            return
        ev.append(("CLOSED", t, here.handler, None, None, None, _CLOSED))
        d.status, d.closed_at, d.closure_kind, d.closed_by = (
            "CLOSED",
            t,
            "SUBSTANTIVE",
            here.handler,
        )

    def _below(self, here: Place, d: Draft, township: Township) -> Place:
        """Where `here` dispatches: towards the location, or to a department (15%)."""
        if self.rng.random() < 0.15:
            return self.rng.choice(self.departments) if here.depth == 0 else township.office
        return township.unit if here.depth == 0 else d.location

    def _parent(self, here: Place, township: Township) -> Place:
        return self.county_unit if here.depth == 1 else township.unit

    def merge(self, original: Draft, duplicate: Draft) -> None:
        """`duplicate` is the same matter as `original`, registered just after it: merged
        within a day, unless `now` comes first or the original cannot take it."""
        at = duplicate.registered + self.rng.randrange(HOUR, DAY)
        if at >= self.now or original.status in ("REDIRECTED", "MERGED"):
            return
        duplicate.location, duplicate.village = original.location, original.village
        duplicate.township, duplicate.category = original.township, original.category
        duplicate.intake = duplicate.handling = original.intake
        duplicate.status, duplicate.merged_into = "MERGED", original.id
        duplicate.due = self.due(duplicate.registered, duplicate.category[2])
        duplicate.events = [
            ("REGISTERED", duplicate.registered, duplicate.intake.handler, None,
             duplicate.intake.id, None, None),
            ("MERGED", at, duplicate.intake.handler, None, None, None,
             _json({"into": original.id})),
        ]  # fmt: skip
        original.events.append(
            ("DUPLICATE_MERGED", at, duplicate.intake.handler, None, None, _NOTE["merged"],
             _json({"duplicate": duplicate.id}))
        )  # fmt: skip
        original.events.sort(key=lambda e: e[1])
        original.duplicates += 1


@dataclass(frozen=True)
class Chunk:
    """A run of consecutive cases generated on its own (by any process): its own random
    stream, its registration times, and the per-year numbers already taken before it."""

    index: int
    first_case_id: int
    times: list[int]
    sequences: dict[int, int]


def chunks(plan: Plan) -> tuple[list[Chunk], dict[int, int]]:
    """The plan's cases cut into chunks of `plan.batch`, in registration order, and the
    last number taken in each year (the county's counters once loaded)."""
    times = registration_times(plan)
    result: list[Chunk] = []
    sequences: dict[int, int] = {}
    for index, start in enumerate(range(0, len(times), plan.batch)):
        part = times[start : start + plan.batch]
        result.append(Chunk(index, plan.first_case_id + start, part, dict(sequences)))
        for t in part:
            year = datetime.fromtimestamp(t, SHANGHAI).year
            sequences[year] = sequences.get(year, 0) + 1
    return result, sequences


def simulate(plan: Plan, chunk: Chunk) -> list[Draft]:
    """The chunk's cases with their histories; a duplicate is merged into the case
    registered just before it, within the chunk."""
    sim = _Simulation(plan, random.Random(f"{plan.seed}:{chunk.index}"))
    by_id = {t.unit.id: t for t in plan.county.townships}
    sequences = dict(chunk.sequences)
    drafts: list[Draft] = []
    for offset, registered in enumerate(chunk.times):
        year = datetime.fromtimestamp(registered, SHANGHAI).year
        sequences[year] = sequences.get(year, 0) + 1
        number = format_case_number(plan.county.code, year, sequences[year])
        draft = sim.draft(chunk.first_case_id + offset, number, registered)
        if drafts and sim.rng.random() < DUPLICATE:
            sim.merge(drafts[-1], draft)
        if draft.merged_into is None:
            sim.run(draft, by_id[draft.township])
        drafts.append(draft)
    return drafts


def count_events(plan: Plan, chunk: Chunk) -> int:
    """How many events the chunk holds: what the next chunk's positions start after."""
    return sum(len(d.events) for d in simulate(plan, chunk))


def write(plan: Plan, chunk: Chunk, first_position: int, first_event_id: int) -> Batch:
    """The chunk's rows, its events positioned from `first_position` on."""
    batch = Batch()
    writer = _Writer(plan, first_position, first_event_id)
    for draft in simulate(plan, chunk):
        writer.case(batch, draft)
    batch.last_position, batch.last_event_id = writer.position, writer.event_id
    return batch


def generate(plan: Plan) -> Iterator[Batch]:
    """All batches of the plan, one after the other in this process."""
    position, event_id = 1, plan.first_event_id
    for chunk in chunks(plan)[0]:
        batch = write(plan, chunk, position, event_id)
        position, event_id = batch.last_position + 1, batch.last_event_id + 1
        yield batch


def registration_times(plan: Plan) -> list[int]:
    """Sorted registration instants (epoch seconds) over the plan's years, mostly in
    office hours."""
    rng = random.Random(plan.seed)
    end = int(plan.now.timestamp()) - HOUR
    start = end - plan.years * 365 * DAY
    times = []
    for _ in range(plan.cases):
        t = rng.randrange(start, end)
        local_hour = (t + 8 * HOUR) // HOUR % 24
        if (local_hour < 8 or local_hour >= 18) and rng.random() < 0.8:
            t += (rng.randrange(8, 18) - local_hour) * HOUR
        times.append(min(max(t, start), end))
    times.sort()
    return times
