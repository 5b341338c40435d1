"""Open311 GeoReport v2 onto yidi (docs/OPEN311.md): which county a jurisdiction is, which
category a service is, what a filed request says, and how much of a case its reply shows.
No storage, no clock, no HTTP.

A jurisdiction_id is a county's unit code; a service_code is a category code of that county;
a request's location is the required `attribute[village]` (a village or township code of the
county), listed in every service definition as the spec's `singlevaluelist` attribute. A
service_request_id is the case's tracking code, and reading it also needs the last four
digits of the reporter's phone: exactly what `trackCase` asks (docs/DECISIONS.md).
"""

import hashlib
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from yidi.domain.calendar import SHANGHAI
from yidi.domain.enums import OPEN_STATUSES, CaseStatus
from yidi.domain.errors import BadInput
from yidi.domain.intake import TITLE_MAX

# The one service attribute: where the matter arose (our cases are placed at a unit).
VILLAGE_ATTRIBUTE = "village"
VILLAGE_FIELD = f"attribute[{VILLAGE_ATTRIBUTE}]"
# A title is made from the description: Open311 requests have none.
TITLE_CHARS = 30
# requests.json answers for at most this many ids at once: each one is a tracking attempt.
MAX_IDS = 10
API_KEY_PREFIX = "o311_"
# Parameters that are not text a client could mean to send (kept short to refuse junk early).
_CODE = re.compile(r"[A-Za-z0-9._-]{1,64}")

# What a registration rule calls a field, and what an Open311 client sent it as.
FORM_FIELDS = {
    "title": "description",
    "description": "description",
    "address": "address_string",
    "locationUnitId": VILLAGE_FIELD,
    "categoryId": "service_code",
    "reporter.name": "last_name",
    "reporter.phone": "phone",
    "idempotencyKey": "idempotency_key",
}


def open311_status(status: str) -> str:
    """`open` while someone still works on it; `closed` once resolved, closed, redirected
    or merged. RESOLVED is not open (docs/LIFECYCLE.md): the work is done and reported."""
    return "open" if CaseStatus(status) in OPEN_STATUSES else "closed"


def w3c(at: datetime | None) -> str | None:
    """ISO 8601 as the W3C note has it, with the county's offset (+08:00)."""
    return at.astimezone(SHANGHAI).isoformat(timespec="seconds") if at is not None else None


def new_api_key() -> str:
    return API_KEY_PREFIX + secrets.token_urlsafe(32)


def hash_api_key(key: str) -> str:
    """Keys are long and random, so a plain SHA-256 suffices (no slow KDF): only the hash
    is stored, and a database dump hands out no key."""
    return hashlib.sha256(key.strip().encode()).hexdigest()


def code_or_none(value: str | None) -> str | None:
    """A jurisdiction_id or service_code as given, None when it cannot be one."""
    value = (value or "").strip()
    return value if _CODE.fullmatch(value) else None


@dataclass(frozen=True)
class FiledRequest:
    """A POST requests.json form, read (the registration rules check it further)."""

    service_code: str
    village_code: str
    title: str
    description: str
    address: str | None
    name: str | None
    phone: str | None
    idempotency_key: str | None


def _field(form: Mapping[str, str], name: str) -> str | None:
    value = form.get(name)
    return value if value is not None and value.strip() else None


def _required(form: Mapping[str, str], name: str) -> str:
    value = _field(form, name)
    if value is None:
        raise BadInput(name, f"{name} is required.")
    return value


def title_of(description: str) -> str:
    """The first line of the description, shortened: the case list shows a title."""
    first = description.strip().splitlines()[0].strip() if description.strip() else ""
    title = first if len(first) <= TITLE_CHARS else first[: TITLE_CHARS - 1] + "…"
    return title[:TITLE_MAX]


def _address(form: Mapping[str, str]) -> str | None:
    """address_string as given; coordinates alone are kept as text so staff can look them
    up (cases have no coordinates of their own)."""
    address = _field(form, "address_string")
    lat, long = _field(form, "lat"), _field(form, "long")
    if lat is None and long is None:
        return address
    try:
        latitude, longitude = float(lat or ""), float(long or "")
    except ValueError:
        raise BadInput("lat", "lat and long must both be decimal degrees.") from None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise BadInput("lat", "lat and long must be within -90..90 and -180..180.")
    point = f"{latitude:.6f},{longitude:.6f}"
    return f"{address} ({point})" if address else point


