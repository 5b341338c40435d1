"""What a registered case may contain: text limits, reporter formats, parties, time limits."""

from collections.abc import Callable

import pytest

from tests.support.intake import ID_NUMBER
from yidi.domain import intake
from yidi.domain.enums import HandlingTrack
from yidi.domain.errors import BadInput

# A valid GB 11643 number (the standard's own example, check character X); another, with a
# check digit, is the one the API tests register.
ID_WITH_X = "11010519491231002X"


# --- title and description -------------------------------------------------------------


@pytest.mark.parametrize(
    "title",
    [
        pytest.param("a", id="one-char"),
        pytest.param("x" * 200, id="exactly-200-ascii"),
        # Limits count characters, not bytes: 200 Chinese characters are 600 UTF-8 bytes.
        pytest.param("纠" * 200, id="exactly-200-chinese"),
    ],
)
def test_title_within_limit_is_accepted(title: str) -> None:
    assert intake.check_text("title", title, intake.TITLE_MAX) == title


def test_title_limit_is_200() -> None:
    assert intake.TITLE_MAX == 200


@pytest.mark.parametrize(
    "title",
    [pytest.param("x" * 201, id="201-ascii"), pytest.param("纠" * 201, id="201-chinese")],
)
def test_title_over_limit_is_refused(title: str) -> None:
    with pytest.raises(BadInput) as caught:
        intake.check_text("title", title, intake.TITLE_MAX)
    assert caught.value.field == "title"
    assert caught.value.code == "BAD_USER_INPUT"


def test_title_is_trimmed_before_its_length_is_checked() -> None:
    # Blanks a form adds around the text are not the reporter's words.
    assert intake.check_text("title", "  " + "x" * 200 + "\n", intake.TITLE_MAX) == "x" * 200


@pytest.mark.parametrize(
    "title",
    [
        pytest.param("", id="empty"),
        pytest.param("   ", id="spaces"),
        pytest.param("\t\n ", id="tabs-newlines"),
        pytest.param("\u3000", id="ideographic-space"),
    ],
)
def test_empty_or_blank_title_is_refused(title: str) -> None:
    with pytest.raises(BadInput) as caught:
        intake.check_text("title", title, intake.TITLE_MAX)
    assert caught.value.field == "title"


@pytest.mark.parametrize(
    ("length", "accepted"),
    [(1, True), (10_000, True), (10_001, False)],
    ids=["one", "exactly-10000", "10001"],
)
def test_description_limit(length: int, accepted: bool) -> None:
    description = "述" * length
    if accepted:
        assert intake.check_text("description", description, intake.DESCRIPTION_MAX) == description
    else:
        with pytest.raises(BadInput) as caught:
            intake.check_text("description", description, intake.DESCRIPTION_MAX)
        assert caught.value.field == "description"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(None, None, id="absent"),
        pytest.param("", None, id="empty-is-absent"),
        pytest.param("   ", None, id="blank-is-absent"),
        pytest.param(" 东湖村1号 ", "东湖村1号", id="trimmed"),
    ],
)
def test_optional_text(value: str | None, expected: str | None) -> None:
    assert intake.check_optional_text("address", value, intake.ADDRESS_MAX) == expected


def test_optional_text_over_limit_is_refused() -> None:
    with pytest.raises(BadInput) as caught:
        intake.check_optional_text("address", "址" * (intake.ADDRESS_MAX + 1), intake.ADDRESS_MAX)
    assert caught.value.field == "address"


# --- reporter ---------------------------------------------------------------------------


def reporter(
    *,
    name: str | None = "张三",
    phone: str | None = None,
    id_number: str | None = None,
    anonymous: bool = False,
    phone_required: bool = False,
) -> intake.ReporterData:
    return intake.check_reporter(name, phone, id_number, anonymous, phone_required=phone_required)


def outcome(check: Callable[[], str | None]) -> tuple[str, str | None]:
    """("refused", the field named) or ("stored", the value kept)."""
    try:
        return "stored", check()
    except BadInput as refused:
        return "refused", refused.field


