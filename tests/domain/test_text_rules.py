"""Text a person wrote shows something and holds no control characters; dates a reporter
gives are real and not in the future."""

from datetime import UTC, date, datetime

import pytest

from yidi.domain import intake
from yidi.domain.errors import BadInput
from yidi.domain.text import is_visible, refuse_control_characters

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "visible"),
    [
        ("漏水", True),
        ("a\u200b", True),
        ("\u200b\u200c\u200d\u2060\ufeff", False),
        ("\u3000 \t\n", False),
        ("\u0301", False),  # a combining accent with nothing under it
        ("", False),
    ],
)
def test_visible_text(text: str, visible: bool) -> None:
    assert is_visible(text) is visible


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x7f", "\x85"])
def test_control_characters_are_refused(char: str) -> None:
    with pytest.raises(BadInput) as caught:
        refuse_control_characters("title", f"a{char}b")
    assert caught.value.field == "title"


def test_line_breaks_and_tabs_are_text() -> None:
    refuse_control_characters("description", "a\nb\r\n\tc")


@pytest.mark.parametrize(
    ("digits", "born"),
    [("19900101", date(1990, 1, 1)), ("20990230", None), ("19901301", None), ("00000000", None)],
)
def test_birth_date(digits: str, born: date | None) -> None:
    assert intake.birth_date(f"620102{digits}1233") == born


def test_an_id_number_born_after_today_is_invalid() -> None:
    # 2099-01-01 with a correct check digit.
    assert intake.id_number_is_valid("620102209901011235")
    assert not intake.id_number_is_valid("620102209901011235", today=NOW.date())


@pytest.mark.parametrize(
    ("occurred", "accepted"),
    [
        (datetime(2026, 11, 19, tzinfo=UTC), True),
        (datetime(2026, 11, 21, 1, 0, tzinfo=UTC), True),  # within a day's clock skew
        (datetime(2026, 11, 22, tzinfo=UTC), False),
        (datetime(9999, 12, 31, tzinfo=UTC), False),
        (datetime(1899, 12, 31, tzinfo=UTC), False),
    ],
)
def test_occurred_at(occurred: datetime, accepted: bool) -> None:
    if accepted:
        assert intake.check_occurred_at(occurred, NOW) == occurred
    else:
        with pytest.raises(BadInput) as caught:
            intake.check_occurred_at(occurred, NOW)
        assert caught.value.field == "occurredAt"
