"""Masking of reporters' personal data for viewers not entitled to see it."""

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yidi.domain.masking import mask_id_number, mask_name, mask_phone

Mask = Callable[[str | None], str | None]


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        pytest.param("13812345678", "138****5678", id="mobile"),
        pytest.param("19900001111", "199****1111", id="mobile-199"),
        # Landlines keep the first three characters and the last four as well.
        pytest.param("0571-88123456", "057******3456", id="landline-dash"),
        pytest.param("057188123456", "057*****3456", id="landline-plain"),
        pytest.param("12345678", "123*5678", id="eight-chars"),
    ],
)
def test_mask_phone(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(
    "phone",
    [
        pytest.param("1234567", id="seven"),
        pytest.param("123", id="three"),
        pytest.param("1", id="one"),
    ],
)
def test_short_phones_are_masked_completely(phone: str) -> None:
    # Keeping 3 + 4 characters of a 7-character value would reveal all of it.
    assert mask_phone(phone) == "*" * len(phone)


@pytest.mark.parametrize(
    ("id_number", "masked"),
    [
        pytest.param("620102199001011233", "6201**********1233", id="eighteen-digits"),
        pytest.param("11010519491231002X", "1101**********002X", id="check-x"),
        # Old 15-digit cards still turn up on paper forms.
        pytest.param("110105491231002", "1101*******1002", id="fifteen-digits"),
        pytest.param("123456789", "1234*6789", id="nine-chars"),
    ],
)
def test_mask_id_number(id_number: str, masked: str) -> None:
    assert mask_id_number(id_number) == masked


@pytest.mark.parametrize(
    "id_number",
    [pytest.param("12345678", id="eight"), pytest.param("1234", id="four")],
)
def test_short_id_numbers_are_masked_completely(id_number: str) -> None:
    assert mask_id_number(id_number) == "*" * len(id_number)


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        pytest.param("张三", "张*", id="two-chars"),
        pytest.param("欧阳娜娜", "欧***", id="four-chars"),
        # A one-character name still gets a star, so the mask never equals the value.
        pytest.param("张", "张*", id="one-char"),
        pytest.param("Li Lei", "L*****", id="latin"),
    ],
)
def test_mask_name(name: str, masked: str) -> None:
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    "mask",
    [mask_phone, mask_id_number, mask_name],
    ids=["phone", "id-number", "name"],
)
@pytest.mark.parametrize("value", [None, ""], ids=["none", "empty"])
def test_missing_values_stay_missing(mask: Mask, value: str | None) -> None:
    assert mask(value) == value


@given(st.text(alphabet="0123456789", min_size=1, max_size=20))
def test_masked_phone_never_reveals_the_whole_number(phone: str) -> None:
    masked = mask_phone(phone)
    assert masked is not None
    assert len(masked) == len(phone)
    assert "*" in masked
    assert masked != phone


@given(st.text(alphabet="0123456789X", min_size=1, max_size=20))
def test_masked_id_number_never_reveals_the_whole_number(id_number: str) -> None:
    masked = mask_id_number(id_number)
    assert masked is not None
    assert len(masked) == len(id_number)
    assert "*" in masked
    assert masked != id_number
    # Whatever is kept is at most the 4-character prefix and the 4-character suffix.
    assert sum(c != "*" for c in masked) <= 8
