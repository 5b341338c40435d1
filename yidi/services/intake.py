"""Use case: register a case (受理登记), by staff or by a resident's online request."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from yidi.authz import guard
from yidi.domain import intake, repeats
from yidi.domain.calendar import SHANGHAI
from yidi.domain.dashboards import PathUnit, area_ancestors
from yidi.domain.enums import CaseEventType, CaseStatus, Channel, RiskLevel, UnitKind, UnitLevel
from yidi.domain.errors import BadInput, Forbidden
from yidi.domain.numbering import (
    derived_tracking_code,
    hash_tracking_code,
    new_tracking_code,
    provisional_case_number,
)
from yidi.persistence import cases as case_store
from yidi.persistence import idempotency
from yidi.persistence.models import Case, Category, Unit
from yidi.persistence.session import Session, WriteOutsideSeal
from yidi.persistence.units import units_by_ids, units_with_ancestors_and_category
from yidi.services.events import record
from yidi.services.responsibilities import route_new_case
from yidi.services.unit_of_work import Work
from yidi.services.work import Unnumbered


@dataclass(frozen=True)
class ReporterInput:
    name: str | None
    phone: str | None
    id_number: str | None
    anonymous: bool


@dataclass(frozen=True)
class RegisterCommand:
    title: str
    description: str
    category_id: int | None
    channel: Channel
    location_unit_id: int | None
    address: str | None
    occurred_at: datetime | None
    parties_count: int
    reporter: ReporterInput
    risk_level: RiskLevel | None
    idempotency_key: str | None


@dataclass(frozen=True)
class Registered:
    case: Case
    tracking_code: str


async def _location(session: Session, unit_id: int | None, county_id: int | None) -> Unit:
    units = await units_by_ids(session, [unit_id]) if unit_id is not None else {}
    return _located(units, unit_id, county_id)


def _located(units: dict[int, Unit], unit_id: int | None, county_id: int | None) -> Unit:
    unit = units.get(unit_id) if unit_id is not None else None
    # A unit of another county is answered exactly like a unit that does not exist.
    if unit is None or (county_id is not None and unit.county_id != county_id):
        raise BadInput("locationUnitId", "No such unit.")
    return unit


def _category(found: Category | None, county_id: int) -> Category:
    # A category of another county is answered exactly like one that does not exist.
    if found is None or found.county_id != county_id:
        raise BadInput("categoryId", "No such category.")
    return found


async def replay_idempotent(work: Work, scope: str, key: str | None) -> Registered | None:
    """A retry with a known idempotency key returns the first case, not a new one."""
    if key is None:
        return None
    case_id = await idempotency.claim(work.session, scope, key)
    if case_id is None:
        return None
    found = await case_store.cases_by_ids(work.session, [case_id])
    return Registered(found[case_id], derived_tracking_code(work.secret, f"{scope}/{key}"))


@dataclass(frozen=True)
class Checked:
    """The registration's own texts and reporter, checked."""

    title: str
    description: str
    reporter: intake.ReporterData


@dataclass(frozen=True)
class Placement:
    """Where the new case belongs, decided by the use case that registers it."""

    category: Category
    location: Unit
    intake_unit: Unit
    risk: RiskLevel
    # Idempotency keys are unique per scope: the staff user, or a resident's phone.
    scope: str
    # Units already read, by id (the location's ancestors among them saves a statement).
    known_units: Mapping[int, Unit] = field(default_factory=dict)
    # The case's id if already taken (None: its insert takes it).
    case_id: int | None = None


def check_registration(cmd: RegisterCommand, *, phone_required: bool, now: datetime) -> Checked:
    title = intake.check_text("title", cmd.title, intake.TITLE_MAX)
    description = intake.check_text("description", cmd.description, intake.DESCRIPTION_MAX)
    intake.check_optional_text("address", cmd.address, intake.ADDRESS_MAX)
    intake.check_parties_count(cmd.parties_count)
    if cmd.idempotency_key is not None:
        intake.check_text("idempotencyKey", cmd.idempotency_key, intake.IDEMPOTENCY_KEY_MAX)
    r = cmd.reporter
    reporter = intake.check_reporter(
        r.name, r.phone, r.id_number, r.anonymous, phone_required=phone_required, today=now.date()
    )
    intake.check_occurred_at(cmd.occurred_at, now)
    return Checked(title, description, reporter)


