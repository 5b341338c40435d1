"""Use cases of the responsibility list (责任清单, docs/INTAKE.md): a county admin reads and
replaces it; staff see which units it suggests for a case; a county that turns automatic
routing on has new cases dispatched to the best suggestion at registration."""

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from yidi.authz import guard
from yidi.authz.actor import Actor
from yidi.authz.enforcer import CountyEnforcer
from yidi.authz.vocabulary import actor_level
from yidi.domain import commands as c
from yidi.domain import responsibility as rules
from yidi.domain.enums import CaseAction, UnitKind, UnitLevel
from yidi.domain.errors import Conflict
from yidi.domain.responsibility import Duty, Responsible, Rule, RuleInput
from yidi.persistence import responsibility as store
from yidi.persistence.models import Case, Category, Unit
from yidi.persistence.read_rows import CaseRow
from yidi.persistence.session import Session
from yidi.persistence.units import categories_by_ids, units_by_ids
from yidi.services.intake_settings import require_manager
from yidi.services.reading import allowed_actions
from yidi.services.transitions import transition
from yidi.services.unit_of_work import Work

# The note of a dispatch made by automatic routing (users read it in the timeline).
AUTO_ROUTED_NOTE = "按责任清单自动分派"

UnitsLoader = Callable[[Sequence[int]], Awaitable[Sequence[Unit | None]]]
CategoriesLoader = Callable[[Sequence[int]], Awaitable[Sequence[Category | None]]]


@dataclass(frozen=True)
class ResponsibilityList:
    county_id: int
    revision: int
    rules: list[Rule]


async def read_list(session: Session, enforcer: CountyEnforcer, actor: Actor) -> ResponsibilityList:
    """A query: reads in the request's session and commits nothing."""
    require_manager(enforcer, actor)
    revision, found = await store.load_list(session, actor.county_id)
    return ResponsibilityList(actor.county_id, revision, found)


async def replace_list(
    work: Work, inputs: list[RuleInput], expected_revision: int | None
) -> ResponsibilityList:
    """Swap the whole list at once; an invalid rule rejects the list and changes nothing."""
    actor, enforcer = work.staff()
    require_manager(enforcer, actor)
    categories, departments = await store.nameable(work.session, actor.county_id)
    valid = rules.validate(inputs, rules.Known(frozenset(categories), frozenset(departments)))
    current = await store.lock_revision(work.session, actor.county_id)
    if expected_revision is not None and expected_revision != current:
        raise Conflict(
            f"The responsibility list has changed (revision {current}); reload it and try again."
        )
    revision = await store.replace_list(work.session, actor.county_id, valid, actor.user_id)
    return ResponsibilityList(actor.county_id, revision, valid)


@dataclass(frozen=True)
class Suggestion:
    unit: Unit
    rule: str
    score: float
    # The rule behind it, for routing to pick a shared duty's partners.
    source: Rule


def _target_id(rule: Rule, case: CaseRow) -> int | None:
    match rule.responsible:
        case Responsible.DEPARTMENT:
            return rule.department_id
        case Responsible.LOCATION_TOWNSHIP:
            return case.location_township_id
        case Responsible.LOCATION_VILLAGE:
            return case.location_village_id


async def suggestions(
    enforcer: CountyEnforcer,
    actor: Actor,
    case: CaseRow,
    county_rules: list[Rule],
    units: UnitsLoader,
    categories: CategoriesLoader,
) -> list[Suggestion]:
    """Units the list names for the case, best first, among those the caller may send it
    to now: the policy and the status allow DISPATCH (a registered case) or REASSIGN (one
    already handed down, which its new holder passes on), and the unit lies in the
    caller's subtree and is not the handling unit (authz decides all of it)."""
    allowed = allowed_actions(enforcer, actor, case)
    if not county_rules or not {CaseAction.DISPATCH, CaseAction.REASSIGN} & set(allowed):
        return []
    holding, category = (
        (await units([case.handling_unit_id]))[0],
        (await categories([case.category_id]))[0],
    )
    if holding is None or category is None:
        return []
    level = actor_level(UnitKind(holding.kind), UnitLevel(holding.level))
    matches = rules.matching(county_rules, list(category.path), level)
    target_ids = [_target_id(m.rule, case) for m in matches]
    targets = await units([t for t in target_ids if t is not None])
    by_id = {u.id: u for u in targets if u is not None}
    named = await categories([m.rule.category_id for m in matches])
    codes = {cat.id: cat.code for cat in named if cat is not None}
    found: list[Suggestion] = []
    seen: set[int] = set()
    for match, target_id in zip(matches, target_ids, strict=True):
        unit = by_id.get(target_id) if target_id is not None else None
        if unit is None or unit.id in seen or unit.id == case.handling_unit_id:
            continue
        if not guard.target_in_subtree(actor, unit.path):
            continue
        seen.add(unit.id)
        department = by_id.get(match.rule.department_id) if match.rule.department_id else None
        text = match.rule.describe(
            codes.get(match.rule.category_id, "?"), department.code if department else None
        )
        found.append(Suggestion(unit, text, match.score, match.rule))
    return found


async def _load_units(session: Session, ids: Sequence[int]) -> list[Unit | None]:
    found = await units_by_ids(session, list(ids))
    return [found.get(i) for i in ids]


async def _load_categories(session: Session, ids: Sequence[int]) -> list[Category | None]:
    found = await categories_by_ids(session, list(ids))
    return [found.get(i) for i in ids]


async def suggestions_in(work: Work, case: Case) -> list[Suggestion]:
    """The suggestions for `case` as the work's actor sees them, read in its transaction."""
    actor, enforcer = work.staff()
    _, county_rules = await store.load_list(work.session, case.county_id)
    session = work.session

    async def units(ids: Sequence[int]) -> list[Unit | None]:
        return await _load_units(session, ids)

    async def categories(ids: Sequence[int]) -> list[Category | None]:
        return await _load_categories(session, ids)

    return await suggestions(enforcer, actor, case, county_rules, units, categories)


async def route_new_case(work: Work, case: Case) -> None:
    """Automatic routing, for a county that has turned it on (its intake settings, which
    registration reads with the case's units): dispatch the new case to the best suggestion
    through the one dispatch path, as its registrar — so the policy, the structural rules
    and the DISPATCHED event are exactly those of a dispatch by hand. A shared duty's other
    units become co-handling units. No suggestion: the case stays."""
    actor, enforcer = work.staff()
    if CaseAction.DISPATCH not in allowed_actions(enforcer, actor, case):
        return
    found = await suggestions_in(work, case)
    if not found:
        return
    best = found[0]
    partners: tuple[int, ...] = ()
    if best.source.duty is Duty.SHARED:
        partners = tuple(
            s.unit.id
            for s in found[1:]
            if s.source.duty is Duty.SHARED
            and s.source.category_id == best.source.category_id
            and s.source.level == best.source.level
        )
    await transition(
        work,
        c.Dispatch(
            case_id=case.id,
            unit_id=best.unit.id,
            co_handling_unit_ids=partners,
            note=f"{AUTO_ROUTED_NOTE}（{best.rule}）",
        ),
    )


async def rules_of_counties(session: Session, county_ids: Sequence[int]) -> dict[int, list[Rule]]:
    """Several counties' lists at once (the request's DataLoader batch)."""
    return await store.rules_of_counties(session, list(county_ids))