def read_request(form: Mapping[str, str]) -> FiledRequest:
    """The request in a POST form; BAD_USER_INPUT naming the Open311 field at fault."""
    service_code = _required(form, "service_code")
    village = _required(form, VILLAGE_FIELD)
    description = _required(form, "description")
    names = [n.strip() for n in (_field(form, "last_name"), _field(form, "first_name")) if n]
    return FiledRequest(
        service_code=service_code.strip(),
        village_code=village.strip(),
        title=title_of(description),
        description=description,
        address=_address(form),
        # Chinese order: family name first.
        name="".join(names) or None,
        phone=_required(form, "phone"),
        idempotency_key=_field(form, "idempotency_key"),
    )


def form_field(field: str, message: str) -> tuple[str, str]:
    """A registration rule's refusal, worded with the field the client sent."""
    name = FORM_FIELDS.get(field, field)
    return name, message.replace(field, name)


def request_ids(value: str | None) -> list[str]:
    """The comma-separated service_request_id of GET requests.json, at most MAX_IDS."""
    ids = [i.strip() for i in (value or "").split(",") if i.strip()]
    if not ids:
        raise BadInput(
            "service_request_id",
            "service_request_id is required: requests are private and never listed.",
        )
    if len(ids) > MAX_IDS:
        raise BadInput("service_request_id", f"At most {MAX_IDS} service_request_id at once.")
    return ids


@dataclass(frozen=True)
class Service:
    code: str
    name: str
    group: str
    time_limit_days: int


def service_entry(service: Service) -> dict[str, object]:
    """One element of services.json."""
    title = service.name if service.group == service.name else f"{service.group} / {service.name}"
    return {
        "service_code": service.code,
        "service_name": service.name,
        "description": f"{title}，办理时限 {service.time_limit_days} 日",
        # Every service has the required village attribute: clients must read the definition.
        "metadata": True,
        "type": "realtime",
        "keywords": ", ".join(dict.fromkeys([service.group, service.name, service.code])),
        "group": service.group,
    }


def service_definition(code: str, places: list[tuple[str, str]]) -> dict[str, object]:
    """services/{code}.json: the village attribute, one value per (unit code, name)."""
    return {
        "service_code": code,
        "attributes": [
            {
                "variable": True,
                "code": VILLAGE_ATTRIBUTE,
                "datatype": "singlevaluelist",
                "required": True,
                "datatype_description": "事项发生地所在的村（社区）或乡镇",
                "order": 1,
                "description": "事项发生在哪个村（社区）或乡镇？",
                "values": [{"key": key, "name": name} for key, name in places],
            }
        ],
    }


@dataclass(frozen=True)
class PublicView:
    """What trackCase shows of a case, in the terms an Open311 reply needs."""

    tracking_code: str
    status: str
    service_code: str
    service_name: str
    handling_unit_name: str
    registered_at: datetime
    updated_at: datetime
    due_at: datetime | None
    resolution_summary: str | None
    last_milestone: str | None


def status_notes(view: PublicView, milestone_words: Mapping[str, str]) -> str | None:
    """The resolution summary once there is one, else the latest public milestone."""
    if view.resolution_summary:
        return view.resolution_summary
    if view.last_milestone is None:
        return None
    return milestone_words.get(view.last_milestone, view.last_milestone)


def request_entry(view: PublicView, milestone_words: Mapping[str, str]) -> dict[str, object]:
    """One element of requests.json: the spec's fields, and nothing trackCase withholds
    (description, address, coordinates and media stay null)."""
    return {
        "service_request_id": view.tracking_code,
        "status": open311_status(view.status),
        "status_notes": status_notes(view, milestone_words),
        "service_name": view.service_name,
        "service_code": view.service_code,
        "description": None,
        "agency_responsible": view.handling_unit_name,
        "service_notice": None,
        "requested_datetime": w3c(view.registered_at),
        "updated_datetime": w3c(view.updated_at),
        "expected_datetime": w3c(view.due_at),
        "address": None,
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


def filed_entry(tracking_code: str, case_number: str) -> dict[str, object]:
    """The reply to POST requests.json."""
    notice = (
        f"已受理登记，事项编号 {case_number}。"
        "请凭 service_request_id 和手机号后四位（phone_last4）查询办理进度。"
    )
    return {"service_request_id": tracking_code, "service_notice": notice, "account_id": None}
