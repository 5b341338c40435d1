"""Policy → SQL: the `cases` list filter derived from the same rules `enforce` applies.

For each relation and risk level, Casbin is asked exactly the question it is asked
for a single case; the relations it allows become indexed predicates on the case's
denormalised paths. A case is in the scope iff some allowed (relation, risk) pair
holds for it, which is what `Authorizer.allows` checks for one case.
"""

from sqlalchemy import ColumnElement, and_, false, or_, true

from yidi.authz.actor import Actor
from yidi.authz.enforcer import CountyEnforcer
from yidi.authz.vocabulary import RISKS, Relation
from yidi.persistence.models import Case


def relation_predicate(relation: Relation, unit_id: int, is_root: bool) -> ColumnElement[bool]:
    if relation is Relation.INVOLVED and is_root:
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


def allowed_risks(
    enforcer: CountyEnforcer, actor: Actor, relation: Relation, action: str
) -> list[str]:
    return [
        risk
        for risk in RISKS
        if any(enforcer.allows(role, actor.level, relation, action, risk) for role in actor.roles)
    ]


def case_scope(enforcer: CountyEnforcer, actor: Actor, action: str) -> ColumnElement[bool]:
    """The cases on which `actor` may perform `action` as far as policy goes, in SQL."""
    clauses: list[ColumnElement[bool]] = []
    for relation in Relation:
        if relation is Relation.NONE:
            continue
        risks = allowed_risks(enforcer, actor, relation, action)
        if not risks:
            continue
        predicate = relation_predicate(relation, actor.unit_id, len(actor.unit_path) == 1)
        if len(risks) < len(RISKS):
            predicate = and_(predicate, Case.risk_level.in_(risks))
        clauses.append(predicate)
    if not clauses:
        return false()
    return and_(Case.county_id == actor.county_id, or_(*clauses))
