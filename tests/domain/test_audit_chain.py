"""The hash chain's rules, without a database: what a link covers and what breaks it."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

from yidi.domain.audit_chain import GENESIS, EventContent, link, verify_case

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
