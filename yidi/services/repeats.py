"""Use cases of repeat petitions (重复信访, docs/INTAKE.md): candidates for a case, the
confirmation that a case repeats an earlier one, and the count of confirmed repeats."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from yidi.authz import guard
from yidi.authz.actor import Actor
from yidi.authz.enforcer import CountyEnforcer
from yidi.authz.scope import case_scope
from yidi.authz.vocabulary import Permission
from yidi.domain.enums import CaseAction, CaseEventType
from yidi.domain.errors import BadInput, Conflict, NotFound
from yidi.domain.intake_settings import IntakeSettings
from yidi.domain.notes import optional_text
from yidi.domain.repeats import MAX_CANDIDATES, Evidence
from yidi.persistence import repeats as store
from yidi.persistence.cases import case_for_update, cases_by_ids
from yidi.persistence.models import Case
from yidi.persistence.repeats import Candidate as Candidate
from yidi.persistence.repeats import RepeatQuery as RepeatQuery
from yidi.persistence.session import Session
from yidi.persistence.units import units_by_ids
from yidi.services.case_facts import authz_facts
from yidi.services.events import record
from yidi.services.reading import visible
from yidi.services.unit_of_work import Work

REPEAT_NOTE = "确认为重复信访"
NOT_REPEAT_NOTE = "撤销重复信访认定"


@dataclass(frozen=True)
class Duplicate:
    case: Case
    score: float
    reasons: list[str]


def query_for(
    enforcer: CountyEnforcer, actor: Actor, settings: IntakeSettings, now: datetime
) -> RepeatQuery:
    """What the actor may be shown: cases they may VIEW (the `cases` list's own scope),
    open or registered within the county's window."""
    return RepeatQuery(
        scope=case_scope(enforcer, actor, CaseAction.VIEW),
        since=now - timedelta(days=settings.repeat_window_days),
        threshold=settings.repeat_similarity,
    )


async def candidates_of(
    session: Session, keys: Sequence[tuple[int, RepeatQuery]]
) -> dict[tuple[int, RepeatQuery], list[Candidate]]:
    """A DataLoader's batch: one statement per distinct query (one per request)."""
    found: dict[tuple[int, RepeatQuery], list[Candidate]] = {}
    for query in dict.fromkeys(q for _, q in keys):
        ids = [case_id for case_id, q in keys if q == query]
        for case_id, candidates in (await store.candidates_of(session, ids, query)).items():
            found[(case_id, query)] = candidates
    return found


def ranked(candidates: list[Candidate]) -> list[Duplicate]:
    """Best first (newest first among equals), at most MAX_CANDIDATES."""
    duplicates = []
    for c in candidates:
        evidence = Evidence(c.same_id_number, c.same_phone, c.text_similarity)
        duplicates.append(Duplicate(c.case, evidence.score, evidence.reasons))
    duplicates.sort(key=lambda d: (-d.score, -d.case.registered_at.timestamp(), -d.case.id))
    return duplicates[:MAX_CANDIDATES]


async def mark_repeat(
    work: Work,
    case_id: int,
    repeat: bool,
    of_case_id: int | None,
    note: str | None,
    expected_version: int | None,
) -> Case:
    """Confirm (or withdraw) that a case repeats an earlier petition, with its event. The
    earlier case, when named, must be one the actor may view; merging stays `mergeCase`."""
    actor, enforcer = work.staff()
    case = await case_for_update(work.session, case_id)
    if case is None or not guard.can_view(enforcer, actor, authz_facts(case)):
        raise NotFound("No such case.")
    if expected_version is not None and expected_version != case.version:
        raise Conflict(
            f"The case has changed (version {case.version}, expected {expected_version}); "
            "reload it and try again."
        )
    guard.require(enforcer, actor, Permission.MARK_REPEAT, authz_facts(case))
    data: dict[str, object] = {"repeat": repeat}
    if of_case_id is not None:
        if not repeat:
            raise BadInput("ofCaseId", "Name the earlier case only when confirming a repeat.")
        earlier = (await cases_by_ids(work.session, [of_case_id])).get(of_case_id)
        if earlier is None or visible(enforcer, actor, earlier) is None:
            raise BadInput("ofCaseId", "No such case.")
        if earlier.id == case.id:
            raise BadInput("ofCaseId", "A case does not repeat itself.")
        data["of"] = earlier.id
    if case.is_repeat == repeat:
        raise BadInput("repeat", "The case is already marked so.")
    case.is_repeat = repeat
    text = optional_text("note", note)
    await record(
        work,
        case,
        CaseEventType.REPEAT_MARKED,
        note=text or (REPEAT_NOTE if repeat else NOT_REPEAT_NOTE),
        data=data,
    )
    return case


async def repeat_count(
    session: Session,
    enforcer: CountyEnforcer,
    actor: Actor,
    unit_id: int,
    since: datetime | None,
    until: datetime | None,
) -> int:
    """Confirmed repeats located in a unit's subtree: who may see the unit's dashboards
    (VIEW_STATS) may see this figure."""
    unit = (await units_by_ids(session, [unit_id])).get(unit_id)
    guard.require_stats(
        enforcer,
        actor,
        unit.county_id if unit else None,
        list(unit.path) if unit else None,
    )
    return await store.repeat_count(session, unit_id, since, until)
