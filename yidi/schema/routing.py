"""Responsibility lists (责任清单), intake settings and dispatch suggestions (docs/INTAKE.md).

Not in the client contract; added for county admins and the staff who dispatch.
"""

import strawberry

from yidi.domain import enums as e
from yidi.domain.responsibility import Duty, Responsible
from yidi.domain.responsibility import Rule as RuleValue
from yidi.resolvers import routing as resolvers
from yidi.schema.types import Category, Ctx, Unit, load_unit
from yidi.services.intake_settings import CountyIntakeSettings
from yidi.services.reading import CaseRow
from yidi.services.responsibilities import ResponsibilityList as ResponsibilityListValue
from yidi.services.responsibilities import Suggestion

strawberry.enum(
    Responsible,
    name="ResponsibleKind",
    description="Who answers: a named department, or the area where the matter arose.",
)
strawberry.enum(
    Duty,
    description="TOWNSHIP_OWN: the township's own duty (属地); DEPARTMENT: a department's "
    "(条); SHARED: several units together (条块协同).",
)


@strawberry.type(description="One rule of a county's responsibility list.")
class ResponsibilityRule:
    value: strawberry.Private[RuleValue]
    level: e.UnitLevel = strawberry.field(
        description="The level of the unit holding the case, where the dispatch is decided."
    )
    responsible: Responsible
    duty: Duty

    @strawberry.field(description="The rule covers this category and every one below it.")
    async def category(self, info: Ctx) -> Category:
        row = await info.context.loaders.categories.load(self.value.category_id)
        assert row is not None, "foreign key guarantees the category exists"
        return Category.of(row)

    @strawberry.field(description="The responsible department; null unless it is DEPARTMENT.")
    async def department(self, info: Ctx) -> Unit | None:
        uid = self.value.department_id
        return None if uid is None else await load_unit(info, uid)

    @classmethod
    def of(cls, rule: RuleValue) -> "ResponsibilityRule":
        return cls(
            value=rule,
            level=e.UnitLevel(rule.level),
            responsible=rule.responsible,
            duty=rule.duty,
        )


@strawberry.input
class ResponsibilityRuleInput:
    category_id: strawberry.ID
    level: e.UnitLevel
    responsible: Responsible
    department_id: strawberry.ID | None = strawberry.field(
        default=None, description="Required when responsible is DEPARTMENT, else omitted."
    )
    duty: Duty


@strawberry.type
class ResponsibilityList:
    value: strawberry.Private[ResponsibilityListValue]
    revision: int
    rules: list[ResponsibilityRule]

    @strawberry.field
    async def county(self, info: Ctx) -> Unit:
        return await load_unit(info, self.value.county_id)

    @classmethod
    def of(cls, value: ResponsibilityListValue) -> "ResponsibilityList":
        return cls(
            value=value,
            revision=value.revision,
            rules=[ResponsibilityRule.of(r) for r in value.rules],
        )


@strawberry.type(description="A unit the responsibility list names for a case.")
class DispatchSuggestion:
    unit: Unit
    rule: str = strawberry.field(description="The rule that produced the suggestion.")
    score: float = strawberry.field(
        description="1 for a rule on the case's own category, halving per step up its tree."
    )

    @classmethod
    def of(cls, suggestion: Suggestion) -> "DispatchSuggestion":
        return cls(unit=Unit.of(suggestion.unit), rule=suggestion.rule, score=suggestion.score)


async def suggestions_for(info: Ctx, case: CaseRow) -> list[DispatchSuggestion]:
    """`Case.dispatchSuggestions` (declared on Case, answered here)."""
    found = await resolvers.dispatch_suggestions(info.context, case)
    return [DispatchSuggestion.of(s) for s in found]


@strawberry.type
class IntakeSettings:
    value: strawberry.Private[CountyIntakeSettings]
    auto_route: bool = strawberry.field(
        description="registerCase dispatches a new case to its best dispatch suggestion."
    )
    repeat_window_days: int = strawberry.field(
        description="Repeat petitions: open cases and cases registered within this many days."
    )
    repeat_similarity: float = strawberry.field(
        description="Repeat petitions: pg_trgm similarity (0..1) from which a title or "
        "description at the same place counts as similar."
    )

    @strawberry.field
    async def county(self, info: Ctx) -> Unit:
        return await load_unit(info, self.value.county_id)

    @classmethod
    def of(cls, value: CountyIntakeSettings) -> "IntakeSettings":
        s = value.settings
        return cls(
            value=value,
            auto_route=s.auto_route,
            repeat_window_days=s.repeat_window_days,
            repeat_similarity=s.repeat_similarity,
        )


@strawberry.type
class RoutingQueries:
    @strawberry.field(description="The caller's county responsibility list (its admins).")
    async def responsibility_list(self, info: Ctx) -> ResponsibilityList:
        return ResponsibilityList.of(await resolvers.responsibility_list(info.context))

    @strawberry.field(description="The caller's county intake settings (its admins).")
    async def intake_settings(self, info: Ctx) -> IntakeSettings:
        return IntakeSettings.of(await resolvers.county_intake_settings(info.context))


@strawberry.type
class RoutingMutations:
    @strawberry.mutation(
        description="Replace the caller's county responsibility list as a whole; every rule "
        "is validated and an invalid list is rejected whole."
    )
    async def replace_responsibility_list(
        self,
        info: Ctx,
        rules: list[ResponsibilityRuleInput],
        expected_revision: int | None = None,
    ) -> ResponsibilityList:
        args = [
            resolvers.RuleArgs(
                category_id=r.category_id,
                level=r.level.value,
                responsible=r.responsible,
                department_id=r.department_id,
                duty=r.duty,
            )
            for r in rules
        ]
        value = await resolvers.replace_responsibility_list(info.context, args, expected_revision)
        return ResponsibilityList.of(value)

    @strawberry.mutation(
        description="Change the caller's county intake settings; omitted ones keep their value."
    )
    async def update_intake_settings(
        self,
        info: Ctx,
        auto_route: bool | None = None,
        repeat_window_days: int | None = None,
        repeat_similarity: float | None = None,
    ) -> IntakeSettings:
        value = await resolvers.update_intake_settings(
            info.context, auto_route, repeat_window_days, repeat_similarity
        )
        return IntakeSettings.of(value)
