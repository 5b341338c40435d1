"""Repeat petitions (重复信访, docs/INTAKE.md): candidates, the confirmed flag, the count.

Not in the client contract; added for intake staff and dashboards.
"""

from datetime import datetime
from typing import Annotated

import strawberry

from yidi.resolvers import repeats as resolvers
from yidi.schema.types import Case, Ctx
from yidi.services.reading import CaseRow
from yidi.services.repeats import Duplicate

From = Annotated[datetime | None, strawberry.argument(name="from")]


@strawberry.type(description="A visible case that may be the same petition again.")
class DuplicateCandidate:
    case: Case
    score: float = strawberry.field(description="0..1; reasons combine as independent evidence.")
    reasons: list[str] = strawberry.field(
        description="SAME_ID_NUMBER, SAME_PHONE (keyed hashes, never the numbers), "
        "SIMILAR_TEXT_AT_SAME_PLACE."
    )

    @classmethod
    def of(cls, duplicate: Duplicate) -> "DuplicateCandidate":
        return cls(case=Case.of(duplicate.case), score=duplicate.score, reasons=duplicate.reasons)


async def duplicates_for(info: Ctx, case: CaseRow) -> list[DuplicateCandidate]:
    """`Case.possibleDuplicates` (declared on Case, answered here)."""
    found = await resolvers.possible_duplicates(info.context, case)
    return [DuplicateCandidate.of(d) for d in found]


@strawberry.input
class MarkRepeatInput:
    case_id: strawberry.ID
    repeat: bool = strawberry.field(description="true confirms the repeat; false withdraws it.")
    of_case_id: strawberry.ID | None = strawberry.field(
        default=None, description="The earlier case it repeats, when confirming."
    )
    note: str | None = None
    expected_version: int | None = None


@strawberry.type
class MarkRepeatPayload:
    case: Case


@strawberry.type
class RepeatQueries:
    @strawberry.field(
        description="Confirmed repeat petitions located in the unit's subtree, registered in "
        "[from, to) (either bound optional); who may see the unit's dashboards may see it."
    )
    async def repeat_petition_count(
        self, info: Ctx, unit_id: strawberry.ID, from_: From = None, to: datetime | None = None
    ) -> int:
        return await resolvers.repeat_petition_count(info.context, unit_id, from_, to)


@strawberry.type
class RepeatMutations:
    @strawberry.mutation(
        description="Confirm (or withdraw) that a case repeats an earlier petition "
        "(MARK_REPEAT); merging stays mergeCase."
    )
    async def mark_repeat(self, info: Ctx, input: MarkRepeatInput) -> MarkRepeatPayload:
        row = await resolvers.mark_repeat(
            info.context,
            input.case_id,
            input.repeat,
            input.of_case_id,
            input.note,
            input.expected_version,
        )
        return MarkRepeatPayload(case=Case.of(row))
