"""Lifecycle mutations of the contract (mixed into the Mutation root)."""

import strawberry

from yidi.domain.enums import CaseAction
from yidi.persistence import models
from yidi.resolvers import case_mutations as m
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


@strawberry.type
class CasePayload:
    case: Case


def _payload(row: models.Case) -> CasePayload:
    return CasePayload(case=Case.of(row))


@strawberry.type
class CaseMutations:
    @strawberry.mutation
    async def assess_case(self, info: Ctx, input: AssessCaseInput) -> CasePayload:
        i = input
        return _payload(
            await m.assess(
                info.context,
                i.case_id,
                i.expected_version,
                i.risk_level,
                i.track,
                i.category_id,
                i.note,
            )
        )

    @strawberry.mutation
    async def dispatch_case(self, info: Ctx, input: DispatchCaseInput) -> CasePayload:
        i = input
        co = [str(u) for u in i.co_handling_unit_ids] if i.co_handling_unit_ids else None
        return _payload(
            await m.dispatch(
                info.context, i.case_id, i.expected_version, i.unit_id, i.assignee_id, co, i.note
            )
        )

    @strawberry.mutation
    async def accept_case(self, info: Ctx, input: AcceptCaseInput) -> CasePayload:
        i = input
        return _payload(
            await m.accept(info.context, i.case_id, i.expected_version, i.assignee_id, i.note)
        )

    @strawberry.mutation
    async def return_case(self, info: Ctx, input: ReasonInput) -> CasePayload:
        i = input
        return _payload(
            await m.with_reason(
                info.context, CaseAction.RETURN, i.case_id, i.expected_version, i.reason
            )
        )

    @strawberry.mutation
    async def escalate_case(self, info: Ctx, input: ReasonInput) -> CasePayload:
        i = input
        return _payload(
            await m.with_reason(
                info.context, CaseAction.ESCALATE, i.case_id, i.expected_version, i.reason
            )
        )

    @strawberry.mutation
    async def reassign_case(self, info: Ctx, input: ReassignCaseInput) -> CasePayload:
        i = input
        return _payload(
            await m.reassign(info.context, i.case_id, i.expected_version, i.unit_id, i.reason)
        )

    @strawberry.mutation
    async def supervise_case(self, info: Ctx, input: SuperviseCaseInput) -> CasePayload:
        return _payload(await m.supervise(info.context, input.case_id, input.note))

    @strawberry.mutation
    async def comment_case(self, info: Ctx, input: CommentCaseInput) -> CasePayload:
        return _payload(await m.comment(info.context, input.case_id, input.note))

    @strawberry.mutation
    async def resolve_case(self, info: Ctx, input: ResolveCaseInput) -> CasePayload:
        i = input
        return _payload(
            await m.resolve(info.context, i.case_id, i.expected_version, i.outcome, i.summary)
        )

    @strawberry.mutation
    async def close_case(self, info: Ctx, input: CloseCaseInput) -> CasePayload:
        i = input
        return _payload(await m.close(info.context, i.case_id, i.expected_version, i.note))

    @strawberry.mutation
    async def reopen_case(self, info: Ctx, input: ReasonInput) -> CasePayload:
        i = input
        return _payload(
            await m.with_reason(
                info.context, CaseAction.REOPEN, i.case_id, i.expected_version, i.reason
            )
        )

    @strawberry.mutation
    async def redirect_case(self, info: Ctx, input: RedirectCaseInput) -> CasePayload:
        i = input
        return _payload(
            await m.redirect(info.context, i.case_id, i.expected_version, i.reason, i.guidance)
        )

    @strawberry.mutation
    async def merge_case(self, info: Ctx, input: MergeCaseInput) -> CasePayload:
        i = input
        return _payload(await m.merge(info.context, i.case_id, i.expected_version, i.into_case_id))

    @strawberry.mutation
    async def evaluate_case(self, info: Ctx, input: EvaluateCaseInput) -> CasePayload:
        i = input
        return _payload(await m.evaluate(info.context, i.case_id, i.satisfaction, i.comment))

    @strawberry.mutation
    async def record_follow_up(self, info: Ctx, input: FollowUpInput) -> CasePayload:
        i = input
        return _payload(await m.follow_up(info.context, i.case_id, i.method, i.note))
