"""A page of cases reads its events as plain rows, not ORM instances
(persistence/read_rows.py), and every field of an event answers from such a row exactly as
from the ORM instance `node(id:)` loads."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from tests.support.demo import LEADER
from tests.support.driver import Api
from yidi.persistence import models

EVENT = """id type at cursor note case { id } actor { username } owner { username }
  mediation { __typename } extension { __typename } pause { __typename }
  summons { __typename } attachment { __typename } fromUnit { name } toUnit { name }"""
PAGE = (
    "{ cases(first: 40) { edges { node { events(first: 20) { edges { node { "
    + EVENT
    + " } } } } } } }"
)
ALONE = f"query($id: ID!) {{ node(id: $id) {{ ... on CaseEvent {{ {EVENT} }} }} }}"


@contextmanager
def orm_events_loaded() -> Iterator[list[int]]:
    """The ids of the CaseEvent ORM instances loaded while the block runs."""
    loaded: list[int] = []

    def count(target: models.CaseEvent, _context: Any) -> None:
        loaded.append(target.id)

    event.listen(models.CaseEvent, "load", count)
    try:
        yield loaded
    finally:
        event.remove(models.CaseEvent, "load", count)


async def test_a_page_reads_its_events_as_plain_rows_that_answer_as_the_orm_does(
    api: Api,
) -> None:
    await api.token(LEADER)
    with orm_events_loaded() as loaded:
        data = await api.ok(PAGE, user=LEADER)
    events = [e["node"] for c in data["cases"]["edges"] for e in c["node"]["events"]["edges"]]
    assert len(events) >= 50
    assert loaded == []
    # The page must hold events whose fields read the row's columns and its data.
    assert any(e["actor"] for e in events)
    assert any(e["toUnit"] for e in events)
    assert len({e["type"] for e in events}) >= 5, {e["type"] for e in events}
    for one in events:
        with orm_events_loaded() as loaded:
            alone = await api.ok(ALONE, {"id": one["id"]}, user=LEADER)
        assert loaded, "node(id:) loads its event through the ORM"
        assert alone["node"] == one
