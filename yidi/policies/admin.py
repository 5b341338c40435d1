"""Use cases: a county admin reads and replaces the county's authorization policy."""

from dataclasses import dataclass

from yidi.authz import guard
from yidi.authz.actor import Actor
from yidi.authz.default_policy import DEFAULT_POLICY
from yidi.authz.enforcer import CountyEnforcer
from yidi.authz.rules import Rule, validate_rules
from yidi.domain.errors import BadInput, Conflict, Forbidden
from yidi.persistence.policies import load_rules, lock_revision, replace_rules
from yidi.persistence.session import Session
from yidi.services.unit_of_work import Work


@dataclass(frozen=True)
class CountyPolicy:
    county_id: int
    revision: int
    rules: list[Rule]


def _require_admin(enforcer: CountyEnforcer, actor: Actor) -> None:
    if not guard.may_manage_policy(enforcer, actor):
        raise Forbidden("Only the county's administrators manage its policy.")


def read_default_policy(enforcer: CountyEnforcer, actor: Actor) -> list[Rule]:
    """The policy every county starts with: for those who manage a policy, as the rest of
    the policy is (it maps out who may see what, which an attacker need not learn)."""
    _require_admin(enforcer, actor)
    return list(DEFAULT_POLICY)


async def read_policy(session: Session, enforcer: CountyEnforcer, actor: Actor) -> CountyPolicy:
    """A query: reads in the request's session and commits nothing."""
    _require_admin(enforcer, actor)
    revision, rules = await load_rules(session, actor.county_id)
    return CountyPolicy(actor.county_id, revision, rules)


async def replace_policy(
    work: Work, rules: list[Rule], expected_revision: int | None
) -> CountyPolicy:
    """Swap the whole rule set at once; an invalid rule rejects the set and changes nothing."""
    actor, enforcer = work.staff()
    _require_admin(enforcer, actor)
    valid = validate_rules(rules)
    # The admin saving the policy must still be able to manage it under the new rules,
    # or the county could lock itself out of its own policy.
    if not guard.may_manage_policy(CountyEnforcer(valid), actor):
        raise BadInput("rules", "The new policy must still let you manage the policy.")
    current = await lock_revision(work.session, actor.county_id)
    if expected_revision is not None and expected_revision != current:
        raise Conflict(f"The policy has changed (revision {current}); reload it and try again.")
    revision = await replace_rules(work.session, actor.county_id, valid)
    return CountyPolicy(actor.county_id, revision, valid)
