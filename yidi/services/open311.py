"""Open311 GeoReport v2 use cases (docs/OPEN311.md): the operator's api keys, the county's
services, filing a request as a resident's `submitRequest`, and following one as
`trackCase` does — same limits, same proof, same masking."""

from dataclasses import dataclass
from datetime import datetime

from yidi.domain import open311 as rules
from yidi.domain.enums import Channel, UnitKind, UnitLevel
from yidi.domain.errors import BadInput, Forbidden, NotFound
from yidi.domain.numbering import normalize_tracking_code
from yidi.persistence import open311 as store
from yidi.persistence.models import Unit
from yidi.persistence.session import Session
from yidi.persistence.units import (
    categories_by_ids,
    categories_of_county,
    category_by_code,
    unit_by_code,
)
from yidi.services import public
from yidi.services.intake import RegisterCommand, ReporterInput
from yidi.services.unit_of_work import UnitOfWork

PHONE_LAST4_FIELD = "phone_last4"
TRACKING_CODE_MAX = 64


@dataclass(frozen=True)
class IssuedKey:
    id: int
    key: str


@dataclass(frozen=True)
class KeyInfo:
    id: int
    name: str
    created_at: datetime
    revoked_at: datetime | None


async def _county_by_code(session: Session, code: str | None) -> Unit | None:
    valid = rules.code_or_none(code)
    unit = await unit_by_code(session, valid) if valid is not None else None
    return unit if unit is not None and unit.level == UnitLevel.COUNTY.value else None


async def _jurisdiction(session: Session, jurisdiction_id: str | None) -> Unit:
    """The county a jurisdiction_id names: 400 when none is given, 404 when unknown."""
    if not (jurisdiction_id or "").strip():
        raise BadInput("jurisdiction_id", "jurisdiction_id is required.")
    county = await _county_by_code(session, jurisdiction_id)
    if county is None:
        raise NotFound("jurisdiction_id was not found.")
    return county


async def issue_key(uow: UnitOfWork, county_code: str, name: str) -> IssuedKey:
    """A new api_key for the county's Open311 clients; shown once, kept as a hash."""
    async with uow.begin() as work:
        county = await _county_by_code(work.session, county_code)
        if county is None:
            raise NotFound(f"No county has the code {county_code}.")
        key = rules.new_api_key()
        row = await store.add_key(
            work.session, county.id, name.strip()[:100], rules.hash_api_key(key), work.now
        )
    return IssuedKey(row.id, key)


async def revoke_key(uow: UnitOfWork, key_id: int) -> None:
    async with uow.begin() as work:
        if not await store.revoke_key(work.session, key_id, work.now):
            raise NotFound(f"No live api_key has the id {key_id}.")


async def keys(uow: UnitOfWork, county_code: str) -> list[KeyInfo]:
    async with uow.read() as session:
        county = await _county_by_code(session, county_code)
        if county is None:
            raise NotFound(f"No county has the code {county_code}.")
        rows = await store.keys_of_county(session, county.id)
    return [KeyInfo(r.id, r.name, r.created_at, r.revoked_at) for r in rows]


async def services(uow: UnitOfWork, jurisdiction_id: str | None) -> list[dict[str, object]]:
    """services.json: every category of the county, grouped by its parent."""
    async with uow.read() as session:
        county = await _jurisdiction(session, jurisdiction_id)
        categories = await categories_of_county(session, county.id)
    by_id = {c.id: c for c in categories}
    return [
        rules.service_entry(
            rules.Service(
                code=c.code,
                name=c.name,
                group=by_id[c.parent_id].name if c.parent_id in by_id else c.name,
                time_limit_days=c.time_limit_days,
            )
        )
        for c in sorted(categories, key=lambda c: c.code)
    ]


async def service_definition(
    uow: UnitOfWork, jurisdiction_id: str | None, service_code: str
) -> dict[str, object]:
    """services/{code}.json: the required village attribute and its values."""
    async with uow.read() as session:
        county = await _jurisdiction(session, jurisdiction_id)
        code = rules.code_or_none(service_code)
        if code is None or await category_by_code(session, county.id, code) is None:
            raise NotFound("service_code was not found.")
        places = await store.places_of_county(session, county.id)
    return rules.service_definition(
        code,
        [(u.code, f"{t.name} {u.name}" if t is not None else u.name) for u, t in places],
    )


@dataclass(frozen=True)
class Filed:
    tracking_code: str
    case_number: str