async def register_case(work: Work, cmd: RegisterCommand, *, route: bool = True) -> Registered:
    """Register a case at the actor's unit (应登尽登), located anywhere in its subtree; and
    route it when the county routes new cases automatically (unless `route` is False: a
    matter answered on the spot stays with whoever answered it)."""
    actor, enforcer = work.staff()
    checked = check_registration(cmd, phone_required=False, now=work.now)
    # One read for the location, the intake unit, the ancestors of both and the category.
    location_id = cmd.location_unit_id
    reads = await units_with_ancestors_and_category(
        work.session,
        actor.unit_id if location_id is None else location_id,
        actor.unit_id,
        cmd.category_id,
    )
    units = reads.units
    location = _located(units, location_id, actor.county_id)
    category = _category(reads.category, actor.county_id)
    risk = cmd.risk_level or intake.DEFAULT_RISK
    if not guard.may_register(enforcer, actor, location.path, risk):
        raise Forbidden("You may not register cases located there.")
    intake_unit = units[actor.unit_id]
    scope = f"user:{actor.user_id}"
    routes = route and location.county_id in reads.routing_counties
    if routes and work.alone:
        # Routing reads the new case back (the dispatch path): it needs the case's row.
        raise WriteOutsideSeal("an automatically routed registration runs in a transaction")
    placement = Placement(
        category, location, intake_unit, risk, scope, known_units=units, case_id=reads.case_id
    )
    registered = await create_case(work, cmd, checked, placement)
    new = registered.case in work.changed  # not a retry's replay (INTAKE.md)
    if routes and new:
        await route_new_case(work, registered.case)
    return registered


def registers_alone(cmd: RegisterCommand) -> bool:
    """Whether the registration may run without a transaction (unit_of_work.run_alone),
    its seal inserting the case: not under an idempotency key, whose record is a row of
    its own (a registration the county routes automatically finds out after its first
    read, and runs again in a transaction)."""
    return cmd.idempotency_key is None


async def create_case(
    work: Work, cmd: RegisterCommand, checked: Checked, placement: Placement
) -> Registered:
    """Insert the case, its REGISTERED event and its idempotency record in one transaction;
    a retry under a known idempotency key gets the first case back instead."""
    scope = placement.scope
    replay = await replay_idempotent(work, scope, cmd.idempotency_key)
    if replay is not None:
        return replay
    session, now = work.session, work.now
    location, intake_unit, category = placement.location, placement.intake_unit, placement.category
    reporter = checked.reporter
    # The location's path holds its county: one read gives the county and the ancestors.
    path_units = placement.known_units
    if not all(i in path_units for i in location.path):
        path_units = await units_by_ids(session, location.path)
    county = path_units[location.county_id]
    township_id, village_id = area_ancestors(
        [
            PathUnit(u.id, UnitLevel(u.level), UnitKind(u.kind))
            for u in (path_units[i] for i in location.path)
        ]
    )
    year = now.astimezone(SHANGHAI).year
    key = cmd.idempotency_key
    tracking_code = (
        derived_tracking_code(work.secret, f"{scope}/{key}")
        if key is not None
        else new_tracking_code()
    )
    track = intake.DEFAULT_TRACK
    case = Case(
        id=placement.case_id,
        county_id=county.id,
        # Numbered last, right before commit, by the event writer (services/events.py).
        number=provisional_case_number(),
        tracking_code_hash=hash_tracking_code(tracking_code),
        title=checked.title,
        description=checked.description,
        category_id=category.id,
        channel=cmd.channel.value,
        status=CaseStatus.REGISTERED.value,
        risk_level=placement.risk.value,
        track=track.value,
        parties_count=cmd.parties_count,
        reporter_name=reporter.name,
        reporter_phone=reporter.phone,
        reporter_id_number=reporter.id_number,
        reporter_anonymous=reporter.anonymous,
        # Keyed hashes, comparable within the county only (repeat petitions, INTAKE.md).
        reporter_phone_key=repeats.phone_key(work.secret, county.id, reporter.phone),
        reporter_id_key=repeats.id_number_key(work.secret, county.id, reporter.id_number),
        address=intake.check_optional_text("address", cmd.address, intake.ADDRESS_MAX),
        occurred_at=cmd.occurred_at,
        location_unit_id=location.id,
        intake_unit_id=intake_unit.id,
        handling_unit_id=intake_unit.id,
        registered_by_id=work.actor.user_id if work.actor is not None else None,
        co_handling_unit_ids=[],
        handling_path=list(intake_unit.path),
        location_path=list(location.path),
        location_township_id=township_id,
        location_village_id=village_id,
        involved_path=sorted(set(intake_unit.path) | set(location.path)),
        registered_at=now,
        due_at=work.calendar.due_at(now, intake.time_limit_days(track, category.time_limit_days)),
        supervision_count=0,
        escalation_count=0,
        duplicates_count=0,
        version=0,  # the REGISTERED event makes it 1
    )
    await record(work, case, CaseEventType.REGISTERED, to_unit_id=intake_unit.id)
    work.unnumbered.append(Unnumbered(case, county.code, year))
    if key is not None:
        await idempotency.remember(session, scope, key, case.county_id, case.id)
    return Registered(case, tracking_code)
