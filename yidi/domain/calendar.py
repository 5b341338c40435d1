"""The official Chinese working-day calendar and case deadlines.

Deadlines for handling a case are counted in working days (工作日), not calendar days. A
working day is Monday to Friday, except the statutory days off (法定节假日) that the State
Council General Office (国务院办公厅) announces each year, plus the adjusted working weekends
(调休上班) that the same notice moves onto a Saturday or Sunday.

The notice for a year is published only a few weeks before it starts, so the calendar knows
which years it has official data for. For any other year it falls back to plain Monday to
Friday: a deadline is then never computed as later than it would be without holidays.

Days are Asia/Shanghai days whatever the time zone of the timestamps involved.
"""

import re
import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")

# The statutory holidays of 全国年节及纪念日放假办法; every day off in a notice belongs to one.
HOLIDAY_NAMES = frozenset({"元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"})
# An adjusted working weekend is named after the holiday it makes up for, e.g. "春节调休".
WORKDAY_SUFFIX = "调休"

# date.fromisoformat also accepts "20260101" and "2026-W01-4"; the data files use one form only.
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_SATURDAY = 5
_ONE_DAY = timedelta(days=1)


class CalendarDataError(ValueError):
    """Holiday data that does not follow the format or the rules of an official notice."""


@dataclass(frozen=True)
class WorkingCalendar:
    """Which days are working days, per the official notices for `years`.

    `holidays` are the days off announced by the notices, `workdays` the weekend days they
    turn into working days. Both only contain dates of `years`; an empty calendar is plain
    Monday to Friday.
    """

    holidays: frozenset[date] = field(default_factory=frozenset)
    workdays: frozenset[date] = field(default_factory=frozenset)
    years: frozenset[int] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        both = self.holidays & self.workdays
        if both:
            raise CalendarDataError(f"dates both holiday and workday: {_dates(both)}")
        stray = {d for d in self.holidays | self.workdays if d.year not in self.years}
        if stray:
            # Such a date would be ignored by the Monday-to-Friday fallback: refuse it loudly.
            raise CalendarDataError(f"dates outside the calendar's years: {_dates(stray)}")

    def is_working_day(self, day: date) -> bool:
        """A weekday that is not a day off, or an adjusted working weekend.

        Years without official data fall back to Monday to Friday.
        """
        if day.year in self.years:
            if day in self.workdays:
                return True
            if day in self.holidays:
                return False
        return day.weekday() < _SATURDAY

    def add_working_days(self, day: date, n: int) -> date:
        """The `n`th working day strictly after `day` (the starting day itself never counts)."""
        if n < 1:
            raise ValueError(f"n must be at least 1, got {n}")
        current = day
        remaining = n
        while remaining:
            current += _ONE_DAY
            if self.is_working_day(current):
                remaining -= 1
        return current

    def due_at(self, registered_at: datetime, n: int) -> datetime:
        """Deadline of a case registered at `registered_at` with `n` working days to handle it.

        The registration day is the Asia/Shanghai day of `registered_at` and does not count;
        the case is due at the end (23:59:59.999999 Asia/Shanghai) of the `n`th working day
        after it. Returned as an aware datetime in UTC.
        """
        _require_aware(registered_at, "registered_at")
        registration_day = registered_at.astimezone(SHANGHAI).date()
        due_day = self.add_working_days(registration_day, n)
        return datetime.combine(due_day, time.max, tzinfo=SHANGHAI).astimezone(UTC)

    def working_days_after(self, start: datetime, end: datetime) -> int:
        """Working days in (start's day, end's day], days of Asia/Shanghai: what a pause from
        `start` to `end` takes off the clock. The pause's first day had already begun on the
        clock; its last day is given back, whole."""
        _require_aware(start, "start")
        _require_aware(end, "end")
        day, last = start.astimezone(SHANGHAI).date(), end.astimezone(SHANGHAI).date()
        count = 0
        while day < last:
            day += _ONE_DAY
            if self.is_working_day(day):
                count += 1
        return count

    def moved_by(self, due_at: datetime, n: int) -> datetime:
        """A deadline moved `n` working days later (an approved extension, a resumed pause):
        the end of the `n`th working day after the deadline's day. `n` = 0 leaves it."""
        return self.due_at(due_at, n) if n > 0 else due_at

    def missing_years(self, start: int, end: int) -> list[int]:
        """Years from `start` to `end` inclusive without official data, in ascending order."""
        return [year for year in range(start, end + 1) if year not in self.years]


def is_due_soon(now: datetime, due_at: datetime, cal: WorkingCalendar) -> bool:
    """Whether a case has less than one working day left before its deadline.

    Due soon means: not overdue yet (`now < due_at`), and no working day lies between today
    and the deadline's day, i.e. every day from today (Asia/Shanghai) up to but excluding the
    Asia/Shanghai day of `due_at` is a day off. The deadline's own day is the last one left.

    For a deadline at the end of a working day (as `WorkingCalendar.due_at` computes) the
    warning starts at 00:00 on the deadline's day, or at the start of the days off directly
    before it: on Friday a case due Monday is not due soon yet, on Saturday it is.
    """
    _require_aware(now, "now")
    _require_aware(due_at, "due_at")
    if now >= due_at:
        return False
    due_day = due_at.astimezone(SHANGHAI).date()
    day = now.astimezone(SHANGHAI).date()
    # Stops at the first working day, so the loop is at most one holiday period long.
    while day < due_day:
        if cal.is_working_day(day):
            return False
        day += _ONE_DAY
    return True


