"""Lifecycle mutations of the contract (mixed into the Mutation root).

One table: each field names its input type and how that input becomes the action's
command (ids decoded); running it is the same for all (`resolvers.case_mutations.act`).
"""

from collections.abc import Callable
from typing import Any, TypedDict, TypeVar

import strawberry

from yidi.domain import commands as c
from yidi.domain.enums import ClosureKind
from yidi.resolvers.case_mutations import act
from yidi.resolvers.ids import decode_id, decode_optional_id
from yidi.schema.direct_fields import DIRECT
from yidi.schema.inputs import (
    AcceptCaseInput,
    AssessCaseInput,
    CloseCaseInput,
    CommentCaseInput,
    DispatchCaseInput,
    EvaluateCaseInput,
    FollowUpInput,
    MergeCaseInput,
    ReasonInput,
    ReassignCaseInput,
    RedirectCaseInput,
    ResolveCaseInput,
    SuperviseCaseInput,
)
from yidi.schema.types import Case, Ctx

InputT = TypeVar("InputT")


@strawberry.type
class CasePayload:
    case: Case


def _case(i: Any) -> int:
    return decode_id(i.case_id, "Case", "caseId")


class _Versioned(TypedDict):
    case_id: int
    expected_version: int | None


def versioned(i: Any) -> _Versioned:
    """The case an action is on, and the version its caller last saw."""
    return {"case_id": _case(i), "expected_version": i.expected_version}


def case_action(input_type: type[InputT], to_command: Callable[[InputT], c.CaseCommand]) -> Any:
    """A mutation field taking `input: <input_type>!` and returning the changed case."""

    # `self` (the root value, unused) lets the field be resolved directly.
    async def resolve(self: Any, info: Ctx, input: input_type) -> CasePayload:  # type: ignore[valid-type]
        row = await act(info.context, lambda: to_command(input))
        return CasePayload(case=Case.of(row))

    return strawberry.mutation(resolver=resolve, metadata=DIRECT)


def _unit(global_id: str, field: str = "unitId") -> int:
    return decode_id(global_id, "Unit", field)


@strawberry.type
class CaseMutations:
    assess_case: CasePayload = case_action(
        AssessCaseInput,
        lambda i: c.Assess(
            **versioned(i),
            risk_level=i.risk_level,
            track=i.track,
            category_id=decode_optional_id(i.category_id, "Category", "categoryId"),
            note=i.note,
        ),
    )
    dispatch_case: CasePayload = case_action(
        DispatchCaseInput,
        lambda i: c.Dispatch(
            **versioned(i),
            unit_id=_unit(i.unit_id),
            assignee_id=decode_optional_id(i.assignee_id, "User", "assigneeId"),
            co_handling_unit_ids=tuple(
                _unit(u, "coHandlingUnitIds") for u in i.co_handling_unit_ids or []
            ),
            note=i.note,
        ),
    )
    accept_case: CasePayload = case_action(
        AcceptCaseInput,
        lambda i: c.Accept(
            **versioned(i),
            assignee_id=decode_optional_id(i.assignee_id, "User", "assigneeId"),
            note=i.note,
        ),
    )
    return_case: CasePayload = case_action(
        ReasonInput, lambda i: c.Return(**versioned(i), reason=i.reason)
    )
    escalate_case: CasePayload = case_action(
        ReasonInput, lambda i: c.Escalate(**versioned(i), reason=i.reason)
    )
    reassign_case: CasePayload = case_action(
        ReassignCaseInput,
        lambda i: c.Reassign(**versioned(i), unit_id=_unit(i.unit_id), reason=i.reason),
    )
    supervise_case: CasePayload = case_action(
        SuperviseCaseInput, lambda i: c.Supervise(case_id=_case(i), note=i.note)
    )
    comment_case: CasePayload = case_action(
        CommentCaseInput, lambda i: c.Comment(case_id=_case(i), note=i.note)
    )
    resolve_case: CasePayload = case_action(
        ResolveCaseInput,
        lambda i: c.Resolve(**versioned(i), outcome=i.outcome, summary=i.summary),
    )
    close_case: CasePayload = case_action(
        CloseCaseInput,
        # Omitted, the closure is procedural: only the closer claims a matter settled.
        lambda i: c.Close(**versioned(i), note=i.note, kind=i.kind or ClosureKind.PROCEDURAL),
    )
    reopen_case: CasePayload = case_action(
        ReasonInput, lambda i: c.Reopen(**versioned(i), reason=i.reason)
    )
    redirect_case: CasePayload = case_action(
        RedirectCaseInput,
        lambda i: c.Redirect(**versioned(i), reason=i.reason, guidance=i.guidance),
    )
    merge_case: CasePayload = case_action(
        MergeCaseInput,
        lambda i: c.Merge(
            **versioned(i), into_case_id=decode_id(i.into_case_id, "Case", "intoCaseId")
        ),
    )
    evaluate_case: CasePayload = case_action(
        EvaluateCaseInput,
        lambda i: c.Evaluate(case_id=_case(i), satisfaction=i.satisfaction, comment=i.comment),
    )
    record_follow_up: CasePayload = case_action(
        FollowUpInput,
        lambda i: c.FollowUp(case_id=_case(i), method=i.method, note=i.note, settled=i.settled),
    )
