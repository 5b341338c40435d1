"""The 12345 hotline bridge's rules: how a pushed work order is signed and read, and when a
status callback is retried (docs/HOTLINE.md). No storage, no clock, no HTTP."""

import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from yidi.domain.enums import CaseEventType
from yidi.domain.errors import BadInput

# A signed request is accepted this long before or after the platform's clock.
CLOCK_SKEW = timedelta(minutes=5)
ORDER_ID_MAX = 64
_NONCE = re.compile(r"[A-Za-z0-9_-]{16,64}")

# The case events the platform hears of, and what it calls them.
CALLBACK_KINDS = {
    CaseEventType.ACCEPTED: "ACCEPTED",
    CaseEventType.RESOLVED: "RESOLVED",
    CaseEventType.CLOSED: "CLOSED",
}
# Retries wait 2**attempt × base, capped; after MAX_ATTEMPTS the callback is given up.
MAX_ATTEMPTS = 20
RETRY_CAP = timedelta(hours=1)


def signature(secret: str, timestamp: str, nonce: str, body: bytes) -> str:
    """Hex HMAC-SHA256 of `timestamp.nonce.body` under the county's secret."""
    message = timestamp.encode() + b"." + nonce.encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_holds(secret: str, timestamp: str, nonce: str, body: bytes, given: str) -> bool:
    return hmac.compare_digest(signature(secret, timestamp, nonce, body), given.lower())


def signed_at(timestamp: str, nonce: str, now: datetime) -> datetime | None:
    """When the request says it was signed, if that is well-formed and recent enough."""
    if not timestamp.isdigit() or len(timestamp) > 12 or not _NONCE.fullmatch(nonce):
        return None
    at = datetime.fromtimestamp(int(timestamp), now.tzinfo)
    return at if abs(now - at) <= CLOCK_SKEW else None


@dataclass(frozen=True)
class Order:
    """A work order as the platform pushes it (docs/HOTLINE.md)."""

    order_id: str
    title: str
    content: str
    location_code: str
    address: str | None
    caller_name: str | None
    caller_phone: str | None
    category_code: str | None


def _text(body: dict[str, Any], field: str, *, required: bool = True) -> str | None:
    value = body.get(field)
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        raise BadInput(field, f"{field} must be a non-empty string.")
    return value


def read_order(raw: bytes) -> Order:
    """The order in a request body; BAD_USER_INPUT naming the field at fault."""
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):
        raise BadInput("body", "The body is not JSON.") from None
    if not isinstance(body, dict):
        raise BadInput("body", "The body must be a JSON object.")
    caller = body.get("caller") or {}
    if not isinstance(caller, dict):
        raise BadInput("caller", "caller must be an object.")
    order_id = _text(body, "orderId")
    assert order_id is not None
    if len(order_id) > ORDER_ID_MAX:
        raise BadInput("orderId", f"orderId is longer than {ORDER_ID_MAX} characters.")
    return Order(
        order_id=order_id,
        title=_text(body, "title") or "",
        content=_text(body, "content") or "",
        location_code=_text(body, "locationCode") or "",
        address=_text(body, "address", required=False),
        caller_name=_text(caller, "name", required=False),
        caller_phone=_text(caller, "phone", required=False),
        category_code=_text(body, "categoryCode", required=False),
    )


# What the registration rules call a field, and what the order calls it.
ORDER_FIELDS = {
    "title": "title",
    "description": "content",
    "address": "address",
    "locationUnitId": "locationCode",
    "categoryId": "categoryCode",
    "reporter.name": "caller.name",
    "reporter.phone": "caller.phone",
}


def retry_delay(attempts: int, base: timedelta) -> timedelta:
    """The wait after the `attempts`-th failed delivery."""
    wait: timedelta = base * 2 ** min(attempts - 1, 30)
    return min(wait, RETRY_CAP)
