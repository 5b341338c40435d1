"""Policy → list scope: which cases a list may show, in the policy's own words.

For each relation and risk level, Casbin is asked exactly the question it is asked for a
single case. The answer is a `CaseScope`: the (relation, risks) pairs the actor's rules
allow. A case is in the scope iff some allowed pair holds for it, which is what
`guard.allows` checks for one case. The repository turns the pairs into SQL
(`persistence/scope.py`); authz itself never writes SQL.
"""

from dataclasses import dataclass

from yidi.authz.actor import Actor
from yidi.authz.enforcer import CountyEnforcer
from yidi.authz.vocabulary import RISKS, Relation


@dataclass(frozen=True)
class Grant:
    """Cases standing in `relation` to the actor's unit, at one of `risks`."""

    relation: Relation
    risks: tuple[str, ...]

    @property
    def any_risk(self) -> bool:
        return len(self.risks) == len(RISKS)


@dataclass(frozen=True)
class CaseScope:
    county_id: int
    unit_id: int
    # The actor's unit is the county itself (the root of the tree).
    at_root: bool
    grants: tuple[Grant, ...]


def allowed_risks(
    enforcer: CountyEnforcer, actor: Actor, relation: Relation, action: str
) -> tuple[str, ...]:
    return tuple(
        risk
        for risk in RISKS
        if any(enforcer.allows(role, actor.level, relation, action, risk) for role in actor.roles)
    )


def case_scope(enforcer: CountyEnforcer, actor: Actor, action: str) -> CaseScope:
    """The cases on which `actor` may perform `action` as far as policy goes."""
    grants = []
    for relation in Relation:
        if relation is Relation.NONE:
            continue
        risks = allowed_risks(enforcer, actor, relation, action)
        if risks:
            grants.append(Grant(relation, risks))
    return CaseScope(actor.county_id, actor.unit_id, len(actor.unit_path) == 1, tuple(grants))