@dataclass(frozen=True)
class CalendarYear:
    """One year's official notice: the days off and adjusted working weekends, with names."""

    year: int
    holidays: dict[date, str]
    workdays: dict[date, str]
    source: str


def parse_year(data: Mapping[str, object]) -> CalendarYear:
    """Validate one year's data file (already decoded from JSON) and convert it.

    The format is `{"year": 2026, "source": "...", "holidays": [{"date": "2026-01-01",
    "name": "元旦"}, ...], "workdays": [{"date": "2026-01-04", "name": "元旦调休"}, ...]}`.
    Rules: every date is YYYY-MM-DD within `year`, no date appears twice, a holiday is named
    after a statutory holiday, and an adjusted working day is a Saturday or Sunday named
    "<holiday>调休". Anything else raises CalendarDataError.
    """
    if not isinstance(data, Mapping):
        raise CalendarDataError(f"calendar data must be an object, got {type(data).__name__}")
    keys = set(data)
    expected = {"year", "source", "holidays", "workdays"}
    if keys != expected:
        raise CalendarDataError(
            f"calendar data keys must be {sorted(expected)}; "
            f"missing {sorted(expected - keys)}, unexpected {sorted(keys - expected)}"
        )
    year = data["year"]
    # bool is an int subclass; `true` is not a year.
    if not isinstance(year, int) or isinstance(year, bool) or not 1949 < year < 10000:
        raise CalendarDataError(f"year must be an integer year, got {year!r}")
    source = data["source"]
    if not isinstance(source, str) or not source.strip():
        raise CalendarDataError(f"{year}: source must be a non-empty string")

    holidays = _parse_entries(year, "holidays", data["holidays"])
    workdays = _parse_entries(year, "workdays", data["workdays"])
    both = holidays.keys() & workdays.keys()
    if both:
        raise CalendarDataError(f"{year}: dates both holiday and workday: {_dates(both)}")
    for day, name in holidays.items():
        if name not in HOLIDAY_NAMES:
            raise CalendarDataError(
                f"{year}: holiday {day} has unknown name {name!r}; "
                f"expected one of {sorted(HOLIDAY_NAMES)}"
            )
    for day, name in workdays.items():
        if day.weekday() < _SATURDAY:
            raise CalendarDataError(
                f"{year}: workday {day} is a weekday; only weekends can be adjusted working days"
            )
        holiday = name.removesuffix(WORKDAY_SUFFIX)
        if holiday == name or holiday not in HOLIDAY_NAMES:
            raise CalendarDataError(
                f"{year}: workday {day} has name {name!r}; expected '<holiday>{WORKDAY_SUFFIX}'"
            )
    return CalendarYear(year=year, holidays=holidays, workdays=workdays, source=source)


def build_calendar(years: Iterable[CalendarYear]) -> WorkingCalendar:
    """One calendar from several years of notices; each year may be given only once."""
    holidays: set[date] = set()
    workdays: set[date] = set()
    seen: set[int] = set()
    for calendar_year in years:
        if calendar_year.year in seen:
            raise CalendarDataError(f"year {calendar_year.year} given more than once")
        seen.add(calendar_year.year)
        holidays.update(calendar_year.holidays)
        workdays.update(calendar_year.workdays)
    return WorkingCalendar(
        holidays=frozenset(holidays), workdays=frozenset(workdays), years=frozenset(seen)
    )


def _parse_entries(year: int, key: str, entries: object) -> dict[date, str]:
    if not isinstance(entries, list):
        raise CalendarDataError(f"{year}: {key} must be a list")
    parsed: dict[date, str] = {}
    for index, entry in enumerate(entries):
        where = f"{year}: {key}[{index}]"
        if not isinstance(entry, Mapping) or set(entry) != {"date", "name"}:
            raise CalendarDataError(f"{where} must be an object with exactly 'date' and 'name'")
        raw_date, name = entry["date"], entry["name"]
        if not isinstance(name, str) or not name.strip():
            raise CalendarDataError(f"{where}: name must be a non-empty string")
        day = _parse_date(where, raw_date)
        if day.year != year:
            raise CalendarDataError(f"{where}: date {day} is not in {year}")
        if day in parsed:
            raise CalendarDataError(f"{where}: duplicate date {day}")
        parsed[day] = name
    return parsed


def _parse_date(where: str, raw: object) -> date:
    if not isinstance(raw, str) or not _ISO_DATE.fullmatch(raw):
        raise CalendarDataError(f"{where}: date must be a YYYY-MM-DD string, got {raw!r}")
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise CalendarDataError(f"{where}: {raw!r} is not a valid date") from None


def _require_aware(value: datetime, name: str) -> None:
    # A naive timestamp has no Shanghai day; guessing one would shift deadlines silently.
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {value!r}")


def _dates(days: Iterable[date]) -> str:
    return ", ".join(str(day) for day in sorted(days))
