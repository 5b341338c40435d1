"""Repeat petitions' pure rules (yidi/domain/repeats.py): reporter keys and scores."""

from yidi.domain.repeats import Evidence, id_number_key, normalized_phone, phone_key

SECRET = "x" * 32


def test_one_phone_written_many_ways_has_one_key() -> None:
    assert normalized_phone("+86 138-0000-2222") == "13800002222"
    keys = {phone_key(SECRET, 1, p) for p in ("13800002222", "138 0000 2222", "+8613800002222")}
    assert len(keys) == 1


def test_keys_differ_by_county_and_secret_and_hide_the_number() -> None:
    key = phone_key(SECRET, 1, "13800002222")
    assert key is not None
    assert "13800002222" not in key
    assert key != phone_key(SECRET, 2, "13800002222")
    assert key != phone_key("y" * 32, 1, "13800002222")
    # A phone and an ID number never share a key, even with the same characters.
    assert id_number_key(SECRET, 1, "13800002222") != key
    assert phone_key(SECRET, 1, None) is None
    assert phone_key(SECRET, 1, "") is None


def test_reasons_combine_as_independent_evidence() -> None:
    assert Evidence(False, True, 0.0).score == 0.8
    assert Evidence(True, False, 0.0).score == 0.9
    assert Evidence(True, True, 0.0).score == 0.98
    assert Evidence(False, True, 0.5).score == 0.9
    assert Evidence(False, False, 0.6).score == 0.6
    assert Evidence(True, True, 0.5).reasons == [
        "SAME_ID_NUMBER",
        "SAME_PHONE",
        "SIMILAR_TEXT_AT_SAME_PLACE",
    ]
