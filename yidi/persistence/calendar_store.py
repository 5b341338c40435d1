"""Holiday schedules added after release, stored so every server process shares them."""

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from yidi.domain.calendar import CalendarYear
from yidi.persistence.models import CalendarDay


async def stored_years(session: AsyncSession) -> list[CalendarYear]:
    rows = await session.scalars(select(CalendarDay).order_by(CalendarDay.day))
    years: dict[int, CalendarYear] = {}
    for row in rows:
        year = years.setdefault(row.year, CalendarYear(row.year, {}, {}, row.source))
        (year.workdays if row.working else year.holidays)[row.day] = row.name
    return list(years.values())


async def store_year(session: AsyncSession, year: CalendarYear) -> None:
    """Replace one year's schedule (a corrected notice supersedes the old one)."""
    await session.execute(delete(CalendarDay).where(CalendarDay.year == year.year))
    rows = [
        {"day": day, "year": year.year, "working": working, "name": name, "source": year.source}
        for working, days in ((False, year.holidays), (True, year.workdays))
        for day, name in days.items()
    ]
    if rows:
        await session.execute(insert(CalendarDay), rows)
