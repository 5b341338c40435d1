"""The hash chain's rules, without a database: what a link covers and what breaks it."""

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from yidi.domain.audit_chain import (
    GENESIS,
    EventContent,
    canonical,
    canonical_around_position,
    link,
    verify_case,
)

FIRST = EventContent(
    county_id=1,
    case_id=7,
    position=10,
    type="REGISTERED",
    at=datetime(2026, 11, 20, 2, 0, tzinfo=UTC),
    actor_id=3,
    from_unit_id=None,
    to_unit_id=None,
    note="登记",
    data={"channel": "VISIT", "n": 1},
)
SECOND = replace(FIRST, position=12, type="COMMENTED", note="请核实", data=None)


def chained(*contents: EventContent) -> list[tuple[EventContent, bytes]]:
    previous, linked = GENESIS, []
    for content in contents:
        previous = link(previous, content)
        linked.append((content, previous))
    return linked


def test_an_intact_trail_verifies() -> None:
    trail = chained(FIRST, SECOND)
    assert verify_case(7, trail, trail[-1][1]) is None


def test_the_same_instant_in_another_zone_is_the_same_content() -> None:
    shanghai = FIRST.at.astimezone(timezone(timedelta(hours=8)))
    assert link(GENESIS, FIRST) == link(GENESIS, replace(FIRST, at=shanghai))


def test_every_field_is_covered() -> None:
    changes = {
        "county_id": 2,
        "case_id": 8,
        "position": 11,
        "type": "CLOSED",
        "at": FIRST.at + timedelta(microseconds=1),
        "actor_id": None,
        "from_unit_id": 5,
        "to_unit_id": 6,
        "note": "登记。",
        "data": {"channel": "PHONE", "n": 1},
    }
    for field, value in changes.items():
        assert link(GENESIS, replace(FIRST, **{field: value})) != link(GENESIS, FIRST), field


def test_an_edited_removed_or_inserted_event_breaks_the_chain() -> None:
    trail = chained(FIRST, SECOND)
    head = trail[-1][1]
    edited = [trail[0], (replace(SECOND, note="改过"), trail[1][1])]
    assert verify_case(7, edited, head).position == 12  # type: ignore[union-attr]
    removed_first = [trail[1]]
    assert verify_case(7, removed_first, head).position == 12  # type: ignore[union-attr]
    removed_last = [trail[0]]
    broken = verify_case(7, removed_last, head)
    assert broken is not None
    assert broken.position is None
    forged = chained(FIRST, replace(SECOND, position=11), SECOND)
    assert verify_case(7, [trail[0], forged[1], trail[1]], head) is not None


# What version 1 of the format is, written as the whole object once: the key-by-key
# rendering the event writer uses must give exactly these bytes for any content.
def whole_object(content: EventContent) -> bytes:
    fields = {
        "v": 1,
        "county": content.county_id,
        "case": content.case_id,
        "position": content.position,
        "type": content.type,
        "at": content.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": content.actor_id,
        "from": content.from_unit_id,
        "to": content.to_unit_id,
        "note": content.note,
        "data": content.data,
    }
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def test_the_known_bytes_of_version_one() -> None:
    assert (
        canonical(FIRST)
        == (
            '{"actor":3,"at":"2026-11-20T02:00:00.000000+00:00","case":7,"county":1,'
            '"data":{"channel":"VISIT","n":1},"from":null,"note":"登记","position":10,'
            '"to":null,"type":"REGISTERED","v":1}'
        ).encode()
    )


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)
CONTENTS = st.builds(
    EventContent,
    county_id=st.integers(1, 2**40),
    case_id=st.integers(1, 2**62),
    position=st.integers(1, 2**62),
    type=st.sampled_from(["REGISTERED", "COMMENTED", "DISPATCHED"]),
    at=st.datetimes(timezones=st.just(UTC)),
    actor_id=st.none() | st.integers(1, 2**40),
    from_unit_id=st.none() | st.integers(1, 2**40),
    to_unit_id=st.none() | st.integers(1, 2**40),
    # Quotes, backslashes, control characters and non-BMP text must render as one object does.
    note=st.none() | st.text(),
    data=st.none() | st.dictionaries(st.text(), JSON, max_size=4),
)


@given(CONTENTS)
def test_rendered_around_the_position_is_the_whole_object(content: EventContent) -> None:
    before, after = canonical_around_position(content)
    assert before + str(content.position).encode() + after == whole_object(content)
    assert canonical(content) == whole_object(content)
