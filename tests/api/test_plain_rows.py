"""A page of cases reads its events as plain rows, not ORM instances
(persistence/read_rows.py), and every field of an event answers from such a row exactly as
from the ORM instance `node(id:)` loads."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event

from tests.support.demo import LEADER, V11
from tests.support.driver import Api
from yidi.persistence import models
from yidi.services import reading

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


CASE = """id number title description channel status riskLevel track partiesCount address
  registeredAt dueAt acceptedAt resolvedAt closedAt supervisionCount escalationCount version
  category { name } reporter { name phone idNumber anonymous } locationUnit { name }
  intakeUnit { name } handlingUnit { name } assignee { username } owner { username }
  ownedSince externalNumber coHandlingUnits { name } isOverdue
  resolution { outcome summary resolvedAt resolvedBy { username } resolvedByUnit { name } }
  evaluation { satisfaction comment evaluatedAt } followUps { note }
  mediations { __typename } extensions { __typename } pauses { __typename }
  summons { __typename } attachments { __typename } canAttachEvidence canReadEvidence
  closure { __typename } pausedSince mergedInto { id } events(first: 2) { totalCount }
  dispatchSuggestions { __typename } possibleDuplicates { __typename } isRepeat
  allowedActions"""
CASE_PAGE = "{ cases(first: 60) { edges { node { " + CASE + " } } } }"
BENCH_PAGE = """{ cases(first: 60) { edges { node { id number title status
  handlingUnit { name } locationUnit { name } category { name } assignee { username }
  reporter { phone } allowedActions events(first: 3) { totalCount edges { node { type } } }
  } } } }"""
CASE_ALONE = f"query($id: ID!) {{ node(id: $id) {{ ... on Case {{ {CASE} }} }} }}"


@contextmanager
def orm_cases_loaded() -> Iterator[list[int]]:
    """The ids of the Case ORM instances loaded while the block runs."""
    loaded: list[int] = []

    def count(target: models.Case, _context: Any) -> None:
        loaded.append(target.id)

    event.listen(models.Case, "load", count)
    try:
        yield loaded
    finally:
        event.remove(models.Case, "load", count)


async def test_a_page_reads_its_cases_as_plain_rows_that_answer_as_the_orm_does(
    api: Api,
) -> None:
    """Every field of a case answers from the page's plain row (persistence/read_rows.py)
    exactly as from the ORM case `node(id:)` loads, for the county's leader and a village's
    handler."""
    for user in (LEADER, V11):
        await api.token(user)
        with orm_cases_loaded() as loaded:
            data = await api.ok(CASE_PAGE, user=user)
            cases = [edge["node"] for edge in data["cases"]["edges"]]
            assert len(cases) >= 5
            # possibleDuplicates and mergedInto load the cases they name through the ORM.
            assert loaded
            loaded.clear()
            bench = await api.ok(BENCH_PAGE, user=user)
        assert loaded == []  # the page's own cases came as plain rows
        assert [edge["node"]["id"] for edge in bench["cases"]["edges"]] == [c["id"] for c in cases]
        # The page must hold cases whose fields read many of the row's columns.
        assert len({c["status"] for c in cases}) >= 3, {c["status"] for c in cases}
        assert any(c["resolution"] for c in cases)
        assert any(c["assignee"] for c in cases)
        assert any(c["allowedActions"] for c in cases)
        for one in cases:
            with orm_cases_loaded() as loaded:
                alone = await api.ok(CASE_ALONE, {"id": one["id"]}, user=user)
            assert loaded, "node(id:) loads its case through the ORM"
            assert alone["node"] == one


async def test_a_page_builds_each_cases_authorization_facts_once(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """allowedActions and the reporter read the same facts of a page's case: built once."""
    built: list[int] = []
    real = reading.authz_facts

    def counting(case: Any) -> Any:
        built.append(case.id)
        return real(case)

    monkeypatch.setattr(reading, "authz_facts", counting)
    await api.token(LEADER)
    built.clear()
    data = await api.ok(
        "{ cases(first: 30) { edges { node { id allowedActions reporter { phone } } } } }",
        user=LEADER,
    )
    cases = data["cases"]["edges"]
    assert len(cases) >= 5
    assert any(edge["node"]["allowedActions"] for edge in cases)
    assert sorted(built) == sorted(set(built))  # none twice
    assert len(built) == len(cases)
