"""The single place that answers "may this actor do this?" (polar's authz pattern)."""

from yidi.authz.actor import Actor, CaseFacts, relations
from yidi.authz.enforcer import CountyEnforcer
from yidi.authz.vocabulary import RISKS, Permission, Relation
from yidi.domain.enums import CaseAction
from yidi.domain.errors import Forbidden, NotFound

CASE_ACTIONS = tuple(a.value for a in CaseAction)


def allows(enforcer: CountyEnforcer, actor: Actor, action: str, case: CaseFacts) -> bool:
    rels = relations(actor, case)
    return enforcer.allows_any(actor.roles, actor.level, rels, action, case.risk_level)


def can_view(enforcer: CountyEnforcer, actor: Actor, case: CaseFacts) -> bool:
    return allows(enforcer, actor, CaseAction.VIEW, case)


def require(enforcer: CountyEnforcer, actor: Actor, action: str, case: CaseFacts) -> None:
    """NOT_FOUND when the case is not visible (never reveal it exists), else FORBIDDEN."""
    if not can_view(enforcer, actor, case):
        raise NotFound("No such case.")
    if not allows(enforcer, actor, action, case):
        raise Forbidden(f"You may not {action.lower().replace('_', ' ')} this case.")


def policy_actions(enforcer: CountyEnforcer, actor: Actor, case: CaseFacts) -> frozenset[str]:
    """Case actions the policy alone grants the actor on this case."""
    rels = relations(actor, case)
    return enforcer.granted(actor.roles, actor.level, rels, case.risk_level, CASE_ACTIONS)


def may_register(
    enforcer: CountyEnforcer, actor: Actor, location_path: list[int], risk: str
) -> bool:
    """REGISTER: a role the policy allows, for a location inside the actor's subtree."""
    if actor.unit_id not in location_path:
        return False
    return any(
        enforcer.allows(role, actor.level, Relation.NONE, Permission.REGISTER, risk)
        for role in actor.roles
    )


def may_see_personal_data(enforcer: CountyEnforcer, actor: Actor, case: CaseFacts) -> bool:
    return allows(enforcer, actor, Permission.VIEW_PERSONAL_DATA, case)


def require_evidence(enforcer: CountyEnforcer, actor: Actor, case: CaseFacts) -> None:
    """Downloading an attachment's bytes: NOT_FOUND unless the case is visible, FORBIDDEN
    unless its personal data is too — a scanned agreement or ID card says as much about the
    parties as the transcript the API withholds from those readers (docs/CASE_FILE.md)."""
    if not can_view(enforcer, actor, case):
        raise NotFound("No such case.")
    if not may_see_personal_data(enforcer, actor, case):
        raise Forbidden("You may not read the evidence of this case.")


def has_dispatch_target(actor: Actor, handling_unit_id: int) -> bool:
    """Some unit in the actor's subtree other than the current handling unit exists."""
    return actor.has_subunits or actor.unit_id != handling_unit_id


def may_end_ownership(actor: Actor, owner_id: int, owner_unit_path: tuple[int, ...]) -> bool:
    """Structural rule of RELEASE_OWNERSHIP (领导包案): the owner, or someone whose unit lies
    above the owner's unit; never a peer or someone below."""
    return actor.user_id == owner_id or actor.unit_id in owner_unit_path[:-1]


def may_decide_extension(actor: Actor, requested_by_id: int) -> bool:
    """Structural rule of DECIDE_EXTENSION (延期): nobody approves their own request."""
    return actor.user_id != requested_by_id


def may_answer_summons(actor: Actor, summoned_unit_ids: list[int] | tuple[int, ...]) -> bool:
    """Structural rule of REPORT_IN and CONTRIBUTE (吹哨报到): only a unit that was
    summoned answers, not the units above it that the policy's INVOLVED also covers."""
    return actor.unit_id in summoned_unit_ids


def target_in_subtree(actor: Actor, target_path: list[int] | tuple[int, ...]) -> bool:
    """Structural rule: DISPATCH and REASSIGN targets lie in the actor's own subtree."""
    return actor.unit_id in target_path


def may_follow_unit(actor: Actor, unit_path: list[int] | tuple[int, ...]) -> bool:
    """Live updates of a unit's cases: the actor's own unit and the units below it."""
    return actor.unit_id in unit_path


def may_manage_policy(enforcer: CountyEnforcer, actor: Actor) -> bool:
    """Reading and replacing the county's own rules (its ADMIN by default)."""
    return any(
        enforcer.allows(role, actor.level, Relation.NONE, Permission.MANAGE_POLICY, "*")
        for role in actor.roles
    )


def may_manage_hotline(enforcer: CountyEnforcer, actor: Actor) -> bool:
    """The county's 12345 hotline bridge (its ADMIN by default)."""
    return any(
        enforcer.allows(role, actor.level, Relation.NONE, Permission.MANAGE_HOTLINE, "*")
        for role in actor.roles
    )


def may_import_ledger(enforcer: CountyEnforcer, actor: Actor) -> bool:
    """Importing a 民声登记簿 into the actor's county (its ADMIN by default)."""
    return any(
        enforcer.allows(role, actor.level, Relation.NONE, Permission.IMPORT_LEDGER, "*")
        for role in actor.roles
    )


def may_manage_responsibilities(enforcer: CountyEnforcer, actor: Actor) -> bool:
    """Reading and replacing the county's responsibility list and intake settings."""
    return any(
        enforcer.allows(role, actor.level, Relation.NONE, Permission.MANAGE_RESPONSIBILITIES, "*")
        for role in actor.roles
    )


def may_submit_visit_report(enforcer: CountyEnforcer, actor: Actor) -> bool:
    """Sending in a visit report sheet (民意报告单); each case on it is also a REGISTER."""
    return any(
        enforcer.allows(role, actor.level, Relation.NONE, Permission.SUBMIT_VISIT_REPORT, "*")
        for role in actor.roles
    )


def may_see_org_object(actor: Actor, county_id: int) -> bool:
    """Units, users and categories: staff see their own county's; other counties do not
    exist for them (nothing crosses counties)."""
    return county_id == actor.county_id


def require_stats(
    enforcer: CountyEnforcer, actor: Actor, county_id: int | None, unit_path: list[int] | None
) -> None:
    """VIEW_STATS on a unit: NOT_FOUND for no such unit or one of another county; FORBIDDEN
    outside the actor's subtree or where the policy denies it. Figures count cases of every
    risk, so a rule must allow every risk level (a rule limited to some risks is no grant)."""
    if county_id is None or unit_path is None or county_id != actor.county_id:
        raise NotFound("No such unit.")
    if actor.unit_id not in unit_path:
        raise Forbidden("You may view the figures of your own unit and the units below it.")
    relation = Relation.SAME if unit_path[-1] == actor.unit_id else Relation.ANCESTOR
    if not any(
        all(
            enforcer.allows(role, actor.level, relation, Permission.VIEW_STATS, risk)
            for risk in RISKS
        )
        for role in actor.roles
    ):
        raise Forbidden("You may not view these figures.")
