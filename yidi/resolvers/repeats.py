"""Resolvers of repeat petitions (docs/INTAKE.md)."""

from datetime import datetime

from yidi.persistence.models import Case
from yidi.resolvers.context import Context
from yidi.resolvers.ids import decode_id, decode_optional_id
from yidi.services import repeats
from yidi.services.reading import CaseRow


async def possible_duplicates(ctx: Context, case: CaseRow) -> list[repeats.Duplicate]:
    actor, enforcer = await ctx.actor(), await ctx.enforcer()
    settings = await ctx.loaders.intake_settings.load(case.county_id)
    query = repeats.query_for(enforcer, actor, settings, ctx.now())
    return repeats.ranked(await ctx.loaders.possible_duplicates.load((case.id, query)))


async def mark_repeat(
    ctx: Context,
    case_id: str,
    repeat: bool,
    of_case_id: str | None,
    note: str | None,
    expected_version: int | None,
) -> Case:
    await ctx.actor()
    pk = decode_id(case_id, "Case", "caseId")
    of_pk = decode_optional_id(of_case_id, "Case", "ofCaseId")
    async with ctx.work() as work:
        return await repeats.mark_repeat(work, pk, repeat, of_pk, note, expected_version)


async def repeat_petition_count(
    ctx: Context, unit_id: str, since: datetime | None, until: datetime | None
) -> int:
    actor, enforcer = await ctx.actor(), await ctx.enforcer()
    pk = decode_id(unit_id, "Unit", "unitId")
    return await repeats.repeat_count(await ctx.session(), enforcer, actor, pk, since, until)