@pytest.mark.parametrize(
    ("phone", "stored"),
    [
        pytest.param("13812345678", "13812345678", id="mobile-138"),
        pytest.param("19912345678", "19912345678", id="mobile-199"),
        pytest.param("138 1234 5678", "13812345678", id="mobile-with-spaces"),
        pytest.param(" 13812345678 ", "13812345678", id="mobile-surrounding-space"),
        pytest.param("0571-88123456", "0571-88123456", id="landline-4-8"),
        pytest.param("057188123456", "057188123456", id="landline-no-dash"),
        pytest.param("010-12345678", "010-12345678", id="landline-3-8"),
        pytest.param("0931-8123456", "0931-8123456", id="landline-4-7"),
    ],
)
def test_valid_phone_numbers(phone: str, stored: str) -> None:
    assert reporter(phone=phone).phone == stored


@pytest.mark.parametrize(
    "phone",
    [
        pytest.param("12812345678", id="mobile-second-digit-2"),
        pytest.param("1381234567", id="mobile-10-digits"),
        pytest.param("138123456789", id="mobile-12-digits"),
        pytest.param("23812345678", id="mobile-not-starting-1"),
        pytest.param("0571-123456", id="landline-6-digits"),
        pytest.param("571-88123456", id="landline-no-leading-0"),
        pytest.param("0571-881234567", id="landline-9-digits"),
        pytest.param("138-1234-5678", id="mobile-dashes"),
        pytest.param("abcdefghijk", id="letters"),
    ],
)
def test_invalid_phone_numbers(phone: str) -> None:
    with pytest.raises(BadInput) as caught:
        reporter(phone=phone)
    assert caught.value.field == "reporter.phone"


@pytest.mark.parametrize(
    "phone",
    [
        pytest.param("1381234567８", id="fullwidth-last-digit"),
        pytest.param("１３８１２３４５６７８", id="all-fullwidth"),
        pytest.param("١٣٨١٢٣٤٥٦٧٨", id="arabic-indic"),
    ],
)
def test_non_ascii_digits_never_stored_in_a_phone(phone: str) -> None:
    # Matching on phoneLast4 and masking assume ASCII digits; either refuse such input or
    # normalise it to ASCII, never store it as typed.
    kind, value = outcome(lambda: reporter(phone=phone).phone)
    if kind == "refused":
        assert value == "reporter.phone"
    else:
        assert value is not None
        assert value.isascii(), f"stored {value!r}"


@pytest.mark.parametrize("phone", [None, "", "   "], ids=["none", "empty", "blank"])
def test_phone_is_optional_for_staff_intake(phone: str | None) -> None:
    assert reporter(phone=phone).phone is None


@pytest.mark.parametrize("phone", [None, ""], ids=["none", "empty"])
def test_phone_required_when_asked(phone: str | None) -> None:
    # A resident's online request needs a phone: it is the second factor of tracking.
    with pytest.raises(BadInput) as caught:
        reporter(phone=phone, phone_required=True)
    assert caught.value.field == "reporter.phone"


@pytest.mark.parametrize("id_number", [None, "", "   "], ids=["none", "empty", "blank"])
def test_id_number_is_optional(id_number: str | None) -> None:
    # Absent is absent: a blank form field must not be stored as an empty ID number.
    assert reporter(id_number=id_number).id_number is None


@pytest.mark.parametrize(
    ("id_number", "stored"),
    [
        pytest.param(ID_WITH_X, ID_WITH_X, id="check-x"),
        pytest.param(ID_WITH_X.lower(), ID_WITH_X, id="check-x-lower-case"),
        pytest.param(ID_NUMBER, ID_NUMBER, id="check-digit"),
        pytest.param("440524188001010014", "440524188001010014", id="check-digit-4"),
        pytest.param(f" {ID_NUMBER} ", ID_NUMBER, id="surrounding-space"),
    ],
)
def test_valid_id_numbers(id_number: str, stored: str) -> None:
    assert reporter(id_number=id_number).id_number == stored


@pytest.mark.parametrize(
    "id_number",
    [
        pytest.param("11010519491231002", id="17-chars"),
        pytest.param("11010519491231002X1", id="19-chars"),
        pytest.param("110105194912310021", id="wrong-check-digit-for-x"),
        pytest.param("620102199001011234", id="wrong-check-digit"),
        pytest.param("62010219900101123X", id="x-where-digit-due"),
        pytest.param("62010219900101A233", id="letter-inside"),
        pytest.param("110105491231002", id="old-15-digit"),
        pytest.param("garbage", id="garbage"),
    ],
)
def test_invalid_id_numbers(id_number: str) -> None:
    with pytest.raises(BadInput) as caught:
        reporter(id_number=id_number)
    assert caught.value.field == "reporter.idNumber"