async def file_request(
    uow: UnitOfWork,
    limit: public.Limit,
    client_address: str,
    api_key: str | None,
    jurisdiction_id: str | None,
    form: dict[str, str],
) -> Filed:
    """Register the request as `submitRequest` does (its rate limit, rules and
    idempotency), on channel OPEN311, for the county whose api_key the client holds."""
    await public.check_rate(uow, f"submit:{client_address}", limit, uow.clock())
    async with uow.begin() as work:
        session = work.session
        key = await store.live_key(session, rules.hash_api_key(api_key)) if api_key else None
        if key is None:
            raise Forbidden("api_key is missing or not valid.")
        if (jurisdiction_id or "").strip():
            # The spec's POST answers 400 or 403 only: an unknown jurisdiction is not the key's.
            county = await _county_by_code(session, jurisdiction_id)
            if county is None or county.id != key.county_id:
                raise Forbidden("api_key is not valid for this jurisdiction_id.")
        try:
            filed = rules.read_request(form)
            command = await _command(session, key.county_id, filed)
            registered = await public.submit_request(work, command)
        except BadInput as error:
            field, message = rules.form_field(error.field, error.message)
            raise BadInput(field, message) from None
        case, tracking_code = registered.case, registered.tracking_code
    # The case's number is taken as the work commits (services/events.publish).
    return Filed(tracking_code, case.number)


async def _command(session: Session, county_id: int, filed: rules.FiledRequest) -> RegisterCommand:
    code = rules.code_or_none(filed.service_code)
    category = await category_by_code(session, county_id, code) if code is not None else None
    if category is None:
        raise BadInput("service_code", "service_code is not a service of this jurisdiction.")
    village_code = rules.code_or_none(filed.village_code)
    place = await unit_by_code(session, village_code) if village_code is not None else None
    if (
        place is None
        or place.county_id != county_id
        or place.kind != UnitKind.AREA.value
        or place.level not in (UnitLevel.VILLAGE.value, UnitLevel.TOWNSHIP.value)
    ):
        raise BadInput(
            rules.VILLAGE_FIELD,
            f"{rules.VILLAGE_FIELD} must be a village or township key of the service definition.",
        )
    return RegisterCommand(
        title=filed.title,
        description=filed.description,
        category_id=category.id,
        channel=Channel.OPEN311,
        location_unit_id=place.id,
        address=filed.address,
        occurred_at=None,
        parties_count=1,
        reporter=ReporterInput(filed.name, filed.phone, None, anonymous=False),
        risk_level=None,
        idempotency_key=filed.idempotency_key,
    )


def check_proof(ids: list[str], phone_last4: str | None) -> str:
    """The phone's last four digits, as trackCase takes them; 400 when malformed."""
    digits = (phone_last4 or "").strip()
    if len(digits) != 4 or not digits.isdigit():
        raise BadInput(
            PHONE_LAST4_FIELD,
            "phone_last4 (the last four digits of the phone given when filing) is required.",
        )
    if any(len(i) > TRACKING_CODE_MAX for i in ids):
        raise BadInput("service_request_id", "service_request_id is too long.")
    return digits


async def follow(
    uow: UnitOfWork,
    limits: public.PublicLimits,
    client_address: str,
    jurisdiction_id: str | None,
    ids: list[str],
    phone_last4: str | None,
) -> list[rules.PublicView]:
    """The requests among `ids` whose phone ends in `phone_last4` (and of the jurisdiction,
    when one is given). Each id is a tracking attempt, counted and locked out exactly as
    trackCase counts them; an unknown id and a wrong proof are both simply absent."""
    digits = check_proof(ids, phone_last4)
    now = uow.clock()
    await public.check_rate(uow, f"track:{client_address}", limits.track, now)
    found: list[rules.PublicView] = []
    for tracking_code in ids:
        await public.reserve_miss(uow, client_address, limits.track_misses, now)
        async with uow.read() as session:
            view = await _view(session, tracking_code, digits, jurisdiction_id)
        if view is not None:
            await public.release_miss(uow, client_address, limits.track_misses, now)
            found.append(view)
    return found


async def _view(
    session: Session, tracking_code: str, phone_last4: str, jurisdiction_id: str | None
) -> rules.PublicView | None:
    case = await public.find_tracked(session, tracking_code, phone_last4)
    if case is None:
        return None
    if (jurisdiction_id or "").strip():
        county = await _county_by_code(session, jurisdiction_id)
        if county is None or county.id != case.county_id:
            return None
    status = await public.public_status(session, case)
    category = (await categories_by_ids(session, [case.category_id]))[case.category_id]
    last_type, last_at = status.milestones[-1] if status.milestones else (None, None)
    return rules.PublicView(
        tracking_code=normalize_tracking_code(tracking_code),
        status=case.status,
        service_code=category.code,
        service_name=category.name,
        handling_unit_name=status.handling_unit_name,
        registered_at=case.registered_at,
        updated_at=last_at or case.registered_at,
        due_at=case.due_at,
        resolution_summary=case.resolution_summary,
        last_milestone=last_type,
    )
