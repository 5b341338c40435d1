"""Working-day calendar: official holidays, adjusted working weekends, deadlines."""

import copy
import json
import logging
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.support.clock import end_of_day
from yidi.deadlines import calendar_data
from yidi.deadlines.calendar_data import bundled_calendar, load_bundled_years, warn_missing_years
from yidi.domain.calendar import (
    SHANGHAI,
    CalendarDataError,
    CalendarYear,
    WorkingCalendar,
    build_calendar,
    is_due_soon,
    parse_year,
)

SIMPLE_TRACK_DAYS = 3
STANDARD_TRACK_DAYS = 15


def sh(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An Asia/Shanghai wall-clock time."""
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def cal() -> WorkingCalendar:
    return bundled_calendar()


# --- which days are working days -------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "working"),
    [
        pytest.param(date(2026, 1, 1), False, id="2026-new-year-thu-off"),
        pytest.param(date(2026, 1, 3), False, id="2026-new-year-sat-off"),
        pytest.param(date(2026, 1, 4), True, id="2026-01-04-sun-adjusted-working"),
        pytest.param(date(2026, 1, 5), True, id="2026-01-05-ordinary-monday"),
        pytest.param(date(2026, 2, 13), True, id="2026-02-13-fri-before-spring-festival"),
        pytest.param(date(2026, 2, 14), True, id="2026-02-14-sat-adjusted-working"),
        pytest.param(date(2026, 2, 15), False, id="2026-spring-festival-first-day"),
        pytest.param(date(2026, 2, 17), False, id="2026-spring-festival-new-year-day"),
        pytest.param(date(2026, 2, 23), False, id="2026-spring-festival-last-day-mon"),
        pytest.param(date(2026, 2, 24), True, id="2026-02-24-first-day-back"),
        pytest.param(date(2026, 2, 28), True, id="2026-02-28-sat-adjusted-working"),
        pytest.param(date(2026, 3, 1), False, id="2026-03-01-ordinary-sunday"),
        pytest.param(date(2026, 3, 7), False, id="2026-03-07-ordinary-saturday"),
        pytest.param(date(2026, 5, 9), True, id="2026-05-09-sat-adjusted-working"),
        pytest.param(date(2026, 9, 20), True, id="2026-09-20-sun-adjusted-working"),
        pytest.param(date(2026, 9, 25), False, id="2026-mid-autumn-fri-off"),
        pytest.param(date(2026, 10, 8), True, id="2026-10-08-first-day-back"),
        pytest.param(date(2026, 10, 10), True, id="2026-10-10-sat-adjusted-working"),
        pytest.param(date(2025, 9, 27), False, id="2025-09-27-ordinary-saturday"),
        pytest.param(date(2025, 9, 28), True, id="2025-09-28-sun-adjusted-working"),
        pytest.param(date(2025, 9, 30), True, id="2025-09-30-tue-before-national-day"),
        *(
            pytest.param(date(2025, 10, d), False, id=f"2025-national-day-10-{d:02d}-off")
            for d in range(1, 9)
        ),
        pytest.param(date(2025, 10, 9), True, id="2025-10-09-first-day-back"),
        pytest.param(date(2025, 10, 11), True, id="2025-10-11-sat-adjusted-working"),
        pytest.param(date(2025, 10, 12), False, id="2025-10-12-ordinary-sunday"),
        pytest.param(date(2025, 1, 28), False, id="2025-chuxi-off-new-rule"),
        pytest.param(date(2025, 5, 2), False, id="2025-may-2-off-new-rule"),
        pytest.param(date(2024, 2, 9), True, id="2024-chuxi-was-working-day"),
        pytest.param(date(2024, 2, 18), True, id="2024-02-18-sun-adjusted-working"),
        pytest.param(date(2024, 6, 10), False, id="2024-dragon-boat-off"),
    ],
)
def test_is_working_day_follows_official_schedule(
    cal: WorkingCalendar, day: date, working: bool
) -> None:
    assert cal.is_working_day(day) is working


@pytest.mark.parametrize(
    ("day", "working"),
    [
        pytest.param(date(2031, 1, 1), True, id="new-year-wed-counts-without-data"),
        pytest.param(date(2031, 10, 1), True, id="national-day-wed-counts-without-data"),
        pytest.param(date(2031, 10, 3), True, id="friday"),
        pytest.param(date(2031, 10, 4), False, id="saturday"),
        pytest.param(date(2031, 10, 5), False, id="sunday"),
    ],
)
def test_year_without_data_falls_back_to_monday_to_friday(
    cal: WorkingCalendar, day: date, working: bool
) -> None:
    assert cal.is_working_day(day) is working


def test_missing_years_lists_years_without_data(cal: WorkingCalendar) -> None:
    assert cal.missing_years(2023, 2031) == [2023, 2027, 2028, 2029, 2030, 2031]
    assert cal.missing_years(2024, 2026) == []


# --- deadlines --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("registered_at", "n", "due_day"),
    [
        # 02-14 is an adjusted working Saturday, then nine days off until Tue 02-24.
        pytest.param(sh(2026, 2, 13, 10), SIMPLE_TRACK_DAYS, date(2026, 2, 25), id="sf-simple"),
        pytest.param(sh(2026, 2, 13, 10), 1, date(2026, 2, 14), id="sf-next-is-working-sat"),
        pytest.param(sh(2026, 2, 13, 10), 2, date(2026, 2, 24), id="sf-skips-whole-holiday"),
        # 15 working days: 02-14, 02-24..28 (28 is a working Sat), 03-02..06, 03-09..12.
        pytest.param(sh(2026, 2, 13, 10), STANDARD_TRACK_DAYS, date(2026, 3, 12), id="sf-standard"),
        pytest.param(sh(2026, 2, 17, 9), 1, date(2026, 2, 24), id="registered-on-holiday"),
        pytest.param(sh(2026, 2, 14, 9), 1, date(2026, 2, 24), id="registered-on-working-sat"),
        pytest.param(sh(2026, 2, 27, 9), 1, date(2026, 2, 28), id="due-on-working-sat"),
        pytest.param(sh(2025, 9, 26, 9), SIMPLE_TRACK_DAYS, date(2025, 9, 30), id="nd-before"),
        pytest.param(sh(2025, 9, 30, 9), 1, date(2025, 10, 9), id="nd-skips-oct-1-to-8"),
        pytest.param(sh(2025, 9, 30, 9), SIMPLE_TRACK_DAYS, date(2025, 10, 11), id="nd-simple"),
        pytest.param(sh(2025, 12, 30, 9), 2, date(2026, 1, 4), id="across-years-into-2026"),
        pytest.param(sh(2031, 9, 30, 9), SIMPLE_TRACK_DAYS, date(2031, 10, 3), id="no-data-2031"),
        pytest.param(sh(2031, 9, 26, 9), STANDARD_TRACK_DAYS, date(2031, 10, 17), id="no-data-15"),
    ],
)
def test_due_at_counts_working_days_after_registration_day(
    cal: WorkingCalendar, registered_at: datetime, n: int, due_day: date
) -> None:
    assert cal.due_at(registered_at, n) == end_of_day(due_day)


@pytest.mark.parametrize(
    ("registered_at", "due_day"),
    [
        # 23:30 in Shanghai is 15:30 UTC the same day: still Monday 03-02 in Shanghai.
        pytest.param(sh(2026, 3, 2, 23, 30), date(2026, 3, 5), id="late-evening-shanghai"),
        pytest.param(datetime(2026, 3, 2, 15, 30, tzinfo=UTC), date(2026, 3, 5), id="same-in-utc"),
        # 16:30 UTC on 03-02 is already 00:30 on Tuesday 03-03 in Shanghai.
        pytest.param(
            datetime(2026, 3, 2, 16, 30, tzinfo=UTC), date(2026, 3, 6), id="utc-day-behind"
        ),
        pytest.param(sh(2026, 3, 3, 0, 30), date(2026, 3, 6), id="just-after-midnight"),
        pytest.param(
            datetime(2026, 3, 2, 12, 0, tzinfo=ZoneInfo("America/New_York")),
            date(2026, 3, 6),
            id="new-york-noon-is-shanghai-next-day",
        ),
        # Thursday 23:59 in Shanghai: Friday, the next Monday and Tuesday.
        pytest.param(sh(2026, 3, 5, 23, 59), date(2026, 3, 10), id="thursday-night"),
    ],
)
def test_due_at_uses_the_shanghai_registration_day(
    cal: WorkingCalendar, registered_at: datetime, due_day: date
) -> None:
    assert cal.due_at(registered_at, SIMPLE_TRACK_DAYS) == end_of_day(due_day)


def test_due_at_is_end_of_day_in_shanghai_returned_in_utc(cal: WorkingCalendar) -> None:
    due = cal.due_at(sh(2026, 3, 2, 23, 30), SIMPLE_TRACK_DAYS)
    assert due.utcoffset() == timedelta(0)
    assert due.tzinfo is UTC
    assert due == datetime(2026, 3, 5, 15, 59, 59, 999999, tzinfo=UTC)
    assert due.astimezone(SHANGHAI).replace(tzinfo=None) == datetime(2026, 3, 5, 23, 59, 59, 999999)


def test_due_at_rejects_naive_registration_time(cal: WorkingCalendar) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        cal.due_at(datetime(2026, 3, 2, 9), SIMPLE_TRACK_DAYS)


@pytest.mark.parametrize("n", [0, -1], ids=["zero", "negative"])
def test_add_working_days_requires_positive_n(cal: WorkingCalendar, n: int) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        cal.add_working_days(date(2026, 3, 2), n)


# --- due soon ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "due_day", "expected"),
    [
        pytest.param(sh(2026, 2, 25, 9), date(2026, 2, 25), True, id="on-due-day"),
        pytest.param(sh(2026, 2, 25, 0, 0), date(2026, 2, 25), True, id="due-day-midnight"),
        pytest.param(sh(2026, 2, 24, 23, 59), date(2026, 2, 25), False, id="working-day-before"),
        pytest.param(sh(2026, 2, 20, 12), date(2026, 2, 25), False, id="holiday-two-days-before"),
        # Shanghai is already on the due day though the UTC date is the day before.
        pytest.param(
            datetime(2026, 2, 24, 16, 30, tzinfo=UTC), date(2026, 2, 25), True, id="utc-behind"
        ),
        # Due on the first day back after Spring Festival: nothing but days off remains.
        pytest.param(sh(2026, 2, 14, 18), date(2026, 2, 24), False, id="working-sat-before-sf"),
        pytest.param(sh(2026, 2, 15, 0, 0), date(2026, 2, 24), True, id="first-day-of-sf"),
        pytest.param(sh(2026, 2, 20, 12), date(2026, 2, 24), True, id="middle-of-sf"),
        pytest.param(sh(2026, 3, 6, 17), date(2026, 3, 9), False, id="friday-due-monday"),
        pytest.param(sh(2026, 3, 7, 0, 0), date(2026, 3, 9), True, id="saturday-due-monday"),
        pytest.param(sh(2026, 3, 2, 9), date(2026, 3, 12), False, id="plenty-of-time"),
    ],
)
def test_is_due_soon(cal: WorkingCalendar, now: datetime, due_day: date, expected: bool) -> None:
    assert is_due_soon(now, end_of_day(due_day), cal) is expected


@pytest.mark.parametrize(
    "now",
    [
        pytest.param(end_of_day(date(2026, 2, 25)), id="exactly-at-deadline"),
        pytest.param(end_of_day(date(2026, 2, 25)) + timedelta(seconds=1), id="overdue"),
        pytest.param(sh(2026, 2, 27, 9), id="days-overdue"),
    ],
)
def test_overdue_case_is_not_due_soon(cal: WorkingCalendar, now: datetime) -> None:
    assert is_due_soon(now, end_of_day(date(2026, 2, 25)), cal) is False


def test_due_soon_agrees_with_due_at(cal: WorkingCalendar) -> None:
    due = cal.due_at(sh(2026, 2, 13, 10), SIMPLE_TRACK_DAYS)
    assert is_due_soon(due - timedelta(hours=1), due, cal)
    assert not is_due_soon(due - timedelta(days=1), due, cal)


def test_is_due_soon_rejects_naive_datetimes(cal: WorkingCalendar) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        is_due_soon(datetime(2026, 2, 25, 9), end_of_day(date(2026, 2, 25)), cal)


# --- bundled data -----------------------------------------------------------------------------


def test_bundled_data_covers_2024_to_2026() -> None:
    years = load_bundled_years()
    assert [y.year for y in years] == [2024, 2025, 2026]
    assert all(y.source == f"国务院办公厅关于{y.year}年部分节假日安排的通知" for y in years)
    counts = {y.year: (len(y.holidays), len(y.workdays)) for y in years}
    assert counts == {2024: (28, 8), 2025: (28, 5), 2026: (33, 6)}
    assert bundled_calendar().years == frozenset({2024, 2025, 2026})


def test_bundled_calendar_is_loaded_once() -> None:
    assert bundled_calendar() is bundled_calendar()


@pytest.mark.parametrize(
    ("day", "kind", "name"),
    [
        pytest.param(date(2024, 2, 10), "holiday", "春节", id="2024-spring-festival"),
        pytest.param(date(2024, 9, 14), "workday", "中秋节调休", id="2024-mid-autumn-makeup"),
        pytest.param(date(2025, 1, 28), "holiday", "春节", id="2025-chuxi"),
        pytest.param(date(2025, 6, 2), "holiday", "端午节", id="2025-dragon-boat"),
        pytest.param(date(2025, 10, 6), "holiday", "中秋节", id="2025-mid-autumn-inside-nd"),
        pytest.param(date(2025, 10, 8), "holiday", "国庆节", id="2025-national-day-last"),
        pytest.param(date(2025, 2, 8), "workday", "春节调休", id="2025-spring-makeup"),
        pytest.param(date(2026, 1, 4), "workday", "元旦调休", id="2026-new-year-makeup"),
        pytest.param(date(2026, 2, 28), "workday", "春节调休", id="2026-spring-makeup"),
        pytest.param(date(2026, 4, 6), "holiday", "清明节", id="2026-qingming"),
        pytest.param(date(2026, 5, 5), "holiday", "劳动节", id="2026-labour-day"),
        pytest.param(date(2026, 9, 25), "holiday", "中秋节", id="2026-mid-autumn"),
    ],
)
def test_bundled_data_names_known_dates(day: date, kind: str, name: str) -> None:
    (calendar_year,) = (y for y in load_bundled_years() if y.year == day.year)
    entries = calendar_year.holidays if kind == "holiday" else calendar_year.workdays
    assert entries[day] == name


def test_load_rejects_file_named_after_another_year(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "2027.json").write_text(json.dumps(valid_year()), encoding="utf-8")
    monkeypatch.setattr(calendar_data, "calendar_data_dir", lambda: tmp_path)
    with pytest.raises(CalendarDataError, match=r"2027\.json: holds year 2026"):
        load_bundled_years()


def test_load_rejects_invalid_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "2026.json").write_text("{", encoding="utf-8")
    monkeypatch.setattr(calendar_data, "calendar_data_dir", lambda: tmp_path)
    with pytest.raises(CalendarDataError, match="not valid JSON"):
        load_bundled_years()


def test_warn_missing_years_logs_each_year_once(
    cal: WorkingCalendar, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(calendar_data, "_warned_years", set())
    with caplog.at_level(logging.WARNING, logger="yidi.deadlines.calendar_data"):
        assert warn_missing_years(cal, [2026, 2027]) == [2027]
        assert warn_missing_years(cal, [2027, 2028]) == [2027, 2028]
        assert warn_missing_years(cal, [2026, 2027, 2028]) == [2027, 2028]
        assert warn_missing_years(cal, [2024, 2025, 2026]) == []
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 2
    assert "2027" in messages[0]
    assert "2028" in messages[1]
    assert "2027" not in messages[1]


# --- parsing and validation -------------------------------------------------------------------


def valid_year() -> dict[str, Any]:
    return {
        "year": 2026,
        "source": "国务院办公厅关于2026年部分节假日安排的通知",
        "holidays": [
            {"date": "2026-01-01", "name": "元旦"},
            {"date": "2026-01-02", "name": "元旦"},
            {"date": "2026-01-03", "name": "元旦"},
        ],
        "workdays": [{"date": "2026-01-04", "name": "元旦调休"}],
    }


def test_parse_year_accepts_valid_data() -> None:
    parsed = parse_year(valid_year())
    assert parsed == CalendarYear(
        year=2026,
        holidays={date(2026, 1, d): "元旦" for d in (1, 2, 3)},
        workdays={date(2026, 1, 4): "元旦调休"},
        source="国务院办公厅关于2026年部分节假日安排的通知",
    )


def _set(key: str, value: object) -> Callable[[dict[str, Any]], None]:
    def mutate(data: dict[str, Any]) -> None:
        data[key] = value

    return mutate


def _holiday(index: int, **changes: object) -> Callable[[dict[str, Any]], None]:
    def mutate(data: dict[str, Any]) -> None:
        data["holidays"][index].update(changes)

    return mutate


def _workday(**changes: object) -> Callable[[dict[str, Any]], None]:
    def mutate(data: dict[str, Any]) -> None:
        data["workdays"][0].update(changes)

    return mutate


def _del(key: str) -> Callable[[dict[str, Any]], None]:
    def mutate(data: dict[str, Any]) -> None:
        del data[key]

    return mutate


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        pytest.param(_holiday(0, date="2025-01-01"), r"date 2025-01-01 is not in 2026", id="year"),
        pytest.param(_workday(date="2027-01-02"), r"date 2027-01-02 is not in 2026", id="wd-year"),
        pytest.param(_holiday(1, date="2026-01-01"), "duplicate date 2026-01-01", id="duplicate"),
        pytest.param(_workday(date="2026-01-03"), "both holiday and workday", id="both"),
        pytest.param(_holiday(0, date="2026/01/01"), "YYYY-MM-DD", id="slashes"),
        pytest.param(_holiday(0, date="20260101"), "YYYY-MM-DD", id="basic-iso"),
        pytest.param(_holiday(0, date="2026-1-1"), "YYYY-MM-DD", id="no-padding"),
        pytest.param(_holiday(0, date="2026-02-30"), "not a valid date", id="feb-30"),
        pytest.param(_holiday(0, date=20260101), "YYYY-MM-DD", id="date-not-string"),
        pytest.param(_workday(date="2026-01-05"), "is a weekday", id="workday-on-monday"),
        pytest.param(_holiday(0, name="新年"), "unknown name", id="unknown-holiday-name"),
        pytest.param(_holiday(0, name=""), "non-empty", id="empty-name"),
        pytest.param(_workday(name="元旦"), "调休", id="workday-name-without-suffix"),
        pytest.param(_workday(name="新年调休"), "调休", id="workday-name-unknown-holiday"),
        pytest.param(_set("year", "2026"), "integer year", id="year-string"),
        pytest.param(_set("year", True), "integer year", id="year-bool"),
        pytest.param(_set("source", " "), "source", id="empty-source"),
        pytest.param(_set("holidays", {}), "holidays must be a list", id="holidays-not-list"),
        pytest.param(_set("extra", 1), "unexpected", id="unknown-key"),
        pytest.param(_del("workdays"), "missing", id="missing-key"),
        pytest.param(_holiday(0, note="x"), "exactly 'date' and 'name'", id="entry-extra-key"),
        pytest.param(
            _set("holidays", ["2026-01-01"]), "exactly 'date' and 'name'", id="entry-not-object"
        ),
    ],
)
def test_parse_year_rejects_bad_data(
    mutate: Callable[[dict[str, Any]], None], message: str
) -> None:
    data = copy.deepcopy(valid_year())
    mutate(data)
    with pytest.raises(CalendarDataError, match=message):
        parse_year(data)


def test_calendar_data_error_is_a_value_error() -> None:
    assert issubclass(CalendarDataError, ValueError)


# --- building a calendar ----------------------------------------------------------------------


def test_build_calendar_rejects_a_year_given_twice() -> None:
    year = parse_year(valid_year())
    with pytest.raises(CalendarDataError, match="2026 given more than once"):
        build_calendar([year, year])


def test_build_calendar_merges_years() -> None:
    cal = build_calendar([parse_year(valid_year())])
    assert cal.years == frozenset({2026})
    assert cal.holidays == frozenset(date(2026, 1, d) for d in (1, 2, 3))
    assert cal.workdays == frozenset({date(2026, 1, 4)})
    assert not cal.is_working_day(date(2026, 1, 1))
    assert cal.is_working_day(date(2026, 1, 4))
    # Only the given year has data: Spring Festival is a plain week here.
    assert cal.is_working_day(date(2026, 2, 16))


@pytest.mark.parametrize(
    ("holidays", "workdays", "message"),
    [
        pytest.param({date(2027, 1, 1)}, set(), "outside the calendar's years", id="stray-year"),
        pytest.param({date(2026, 1, 3)}, {date(2026, 1, 3)}, "both holiday", id="overlap"),
    ],
)
def test_working_calendar_rejects_inconsistent_sets(
    holidays: set[date], workdays: set[date], message: str
) -> None:
    with pytest.raises(CalendarDataError, match=message):
        WorkingCalendar(
            holidays=frozenset(holidays), workdays=frozenset(workdays), years=frozenset({2026})
        )


def test_empty_calendar_is_monday_to_friday() -> None:
    cal = WorkingCalendar()
    assert cal.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 16)
    assert cal.missing_years(2026, 2026) == [2026]