@pytest.mark.parametrize(
    ("id_number", "valid"),
    [
        (ID_WITH_X, True),
        (ID_NUMBER, True),
        ("440524188001010014", True),
        ("620102199001011234", False),
        ("11010519491231002x", False),  # the pure check wants the canonical upper-case X
    ],
    ids=["x", "digit", "digit-4", "bad", "lower-x-not-canonical"],
)
def test_id_number_is_valid(id_number: str, valid: bool) -> None:
    assert intake.id_number_is_valid(id_number) is valid


@pytest.mark.parametrize(
    ("id_number", "canonical"),
    [
        pytest.param("６２０１０２１９９００１０１１２３３", ID_NUMBER, id="fullwidth"),
        pytest.param("١١٠١٠٥١٩٤٩١٢٣١٠٠٢X", ID_WITH_X, id="arabic-indic-with-x"),
        pytest.param("１１０１０５１９４９１２３１００２X", ID_WITH_X, id="fullwidth-with-x"),
    ],
)
def test_non_ascii_digits_never_stored_in_an_id_number(id_number: str, canonical: str) -> None:
    # Same reason as for phones: refuse, or store the canonical ASCII form.
    kind, value = outcome(lambda: reporter(id_number=id_number).id_number)
    if kind == "refused":
        assert value == "reporter.idNumber"
    else:
        assert value == canonical, f"stored {value!r}"


def test_anonymous_reporter_loses_the_name_but_keeps_contact_data() -> None:
    data = reporter(name="张三", phone="13812345678", id_number=ID_NUMBER, anonymous=True)
    assert data == intake.ReporterData(
        name=None, phone="13812345678", id_number=ID_NUMBER, anonymous=True
    )


def test_named_reporter_keeps_the_name() -> None:
    data = reporter(name=" 张三 ", anonymous=False)
    assert data.name == "张三"
    assert data.anonymous is False


def test_reporter_name_limit() -> None:
    assert reporter(name="名" * intake.NAME_MAX).name == "名" * intake.NAME_MAX
    with pytest.raises(BadInput) as caught:
        reporter(name="名" * (intake.NAME_MAX + 1))
    assert caught.value.field == "reporter.name"


def test_anonymous_reporter_still_has_phone_format_checked() -> None:
    with pytest.raises(BadInput) as caught:
        reporter(phone="12345", anonymous=True)
    assert caught.value.field == "reporter.phone"


# --- parties and time limits ------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 2, intake.PARTIES_MAX], ids=["one", "two", "max"])
def test_parties_count_in_bounds(count: int) -> None:
    assert intake.check_parties_count(count) == count


@pytest.mark.parametrize(
    "count", [0, -1, intake.PARTIES_MAX + 1], ids=["zero", "negative", "above-max"]
)
def test_parties_count_out_of_bounds(count: int) -> None:
    with pytest.raises(BadInput) as caught:
        intake.check_parties_count(count)
    assert caught.value.field == "partiesCount"


@pytest.mark.parametrize(
    ("track", "category_days", "expected"),
    [
        pytest.param(HandlingTrack.SIMPLE, 15, 3, id="simple-ignores-category-15"),
        pytest.param(HandlingTrack.SIMPLE, 60, 3, id="simple-ignores-category-60"),
        pytest.param(HandlingTrack.SIMPLE, 1, 3, id="simple-even-if-category-shorter"),
        pytest.param(HandlingTrack.STANDARD, 15, 15, id="standard-dispute"),
        pytest.param(HandlingTrack.STANDARD, 5, 5, id="standard-consult"),
        pytest.param(HandlingTrack.STANDARD, 60, 60, id="standard-petition"),
        pytest.param(HandlingTrack.TASK_FORCE, 30, 30, id="task-force-category"),
    ],
)
def test_time_limit_days(track: HandlingTrack, category_days: int, expected: int) -> None:
    assert intake.time_limit_days(track, category_days) == expected


def test_new_cases_default_to_standard_track_and_blue_risk() -> None:
    assert intake.DEFAULT_TRACK is HandlingTrack.STANDARD
    assert intake.DEFAULT_RISK.value == "BLUE"
