"""The 12345 hotline bridge (docs/HOTLINE.md): a county's link, work orders pushed by the
platform (signed, fresh, never replayed, registered once per order), and the admin's view
of the status callbacks owed back."""

import secrets
from dataclasses import dataclass

from yidi.authz import guard
from yidi.authz.actor import Actor
from yidi.authz.enforcer import CountyEnforcer
from yidi.domain import hotline as rules
from yidi.domain.enums import Channel, UnitKind, UnitLevel
from yidi.domain.errors import BadInput, Conflict, Forbidden, NotFound, Unauthenticated
from yidi.persistence import hotline as store
from yidi.persistence import idempotency
from yidi.persistence.cases import cases_by_ids
from yidi.persistence.models import HotlineCallback, Unit
from yidi.persistence.session import Session
from yidi.persistence.units import category_by_code, unit_by_code
from yidi.services.intake import RegisterCommand, ReporterInput
from yidi.services.public import submit_request
from yidi.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class SignedRequest:
    """What the platform sends besides the body (docs/HOTLINE.md, "Signing")."""

    county_code: str
    timestamp: str
    nonce: str
    signature: str


@dataclass(frozen=True)
class Received:
    case_number: str
    order_id: str
    duplicate: bool


async def _county(session: Session, code: str) -> Unit | None:
    unit = await unit_by_code(session, code)
    if unit is None or unit.level != UnitLevel.COUNTY.value:
        return None
    return unit


async def configure(
    uow: UnitOfWork, county_code: str, callback_url: str | None, new_secret: bool
) -> str | None:
    """Link a county (or change its link); the new secret when one was made, else None."""
    async with uow.begin() as work:
        county = await _county(work.session, county_code)
        if county is None:
            raise NotFound(f"No county has the code {county_code}.")
        existing = await store.bridge_of(work.session, county.id)
        secret = secrets.token_urlsafe(32) if new_secret or existing is None else None
        await store.save_bridge(work.session, county.id, secret, callback_url)
    return secret


def _unsigned() -> Unauthenticated:
    # One answer for an unknown county, a bad signature and a stale request: a caller
    # without the secret learns nothing from it.
    return Unauthenticated("The request is not signed by a linked hotline platform.")


async def receive_order(uow: UnitOfWork, signed: SignedRequest, body: bytes) -> Received:
    """Register the order's case once; its resends get the same case back."""
    async with uow.begin() as work:
        session, now = work.session, work.now
        county = await _county(session, signed.county_code)
        bridge = await store.bridge_of(session, county.id) if county is not None else None
        if county is None or bridge is None or not bridge.enabled:
            raise _unsigned()
        if rules.signed_at(signed.timestamp, signed.nonce, now) is None:
            raise _unsigned()
        if not rules.signature_holds(
            bridge.secret, signed.timestamp, signed.nonce, body, signed.signature
        ):
            raise _unsigned()
        if not await store.claim_nonce(session, county.id, signed.nonce, now):
            raise Conflict("This request was seen before (a replay): sign each one anew.")
        order = rules.read_order(body)
        scope = f"hotline:{county.id}"
        known = await idempotency.claim(session, scope, order.order_id)
        if known is not None:
            case = (await cases_by_ids(session, [known]))[known]
            return Received(case.number, order.order_id, duplicate=True)
        command = await _command(session, county, order)
        try:
            registered = await submit_request(work, command)
        except BadInput as error:
            raise BadInput(
                rules.ORDER_FIELDS.get(error.field, error.field), error.message
            ) from None
        case = registered.case
        await idempotency.remember(session, scope, order.order_id, county.id, case.id)
        await store.add_order(session, county.id, order.order_id, case.id, now)
    # The case's number is taken as the work commits (services/events.publish).
    return Received(case.number, order.order_id, duplicate=False)


async def _command(session: Session, county: Unit, order: rules.Order) -> RegisterCommand:
    location = await unit_by_code(session, order.location_code)
    if location is None or location.county_id != county.id or location.kind != UnitKind.AREA:
        raise BadInput("locationCode", "No village or township of this county has that code.")
    category_id = None
    if order.category_code is not None:
        category = await category_by_code(session, county.id, order.category_code)
        if category is None:
            raise BadInput("categoryCode", "No category of this county has that code.")
        category_id = category.id
    return RegisterCommand(
        title=order.title,
        description=order.content,
        category_id=category_id,
        channel=Channel.HOTLINE_12345,
        location_unit_id=location.id,
        address=order.address,
        occurred_at=None,
        parties_count=1,
        reporter=ReporterInput(order.caller_name, order.caller_phone, None, anonymous=False),
        risk_level=None,
        idempotency_key=None,
    )


async def callbacks(
    session: Session, enforcer: CountyEnforcer, actor: Actor, state: str | None, first: int
) -> list[HotlineCallback]:
    """The county's callbacks, newest first, for those who manage the bridge."""
    if not guard.may_manage_hotline(enforcer, actor):
        raise Forbidden("Only the county's hotline administrators see its callbacks.")
    return await store.callbacks_of_county(session, actor.county_id, state, first)
