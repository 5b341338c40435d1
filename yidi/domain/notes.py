"""Text rules for what staff write when they act on a case."""

from yidi.domain.errors import BadInput

NOTE_MAX = 2000
SUMMARY_MAX = 5000


def required_text(field: str, value: str, limit: int = NOTE_MAX) -> str:
    """A reason, summary or guidance: must say something, within the limit."""
    if "\x00" in value:  # PostgreSQL text cannot hold NUL; no person types one
        raise BadInput(field, f"{field} contains a NUL character.")
    value = value.strip()
    if not value:
        raise BadInput(field, f"{field} must not be empty.")
    if len(value) > limit:
        raise BadInput(field, f"{field} must be at most {limit} characters.")
    return value


def optional_text(field: str, value: str | None, limit: int = NOTE_MAX) -> str | None:
    if value is None or not value.strip():
        return None
    return required_text(field, value, limit)
