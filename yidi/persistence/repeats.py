"""Repeat petition candidates (docs/INTAKE.md): one statement for a batch of cases.

Candidates are cases of the same county, open or registered since the window's start, not
merged away, that share a reporter key with the case, or lie at the same location with a
title or description at least `threshold` similar (pg_trgm). The caller's list scope (the
same predicate the `cases` list uses) filters the candidates, so no invisible case is ever
shown.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, literal, or_, select
from sqlalchemy import case as when
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from yidi.authz.scope import CaseScope
from yidi.domain.enums import OPEN_STATUSES, CaseStatus
from yidi.persistence.models import Case
from yidi.persistence.scope import scope_clause


@dataclass(frozen=True)
class RepeatQuery:
    scope: CaseScope
    since: datetime
    threshold: float


@dataclass(frozen=True)
class Candidate:
    case: Case
    same_id_number: bool
    same_phone: bool
    text_similarity: float


async def candidates_of(
    session: AsyncSession, case_ids: Sequence[int], query: RepeatQuery
) -> dict[int, list[Candidate]]:
    src = aliased(Case)
    same_phone = and_(
        src.reporter_phone_key.is_not(None), Case.reporter_phone_key == src.reporter_phone_key
    )
    same_id = and_(src.reporter_id_key.is_not(None), Case.reporter_id_key == src.reporter_id_key)
    same_place = Case.location_unit_id == src.location_unit_id
    similarity = func.greatest(
        func.similarity(Case.title, src.title), func.similarity(Case.description, src.description)
    )
    similar_here = and_(same_place, similarity >= query.threshold)
    stmt = (
        select(
            src.id,
            Case,
            same_id,
            same_phone,
            when((similar_here, similarity), else_=literal(0.0)),
        )
        .join(Case, and_(Case.county_id == src.county_id, Case.id != src.id))
        .where(
            src.id.in_(case_ids),
            or_(
                Case.status.in_([s.value for s in OPEN_STATUSES]),
                Case.registered_at >= query.since,
            ),
            Case.status != CaseStatus.MERGED.value,
            or_(same_phone, same_id, similar_here),
            scope_clause(query.scope),
        )
    )
    found: dict[int, list[Candidate]] = {i: [] for i in case_ids}
    for source_id, case, by_id, by_phone, text in await session.execute(stmt):
        found[source_id].append(Candidate(case, bool(by_id), bool(by_phone), float(text)))
    return found


async def repeat_count(
    session: AsyncSession, unit_id: int, since: datetime | None, until: datetime | None
) -> int:
    """Confirmed repeats located in the unit's subtree, registered in [since, until)."""
    conditions = [
        Case.location_path.contains([unit_id]),
        Case.is_repeat.is_(True),
        Case.status != CaseStatus.MERGED.value,
    ]
    if since is not None:
        conditions.append(Case.registered_at >= since)
    if until is not None:
        conditions.append(Case.registered_at < until)
    return int(await session.scalar(select(func.count()).select_from(Case).where(*conditions)) or 0)
