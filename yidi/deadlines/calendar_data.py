"""The official holiday schedules bundled with yidi, one JSON file per year.

The files live in `yidi/deadlines/calendar/<year>.json` and are transcribed from the State
Council General Office notices (国务院办公厅关于<year>年部分节假日安排的通知). A new file
has to be added every year when the notice comes out (usually in November); until then
deadlines in the new year are counted Monday to Friday, and `warn_missing_years` says so.
"""

import functools
import json
import logging
import threading
from collections.abc import Iterable
from importlib.resources import files
from importlib.resources.abc import Traversable

from yidi.domain.calendar import (
    CalendarDataError,
    CalendarYear,
    WorkingCalendar,
    build_calendar,
    parse_year,
)
from yidi.persistence.calendar_store import store_year, stored_years
from yidi.persistence.session import Session
from yidi.services.unit_of_work import UnitOfWork

logger = logging.getLogger(__name__)

# Years already reported by warn_missing_years: a warning per request would drown the log.
_warned_years: set[int] = set()
_warned_lock = threading.Lock()


def calendar_data_dir() -> Traversable:
    return files("yidi.deadlines") / "calendar"


def load_bundled_years() -> list[CalendarYear]:
    """Parse every bundled `<year>.json`, in ascending year order.

    Raises CalendarDataError if a file is not valid JSON, breaks the format, or holds a
    different year than its name says.
    """
    paths = sorted(
        (p for p in calendar_data_dir().iterdir() if p.name.endswith(".json")),
        key=lambda p: p.name,
    )
    years: list[CalendarYear] = []
    for path in paths:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise CalendarDataError(f"{path.name}: not valid JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise CalendarDataError(f"{path.name}: must hold a JSON object")
        calendar_year = parse_year(data)
        if path.name != f"{calendar_year.year}.json":
            raise CalendarDataError(f"{path.name}: holds year {calendar_year.year}")
        years.append(calendar_year)
    return years


@functools.cache
def bundled_calendar() -> WorkingCalendar:
    """The working calendar from the bundled data, loaded once per process."""
    return build_calendar(load_bundled_years())


def warn_missing_years(cal: WorkingCalendar, years: Iterable[int]) -> list[int]:
    """Return the `years` for which `cal` has no official data, ascending.

    Deadlines in those years are counted Monday to Friday, which ignores holidays. Each such
    year is logged as a warning only the first time it is reported in this process.
    """
    missing = sorted({year for year in years if year not in cal.years})
    with _warned_lock:
        new = [year for year in missing if year not in _warned_years]
        _warned_years.update(new)
    if new:
        logger.warning(
            "no official holiday schedule for %s; counting Monday to Friday as working days",
            ", ".join(str(year) for year in new),
        )
    return missing


async def current_calendar(session: Session) -> WorkingCalendar:
    """Bundled years, overridden and extended by the years stored with `yidi calendar add`."""
    years = {y.year: y for y in load_bundled_years()}
    years.update({y.year: y for y in await stored_years(session)})
    return build_calendar(years[y] for y in sorted(years))


async def store_calendar_year(uow: UnitOfWork, year: CalendarYear) -> None:
    """Add or correct one year's schedule; every process picks it up at its next sweep."""
    async with uow.begin() as work:
        await store_year(work.session, year)
