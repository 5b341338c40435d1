"""Case numbers (COUNTY-YEAR-SEQUENCE) and residents' tracking codes."""

import hashlib
import re

import pytest

from yidi.domain.numbering import (
    TRACKING_ALPHABET,
    TRACKING_LENGTH,
    format_case_number,
    hash_tracking_code,
    new_tracking_code,
    normalize_tracking_code,
    parse_case_number,
)

# Characters that are easily confused when read aloud or handwritten; a code must avoid them.
LOOK_ALIKES = "01OILoil"


@pytest.mark.parametrize(
    ("county", "year", "sequence", "expected"),
    [
        pytest.param("990100", 2026, 1, "990100-2026-000001", id="first-of-year"),
        pytest.param("990100", 2026, 301, "990100-2026-000301", id="after-demo-cases"),
        pytest.param("990100", 2026, 999_999, "990100-2026-999999", id="six-digit-max"),
        # A county with more than a million cases in a year keeps counting, never wraps.
        pytest.param("990100", 2026, 1_000_000, "990100-2026-1000000", id="overflows-padding"),
        pytest.param("990200", 2025, 42, "990200-2025-000042", id="other-county-year"),
    ],
)
def test_format_case_number(county: str, year: int, sequence: int, expected: str) -> None:
    assert format_case_number(county, year, sequence) == expected


@pytest.mark.parametrize("sequence", [0, -1], ids=["zero", "negative"])
def test_sequences_start_at_one(sequence: int) -> None:
    with pytest.raises(ValueError, match="start at 1"):
        format_case_number("990100", 2026, sequence)


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        pytest.param("990100-2026-000123", ("990100", 2026, 123), id="plain"),
        pytest.param("990100-2026-1000000", ("990100", 2026, 1_000_000), id="seven-digits"),
        # Pasted numbers often carry surrounding blanks.
        pytest.param("  990100-2026-000001\n", ("990100", 2026, 1), id="surrounding-space"),
    ],
)
def test_parse_case_number(number: str, expected: tuple[str, int, int]) -> None:
    assert parse_case_number(number) == expected


@pytest.mark.parametrize(
    "number",
    [
        pytest.param("", id="empty"),
        pytest.param("garbage", id="garbage"),
        pytest.param("990100-2026-00123", id="five-digit-sequence"),
        pytest.param("990100-26-000123", id="two-digit-year"),
        pytest.param("99010-2026-000123", id="five-digit-county"),
        pytest.param("990100001-2026-000123", id="township-code"),
        pytest.param("990100_2026_000123", id="underscores"),
        pytest.param("990100-2026-000123x", id="trailing-junk"),
        pytest.param("x990100-2026-000123", id="leading-junk"),
        pytest.param("990100-2026-", id="no-sequence"),
    ],
)
def test_parse_rejects_malformed_numbers(number: str) -> None:
    assert parse_case_number(number) is None


@pytest.mark.parametrize(
    ("county", "year", "sequence"),
    [("990100", 2026, 1), ("990100", 2026, 987_654), ("990200", 2030, 12_345_678)],
    ids=["small", "large", "beyond-padding"],
)
def test_format_and_parse_round_trip(county: str, year: int, sequence: int) -> None:
    assert parse_case_number(format_case_number(county, year, sequence)) == (
        county,
        year,
        sequence,
    )


def test_tracking_alphabet_has_no_look_alikes() -> None:
    assert not set(LOOK_ALIKES) & set(TRACKING_ALPHABET)
    assert len(set(TRACKING_ALPHABET)) == len(TRACKING_ALPHABET), "duplicate characters"


def test_tracking_code_space_is_unguessable() -> None:
    # At least ~10^17 codes, so guessing at any rate limit a server allows is hopeless.
    assert TRACKING_LENGTH >= 12
    assert len(TRACKING_ALPHABET) ** TRACKING_LENGTH > 10**17


def test_tracking_codes_use_the_alphabet_and_length() -> None:
    for _ in range(1000):
        code = new_tracking_code()
        assert len(code) == TRACKING_LENGTH
        assert set(code) <= set(TRACKING_ALPHABET), code


def test_tracking_codes_are_unique_and_spread_over_the_alphabet() -> None:
    draws = 20_000
    codes = [new_tracking_code() for _ in range(draws)]
    # 20 000 draws from ~7.9e17 codes: a collision would mean a broken random source.
    assert len(set(codes)) == draws
    # Every character turns up (each is expected ~7 700 times): no constant or stuck positions.
    assert set("".join(codes)) == set(TRACKING_ALPHABET)
    for position in range(TRACKING_LENGTH):
        assert len({code[position] for code in codes}) == len(TRACKING_ALPHABET)


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        pytest.param("ABCD2345EFGH", "ABCD2345EFGH", id="canonical"),
        pytest.param("abcd2345efgh", "ABCD2345EFGH", id="lower-case"),
        pytest.param("ABCD-2345-EFGH", "ABCD2345EFGH", id="dashes"),
        pytest.param(" abcd 2345\tefgh\n", "ABCD2345EFGH", id="blanks"),
        pytest.param("aBcD - 2345 - eFgH", "ABCD2345EFGH", id="mixed"),
    ],
)
def test_normalize_tracking_code(typed: str, canonical: str) -> None:
    assert normalize_tracking_code(typed) == canonical


def test_hash_tracking_code_is_sha256_of_the_canonical_form() -> None:
    code = "ABCD2345EFGH"
    digest = hash_tracking_code(code)
    assert digest == hashlib.sha256(code.encode()).hexdigest()
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    # Only the hash is stored: it must not contain the code itself.
    assert code not in digest.upper()


def test_hash_ignores_how_the_resident_typed_the_code() -> None:
    assert (
        hash_tracking_code("abcd-2345 efgh")
        == hash_tracking_code("ABCD2345EFGH")
        == hash_tracking_code(" ABCD 2345 EFGH ")
    )


def test_different_codes_hash_differently() -> None:
    codes = {new_tracking_code() for _ in range(500)}
    assert len({hash_tracking_code(c) for c in codes}) == len(codes)
