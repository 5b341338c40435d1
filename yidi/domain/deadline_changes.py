"""Rules of extensions (延期) and pauses (中止) of a case's deadline (docs/CASE_FILE.md)."""

from yidi.domain.errors import BadInput

# More than three months of extra working days is not an extension but a new case.
MAX_EXTENSION_DAYS = 60


def check_extension_days(days: int) -> int:
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        raise BadInput("days", f"An extension is 1 to {MAX_EXTENSION_DAYS} working days.")
    return days
