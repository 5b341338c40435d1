"""Time in tests: the instant the demo data is generated from, a clock tests move, and the
instants the API answers with."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

# The demo data is generated relative to this instant, so every run sees the same cases.
DEMO_NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
# Deadlines are counted in days of Asia/Shanghai (DESIGN.md, "Case lifecycle").
SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass
class Clock:
    """The application's notion of now; tests move it to exercise deadlines."""

    current: datetime = DEMO_NOW

    def __call__(self) -> datetime:
        return self.current


def instant(value: str) -> datetime:
    """A DateTime as the API writes it; one without an offset would be ambiguous."""
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    assert parsed.tzinfo is not None, f"DateTime without an offset: {value}"
    return parsed


def end_of_day(day: date) -> datetime:
    """A deadline instant: the last microsecond of `day` in Asia/Shanghai."""
    return datetime.combine(day, time.max, tzinfo=SHANGHAI)
