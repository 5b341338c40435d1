"""Resolvers of what residents do without an account (rate limited per client address)."""

import asyncio
import time

from yidi.config import Settings
from yidi.domain.enums import Channel, Satisfaction
from yidi.domain.errors import BadInput, InvalidTransition
from yidi.resolvers.context import Context
from yidi.resolvers.ids import decode_id, decode_optional_id
from yidi.services import public
from yidi.services.intake import RegisterCommand, ReporterInput

TRACKING_CODE_MAX = 64


def _limits(ctx: Context) -> public.PublicLimits:
    return limits_of(ctx.app.settings)


def limits_of(s: Settings) -> public.PublicLimits:
    """Residents' limits as configured (the Open311 endpoints share them)."""
    return public.PublicLimits(
        submit=public.Limit(s.submit_per_10min, 600),
        track=public.Limit(s.track_per_minute, 60),
        evaluate=public.Limit(s.evaluate_per_10min, 600),
        track_misses=public.Limit(s.track_misses_per_15min, 900),
    )


async def submit_request(
    ctx: Context,
    title: str,
    description: str,
    category_id: str | None,
    location_unit_id: str,
    address: str | None,
    reporter: ReporterInput,
    idempotency_key: str | None,
) -> tuple[str, str]:
    address_key = ctx.client_address()
    await public.check_rate(ctx.app.uow, f"submit:{address_key}", _limits(ctx).submit, ctx.now())
    command = RegisterCommand(
        title=title,
        description=description,
        category_id=decode_optional_id(category_id, "Category", "categoryId"),
        channel=Channel.ONLINE,
        location_unit_id=decode_id(location_unit_id, "Unit", "locationUnitId"),
        address=address,
        occurred_at=None,
        parties_count=1,
        reporter=reporter,
        risk_level=None,
        idempotency_key=idempotency_key,
    )
    async with ctx.work(signed_in=False) as work:
        registered = await public.submit_request(work, command)
    return registered.case.number, registered.tracking_code


def _check_tracking_args(tracking_code: str, phone_last4: str) -> None:
    if len(tracking_code) > TRACKING_CODE_MAX:
        raise BadInput("trackingCode", "trackingCode is too long.")
    if len(phone_last4.strip()) != 4 or not phone_last4.strip().isdigit():
        raise BadInput("phoneLast4", "phoneLast4 must be the last four digits of the phone.")


async def track_case(
    ctx: Context, tracking_code: str, phone_last4: str
) -> public.PublicStatus | None:
    """Null on any mismatch; answered no sooner than a fixed floor either way."""
    started = time.monotonic()
    limits, address, now = _limits(ctx), ctx.client_address(), ctx.now()
    _check_tracking_args(tracking_code, phone_last4)
    await public.check_rate(ctx.app.uow, f"track:{address}", limits.track, now)
    await public.reserve_miss(ctx.app.uow, address, limits.track_misses, now)
    async with ctx.app.uow.read() as session:
        case = await public.find_tracked(session, tracking_code, phone_last4)
        status = await public.public_status(session, case) if case is not None else None
    if status is not None:
        await public.release_miss(ctx.app.uow, address, limits.track_misses, now)
    remaining = ctx.app.settings.track_min_seconds - (time.monotonic() - started)
    if remaining > 0:
        await asyncio.sleep(remaining)
    return status


async def evaluate_by_tracking(
    ctx: Context,
    tracking_code: str,
    phone_last4: str,
    satisfaction: Satisfaction,
    comment: str | None,
) -> bool:
    limits, address, now = _limits(ctx), ctx.client_address(), ctx.now()
    _check_tracking_args(tracking_code, phone_last4)
    await public.check_rate(ctx.app.uow, f"evaluate:{address}", limits.evaluate, now)
    await public.reserve_miss(ctx.app.uow, address, limits.track_misses, now)
    try:
        async with ctx.work(signed_in=False) as work:
            done = await public.evaluate_by_tracking(
                work, tracking_code, phone_last4, satisfaction, comment
            )
    except InvalidTransition:
        # The code and phone matched; only the case's state refused. Not a guess.
        await public.release_miss(ctx.app.uow, address, limits.track_misses, now)
        raise
    if done:
        await public.release_miss(ctx.app.uow, address, limits.track_misses, now)
    return done
