"""The dossier prints a Chinese word for every value a case can hold: a value added later
(a channel, an event type) must get its word, not print as its code."""

import pytest

from yidi.domain.enums import CaseEventType, CaseStatus, Channel, SummonsState
from yidi.http import dossier_labels as words


@pytest.mark.parametrize(
    ("table", "values"),
    [
        (words.CHANNEL, Channel),
        (words.EVENT, CaseEventType),
        (words.STATUS, CaseStatus),
        (words.SUMMONS_STATE, SummonsState),
    ],
)
def test_every_value_has_its_word(table: dict[str, str], values: type) -> None:
    assert [v.value for v in values if v.value not in table] == []
