"""The synthetic history generator, without a database: reproducible for a seed, and its
fast formatting equal to the application's own."""

import random
from datetime import UTC, datetime

from yidi.deadlines.calendar_data import bundled_calendar
from yidi.synthetic import history
from yidi.synthetic.history import County, Place, Plan, Township


def _place(i: int, path: list[int], level: str, area: bool = True) -> Place:
    depth = {"COUNTY": 0, "TOWNSHIP": 1, "VILLAGE": 2}[level]
    return Place(i, tuple(path), depth, 1000 + i, 2000 + i, path[-2] if len(path) > 1 else None,
                 level, area)  # fmt: skip


def _plan(seed: int) -> Plan:
    township = _place(2, [1, 2], "TOWNSHIP")
    villages = [_place(3, [1, 2, 3], "VILLAGE"), _place(4, [1, 2, 4], "VILLAGE")]
    county = County(
        "990300",
        _place(1, [1], "COUNTY"),
        [Township(township, villages, _place(5, [1, 2, 5], "TOWNSHIP", area=False))],
        [_place(6, [1, 6], "COUNTY", area=False)],
        [(1, "DISPUTE.NEIGHBOR", 10), (2, "PETITION", 60)],
    )
    now = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
    return Plan(county, 900, 2, seed, now, 1, 1, bundled_calendar(), batch=400)


def _all_lines(plan: Plan) -> list[str]:
    return [line for b in history.generate(plan) for line in (*b.cases, *b.events)]


def test_the_same_seed_gives_the_same_rows_and_another_seed_others() -> None:
    assert _all_lines(_plan(3)) == _all_lines(_plan(3))
    assert _all_lines(_plan(3)) != _all_lines(_plan(4))


def test_counting_a_chunk_agrees_with_writing_it() -> None:
    plan = _plan(5)
    chunks, sequences = history.chunks(plan)
    assert [len(c.times) for c in chunks] == [400, 400, 100]
    assert sum(sequences.values()) == plan.cases
    position = 1
    for chunk in chunks:
        batch = history.write(plan, chunk, position, position)
        assert batch.last_position - position + 1 == history.count_events(plan, chunk)
        position = batch.last_position + 1


def test_fast_timestamps_match_isoformat() -> None:
    rng = random.Random(1)
    for seconds in [
        0,
        1_700_000_000,
        *(rng.randrange(1_600_000_000, 1_900_000_000) for _ in range(2000)),
    ]:
        expected = datetime.fromtimestamp(seconds, UTC).isoformat(timespec="microseconds")
        assert history._iso(seconds) == expected
