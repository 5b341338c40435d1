"""Resolvers of the responsibility list, intake settings and dispatch suggestions."""

from dataclasses import dataclass

from yidi.domain.responsibility import Duty, Responsible, RuleInput
from yidi.resolvers.context import Context
from yidi.resolvers.ids import decode_id, decode_optional_id
from yidi.services import intake_settings, responsibilities
from yidi.services.reading import CaseRow


@dataclass(frozen=True)
class RuleArgs:
    """A ResponsibilityRuleInput as the schema received it (ids still global)."""

    category_id: str
    level: str
    responsible: Responsible
    department_id: str | None
    duty: Duty


async def responsibility_list(ctx: Context) -> responsibilities.ResponsibilityList:
    actor, enforcer = await ctx.actor(), await ctx.enforcer()
    return await responsibilities.read_list(await ctx.session(), enforcer, actor)


async def replace_responsibility_list(
    ctx: Context, rules: list[RuleArgs], expected_revision: int | None
) -> responsibilities.ResponsibilityList:
    await ctx.actor()
    inputs = [
        RuleInput(
            category_id=decode_id(r.category_id, "Category", f"rules.{i}.categoryId"),
            level=r.level,
            responsible=r.responsible,
            department_id=decode_optional_id(r.department_id, "Unit", f"rules.{i}.departmentId"),
            duty=r.duty,
        )
        for i, r in enumerate(rules)
    ]
    async with ctx.work() as work:
        return await responsibilities.replace_list(work, inputs, expected_revision)


async def county_intake_settings(ctx: Context) -> intake_settings.CountyIntakeSettings:
    actor, enforcer = await ctx.actor(), await ctx.enforcer()
    return await intake_settings.read_settings(await ctx.session(), enforcer, actor)


async def update_intake_settings(
    ctx: Context,
    auto_route: bool | None,
    repeat_window_days: int | None,
    repeat_similarity: float | None,
) -> intake_settings.CountyIntakeSettings:
    await ctx.actor()
    async with ctx.work() as work:
        return await intake_settings.update_settings(
            work, auto_route, repeat_window_days, repeat_similarity
        )


async def dispatch_suggestions(ctx: Context, case: CaseRow) -> list[responsibilities.Suggestion]:
    actor, enforcer = await ctx.actor(), await ctx.enforcer()
    rules = await ctx.loaders.responsibility_rules.load(case.county_id)
    return await responsibilities.suggestions(
        enforcer,
        actor,
        case,
        rules,
        ctx.loaders.units.load_many,
        ctx.loaders.categories.load_many,
    )
