"""Text rules for event notes: what staff write when they act on a case, and the notes the
system words itself."""

from yidi.domain.errors import BadInput
from yidi.domain.text import is_visible, refuse_control_characters

NOTE_MAX = 2000
SUMMARY_MAX = 5000


def required_text(field: str, value: str, limit: int = NOTE_MAX) -> str:
    """A reason, summary or guidance: must say something, within the limit."""
    refuse_control_characters(field, value)
    value = value.strip()
    if not is_visible(value):
        raise BadInput(field, f"{field} must not be empty.")
    if len(value) > limit:
        raise BadInput(field, f"{field} must be at most {limit} characters.")
    return value


def optional_text(field: str, value: str | None, limit: int = NOTE_MAX) -> str | None:
    if value is None or not is_visible(value):
        return None
    return required_text(field, value, limit)


# The two merge events speak of another case, so the system words their notes itself, for
# each reader, when they are read (docs/DECISIONS.md, "A note names another case only to
# whoever may view it"). A MERGED event names the original only to a reader who may view
# it; the others read that it joined another case, as `mergedInto` (null for them) agrees.
MERGED_INTO_UNSEEN = "合并至另一事项（该事项不在您的查看范围内）"
# DUPLICATE_MERGED never names the duplicate (docs/DECISIONS.md, "A merge records an event
# on both cases").
DUPLICATE_MERGED_NOTE = "重复事项已并入本事项"


def merged_into_note(number: str | None) -> str:
    """The note of a MERGED event as one reader reads it; `number` is the original's
    number, None when this reader may not view the original."""
    return f"合并至 {number}" if number is not None else MERGED_INTO_UNSEEN
