"""What counts as text a person wrote: shared by case fields and event notes."""

import unicodedata

from yidi.domain.errors import BadInput

# Line breaks and tabs are text; every other control character is not.
_ALLOWED_CONTROLS = frozenset("\t\n\r")
# Categories that show nothing: format marks (zero-width space, joiners, BOM), separators,
# combining marks with nothing to combine with.
_INVISIBLE = frozenset(("Cf", "Zs", "Zl", "Zp", "Mn", "Me"))


def refuse_control_characters(field: str, value: str) -> None:
    # NUL cannot be stored in PostgreSQL text; no person types any of these.
    if any(unicodedata.category(ch) == "Cc" and ch not in _ALLOWED_CONTROLS for ch in value):
        raise BadInput(field, f"{field} contains a control character.")


def is_visible(value: str) -> bool:
    """Whether the text shows anything: not only spaces and zero-width or format marks."""
    return any(not ch.isspace() and unicodedata.category(ch) not in _INVISIBLE for ch in value)
