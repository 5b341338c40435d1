"""A county's intake settings (docs/INTAKE.md): their defaults and bounds."""

from dataclasses import dataclass

from yidi.domain.errors import BadInput

DEFAULT_REPEAT_WINDOW_DAYS = 180
DEFAULT_REPEAT_SIMILARITY = 0.5
MAX_REPEAT_WINDOW_DAYS = 3650


@dataclass(frozen=True)
class IntakeSettings:
    # Dispatch a newly registered case to the best suggestion of the responsibility list.
    auto_route: bool = False
    # Repeat petitions: open cases, and cases registered within this many days.
    repeat_window_days: int = DEFAULT_REPEAT_WINDOW_DAYS
    # pg_trgm similarity (0..1) from which a text at the same place counts as similar.
    repeat_similarity: float = DEFAULT_REPEAT_SIMILARITY


def check(settings: IntakeSettings) -> IntakeSettings:
    if not 1 <= settings.repeat_window_days <= MAX_REPEAT_WINDOW_DAYS:
        raise BadInput(
            "repeatWindowDays", f"repeatWindowDays must be between 1 and {MAX_REPEAT_WINDOW_DAYS}."
        )
    # Below 0.1 nearly every text at a place would match; above 1 nothing could.
    if not 0.1 <= settings.repeat_similarity <= 1.0:
        raise BadInput("repeatSimilarity", "repeatSimilarity must be between 0.1 and 1.")
    return settings
