"""Refusals of the endpoints beside GraphQL (exports, the case file, the hotline bridge, Open311): a
domain error becomes JSON shaped like a GraphQL error — its message and the contract's
`extensions` (code, and `field` where input is at fault) — with the HTTP status a plain
client expects."""

from typing import Any

from starlette.responses import JSONResponse

from yidi.domain.errors import BadInput, DomainError, RateLimited
from yidi.resolvers.errors import contract_extensions

_STATUS = {
    "BAD_USER_INPUT": 400,
    "UNAUTHENTICATED": 401,
    "FORBIDDEN": 403,
    "NOT_FOUND": 404,
    "CONFLICT": 409,
}


def refusal(
    error: DomainError,
    *,
    bearer: bool = True,
    status: int | None = None,
    details: dict[str, Any] | None = None,
) -> JSONResponse:
    """`bearer`: the endpoint takes a bearer token, so a 401 says so (RFC 6750). `status`
    overrides the code's usual one, `details` go beside `errors` (a ledger's row errors)."""
    status = status or _STATUS.get(error.code, 400)
    headers = {"www-authenticate": "Bearer"} if bearer and status == 401 else None
    body = {"errors": [{"message": error.message, "extensions": contract_extensions(error)}]}
    return JSONResponse({**body, **(details or {})}, status, headers=headers)


def open311_refusal(error: DomainError) -> JSONResponse:
    """GeoReport v2's error shape, `[{"code": <HTTP status>, "description": ...}]`; the
    description names the field at fault first, so a client can show it."""
    status = 429 if isinstance(error, RateLimited) else _STATUS.get(error.code, 400)
    description = error.message
    if isinstance(error, BadInput) and not description.startswith(error.field):
        description = f"{error.field}: {description}"
    headers = (
        {"retry-after": str(error.retry_after_seconds)} if isinstance(error, RateLimited) else None
    )
    return JSONResponse([{"code": status, "description": description}], status, headers=headers)
