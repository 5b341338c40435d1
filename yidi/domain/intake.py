"""Rules on what a registered case may contain (input limits, formats, defaults)."""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from yidi.domain.enums import HandlingTrack, RiskLevel
from yidi.domain.errors import BadInput
from yidi.domain.text import is_visible, refuse_control_characters

TITLE_MAX = 200
DESCRIPTION_MAX = 10_000
ADDRESS_MAX = 500
NAME_MAX = 100
PARTIES_MAX = 10_000
IDEMPOTENCY_KEY_MAX = 200

# Mainland mobile numbers (1[3-9]x, 11 digits) or landlines with area code (0xx-xxxxxxx).
_PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$", re.ASCII)
# Resident identity card: 17 digits and a check character (GB 11643).
_ID_NUMBER = re.compile(r"^\d{17}[\dX]$", re.ASCII)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

SIMPLE_TRACK_DAYS = 3
DEFAULT_TRACK = HandlingTrack.STANDARD
DEFAULT_RISK = RiskLevel.BLUE


@dataclass(frozen=True)
class ReporterData:
    name: str | None
    phone: str | None
    id_number: str | None
    anonymous: bool


# GB 11643 encodes births from 1800 (its own example is born 1880); earlier is a typo.
_EARLIEST_BIRTH = date(1800, 1, 1)
# occurredAt may run ahead of the server's clock by this much (a device's clock, a time zone).
OCCURRED_AT_SKEW = timedelta(days=1)


def birth_date(id_number: str) -> date | None:
    """The birth date an ID number encodes (digits 7-14, YYYYMMDD), if it is a real date."""
    try:
        return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except ValueError:
        return None


def id_number_is_valid(id_number: str, today: date | None = None) -> bool:
    """GB 11643: the check digit (catches most typos) and a birth date that exists and is
    neither before 1800 nor after `today`."""
    if not _ID_NUMBER.match(id_number):
        return False
    total = sum(int(d) * w for d, w in zip(id_number[:17], _ID_WEIGHTS, strict=True))
    if _ID_CHECK[total % 11] != id_number[17]:
        return False
    born = birth_date(id_number)
    return born is not None and _EARLIEST_BIRTH <= born <= (today or date.max)


def check_text(field: str, value: str, limit: int, *, required: bool = True) -> str:
    """Trim, then enforce presence (something visible), no control characters other than
    line breaks and tabs, and the length limit (in characters)."""
    refuse_control_characters(field, value)
    value = value.strip()
    if required and not is_visible(value):
        raise BadInput(field, f"{field} must not be empty.")
    if len(value) > limit:
        raise BadInput(field, f"{field} must be at most {limit} characters.")
    return value


def check_optional_text(field: str, value: str | None, limit: int) -> str | None:
    if value is None:
        return None
    value = check_text(field, value, limit, required=False)
    return value or None


def check_occurred_at(occurred_at: datetime | None, now: datetime) -> datetime | None:
    """When the matter happened: not in the future (beyond a day's clock skew), not before
    1900 (a typo)."""
    if occurred_at is None:
        return None
    if occurred_at > now + OCCURRED_AT_SKEW or occurred_at.year < 1900:
        raise BadInput("occurredAt", "occurredAt must be a past moment.")
    return occurred_at


def check_reporter(
    name: str | None,
    phone: str | None,
    id_number: str | None,
    anonymous: bool,
    *,
    phone_required: bool = False,
    today: date | None = None,
) -> ReporterData:
    """A reporter's contact data: formats checked, anonymous reporters keep no name."""
    name = check_optional_text("reporter.name", name, NAME_MAX)
    phone = (phone.strip().replace(" ", "") or None) if phone else None
    if phone_required and not phone:
        raise BadInput("reporter.phone", "A phone number is required.")
    if phone and not _PHONE.match(phone):
        raise BadInput("reporter.phone", "reporter.phone is not a valid phone number.")
    id_number = (id_number.strip().upper() or None) if id_number else None
    if id_number and not id_number_is_valid(id_number, today):
        raise BadInput("reporter.idNumber", "reporter.idNumber is not a valid ID number.")
    return ReporterData(
        name=None if anonymous else name,
        phone=phone,
        id_number=id_number,
        anonymous=anonymous,
    )


def check_parties_count(count: int) -> int:
    if not 1 <= count <= PARTIES_MAX:
        raise BadInput("partiesCount", f"partiesCount must be between 1 and {PARTIES_MAX}.")
    return count


def time_limit_days(track: HandlingTrack, category_limit_days: int) -> int:
    """Working days allowed: 3 on the SIMPLE track, the category's limit otherwise."""
    return SIMPLE_TRACK_DAYS if track is HandlingTrack.SIMPLE else category_limit_days
