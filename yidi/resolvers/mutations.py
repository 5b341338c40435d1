"""Root mutation resolvers: each runs one use case in one transaction, committed here."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from yidi.config import Settings
from yidi.domain.backoff import Backoff
from yidi.domain.enums import Channel, RiskLevel
from yidi.persistence.models import Case, User
from yidi.resolvers.context import Context
from yidi.resolvers.ids import decode_id
from yidi.services import auth, intake, login_throttle
from yidi.services.login_throttle import LoginPolicy
from yidi.services.work import Work


@dataclass(frozen=True)
class LoginResult:
    token: str
    expires_at: datetime
    user: User


def _login_policy(settings: Settings) -> LoginPolicy:
    def rule(free: int, cap: float) -> Backoff:
        return Backoff(
            free, settings.login_backoff_base_seconds, cap, settings.login_forget_after_seconds
        )

    return LoginPolicy(
        per_username=rule(
            settings.login_free_failures_per_username,
            settings.login_max_wait_per_username_seconds,
        ),
        per_address=rule(
            settings.login_free_failures_per_address, settings.login_max_wait_per_address_seconds
        ),
    )


async def login(ctx: Context, username: str, password: str) -> LoginResult:
    settings, now = ctx.app.settings, ctx.now()
    await login_throttle.reserve_attempt(
        ctx.app.uow, _login_policy(settings), username, ctx.client_address(), now
    )
    async with ctx.app.uow.read() as session:
        token, expires_at, user = await auth.login(
            session,
            username,
            password,
            key=settings.signing_key(),
            ttl=timedelta(minutes=settings.token_ttl_minutes),
            now=now,
        )
    await login_throttle.succeeded(ctx.app.uow, username, now)
    return LoginResult(token, expires_at, user)


@dataclass(frozen=True)
class RegisterArgs:
    """The RegisterCaseInput as the schema received it (ids still global)."""

    title: str
    description: str
    category_id: str
    channel: Channel
    location_unit_id: str
    address: str | None
    occurred_at: datetime | None
    parties_count: int
    reporter: intake.ReporterInput
    risk_level: RiskLevel | None
    idempotency_key: str | None


async def register_case(ctx: Context, args: RegisterArgs) -> tuple[Case, str]:
    await ctx.actor()
    command = intake.RegisterCommand(
        title=args.title,
        description=args.description,
        category_id=decode_id(args.category_id, "Category", "categoryId"),
        channel=args.channel,
        location_unit_id=decode_id(args.location_unit_id, "Unit", "locationUnitId"),
        address=args.address,
        occurred_at=args.occurred_at,
        parties_count=args.parties_count,
        reporter=args.reporter,
        risk_level=args.risk_level,
        idempotency_key=args.idempotency_key,
    )

    async def use_case(work: Work) -> intake.Registered:
        return await intake.register_case(work, command)

    if intake.registers_alone(command):
        registered = await ctx.run_alone(use_case)
    else:
        async with ctx.work() as work:
            registered = await use_case(work)
    return registered.case, registered.tracking_code
