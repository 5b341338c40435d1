"""A policy's list scope (authz/scope.py) as one SQL predicate on the case's own columns.

Each relation is one indexed predicate on the denormalised paths of the case, so a list
filtered by policy never joins the org tree.
"""

from sqlalchemy import ColumnElement, and_, false, or_, true

from yidi.authz.scope import CaseScope, Grant
from yidi.authz.vocabulary import Relation
from yidi.persistence.models import Case


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


def scope_clause(scope: CaseScope) -> ColumnElement[bool]:
    """True for exactly the cases some grant of the scope covers."""
    if not scope.grants:
        return false()
    return and_(Case.county_id == scope.county_id, or_(*(_grant(g, scope) for g in scope.grants)))
