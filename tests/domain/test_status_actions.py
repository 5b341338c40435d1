"""`case_facts.status_actions` answers what the lifecycle's status rules answer for the
case's facts, for every status and every combination of the facts they read."""

import itertools
from datetime import UTC, datetime
from types import SimpleNamespace

from yidi.domain.enums import CaseStatus
from yidi.domain.lifecycle import actions_allowed_by_status
from yidi.services.case_facts import lifecycle_facts, status_actions

AT = datetime(2026, 1, 1, tzinfo=UTC)


def test_status_actions_are_the_status_rules_answer() -> None:
    answers = set()
    for status, flags in itertools.product(CaseStatus, itertools.product((False, True), repeat=6)):
        parent, evaluated, duplicates, owned, extension, paused = flags
        case = SimpleNamespace(
            status=status.value,
            handling_path=[1, 2] if parent else [1],
            evaluated_at=AT if evaluated else None,
            duplicates_count=2 if duplicates else 0,
            owner_id=7 if owned else None,
            extension_requested_by_id=8 if extension else None,
            paused_since=AT if paused else None,
        )
        expected = actions_allowed_by_status(lifecycle_facts(case))  # type: ignore[arg-type]
        assert status_actions(case) == expected  # type: ignore[arg-type]
        answers.add(expected)
    assert len(answers) > len(CaseStatus)  # the facts beyond the status change answers
