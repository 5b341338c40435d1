"""A policy's list scope (authz/scope.py) as one SQL predicate on the case's own columns,
or on the rows of `case_reach` for counting.

Each relation is one indexed predicate on the denormalised paths of the case, so a list
filtered by policy never joins the org tree. `case_reach` holds the same relations as
flags, one row per (unit, case), so a count of the scope reads one index range.
"""

import functools

from sqlalchemy import ColumnElement, and_, false, or_, true

from yidi.authz.scope import CaseScope, Grant
from yidi.authz.vocabulary import Relation
from yidi.persistence.models import Case, case_reach


def _relation(relation: Relation, unit_id: int, at_root: bool) -> ColumnElement[bool]:
    if relation is Relation.INVOLVED and at_root:
        # Every case's location lies in its county, so the county unit is involved in all of
        # them: the county filter alone says it, and lets PostgreSQL count from an index.
        return true()
    match relation:
        case Relation.SAME:
            return Case.handling_unit_id == unit_id
        case Relation.ANCESTOR:
            return and_(Case.handling_path.contains([unit_id]), Case.handling_unit_id != unit_id)
        case Relation.INVOLVED:
            return Case.involved_path.contains([unit_id])
        case Relation.INTAKE:
            return Case.intake_unit_id == unit_id
        case Relation.NONE:
            return false()


def _grant(grant: Grant, scope: CaseScope) -> ColumnElement[bool]:
    predicate = _relation(grant.relation, scope.unit_id, scope.at_root)
    if grant.any_risk:
        return predicate
    return and_(predicate, Case.risk_level.in_(grant.risks))


# Both clauses are built once per scope and shared: SQL expressions are immutable, and
# building one (a few predicates per grant) was a few percent of a page of cases
# (docs/BENCHMARKS.md). A scope is a county, a unit and the policy's grants.
@functools.lru_cache(maxsize=4096)
def scope_clause(scope: CaseScope) -> ColumnElement[bool]:
    """True for exactly the cases some grant of the scope covers."""
    if not scope.grants:
        return false()
    return and_(Case.county_id == scope.county_id, or_(*(_grant(g, scope) for g in scope.grants)))


def covers_county(scope: CaseScope) -> bool:
    """Every case of the county is in the scope (a county-level unit that sees all it is
    involved in, which is every case of the county, at every risk)."""
    return scope.at_root and any(
        g.relation is Relation.INVOLVED and g.any_risk for g in scope.grants
    )


_REACH_FLAGS = {
    Relation.SAME: case_reach.c.handles,
    Relation.ANCESTOR: case_reach.c.above,
    Relation.INVOLVED: case_reach.c.involved,
    Relation.INTAKE: case_reach.c.intake,
}


@functools.lru_cache(maxsize=4096)
def reach_clause(scope: CaseScope) -> ColumnElement[bool]:
    """`scope_clause` over `case_reach`: true for the rows of the actor's unit whose case the
    scope covers (at the county, INVOLVED holds for every case of the county)."""
    grants: list[ColumnElement[bool]] = []
    for grant in scope.grants:
        flag = _REACH_FLAGS.get(grant.relation)
        if flag is None:
            continue
        grants.append(
            flag if grant.any_risk else and_(flag, case_reach.c.risk_level.in_(grant.risks))
        )
    if not grants:
        return false()
    return and_(case_reach.c.unit_id == scope.unit_id, or_(*grants))
