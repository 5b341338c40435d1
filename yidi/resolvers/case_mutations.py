"""Lifecycle mutation resolvers: decode ids, pick the action's handler, run it in one
transaction (committed here, the unit of work), hand back the changed case."""

from yidi.domain.enums import (
    CaseAction,
    FollowUpMethod,
    HandlingTrack,
    Outcome,
    RiskLevel,
    Satisfaction,
)
from yidi.persistence.models import Case
from yidi.resolvers.context import Context
from yidi.resolvers.ids import decode_id
from yidi.services import actions
from yidi.services.transitions import Handler, transition


def _unit_id(global_id: str, field: str = "unitId") -> int:
    return decode_id(global_id, "Unit", field)


async def act(
    ctx: Context,
    case_id: str,
    action: CaseAction,
    expected_version: int | None,
    handler: Handler,
    also_lock: int | None = None,
) -> Case:
    actor = await ctx.actor()
    pk = decode_id(case_id, "Case", "caseId")
    # Loaded before the transaction opens: never ask the pool for a second connection
    # while holding one (a burst of first requests would starve it).
    enforcer = await ctx.enforcer()
    async with ctx.app.sessions.begin() as session:
        case = await transition(
            session,
            enforcer,
            actor,
            pk,
            action,
            expected_version,
            handler,
            now=ctx.now(),
            calendar=ctx.app.calendar,
            also_lock=also_lock,
        )
    # The payload must show the case as it is now, not as this request first loaded it.
    ctx.loaders.cases.prime(case.id, case, force=True)
    ctx.loaders.events.clear_all()
    ctx.loaders.follow_ups.clear_all()
    return case


async def assess(
    ctx: Context,
    case_id: str,
    expected_version: int | None,
    risk_level: RiskLevel | None,
    track: HandlingTrack | None,
    category_id: str | None,
    note: str | None,
) -> Case:
    category = decode_id(category_id, "Category", "categoryId") if category_id else None
    handler = actions.assess(risk_level, track, category, note)
    return await act(ctx, case_id, CaseAction.ASSESS, expected_version, handler)


async def dispatch(
    ctx: Context,
    case_id: str,
    expected_version: int | None,
    unit_id: str,
    assignee_id: str | None,
    co_handling_unit_ids: list[str] | None,
    note: str | None,
) -> Case:
    handler = actions.dispatch(
        _unit_id(unit_id),
        decode_id(assignee_id, "User", "assigneeId") if assignee_id else None,
        [_unit_id(u, "coHandlingUnitIds") for u in co_handling_unit_ids or []],
        note,
    )
    return await act(ctx, case_id, CaseAction.DISPATCH, expected_version, handler)


async def accept(
    ctx: Context,
    case_id: str,
    expected_version: int | None,
    assignee_id: str | None,
    note: str | None,
) -> Case:
    assignee = decode_id(assignee_id, "User", "assigneeId") if assignee_id else None
    handler = actions.accept(assignee, note)
    return await act(ctx, case_id, CaseAction.ACCEPT, expected_version, handler)


async def with_reason(
    ctx: Context, action: CaseAction, case_id: str, expected_version: int | None, reason: str
) -> Case:
    """RETURN, ESCALATE and REOPEN: an action whose only input is its reason."""
    handlers = {
        CaseAction.RETURN: actions.return_,
        CaseAction.ESCALATE: actions.escalate,
        CaseAction.REOPEN: actions.reopen,
    }
    return await act(ctx, case_id, action, expected_version, handlers[action](reason))


async def reassign(
    ctx: Context, case_id: str, expected_version: int | None, unit_id: str, reason: str
) -> Case:
    handler = actions.reassign(_unit_id(unit_id), reason)
    return await act(ctx, case_id, CaseAction.REASSIGN, expected_version, handler)


async def supervise(ctx: Context, case_id: str, note: str) -> Case:
    return await act(ctx, case_id, CaseAction.SUPERVISE, None, actions.supervise(note))


async def comment(ctx: Context, case_id: str, note: str) -> Case:
    return await act(ctx, case_id, CaseAction.COMMENT, None, actions.comment(note))


async def resolve(
    ctx: Context, case_id: str, expected_version: int | None, outcome: Outcome, summary: str
) -> Case:
    handler = actions.resolve(outcome, summary)
    return await act(ctx, case_id, CaseAction.RESOLVE, expected_version, handler)


async def close(ctx: Context, case_id: str, expected_version: int | None, note: str | None) -> Case:
    return await act(ctx, case_id, CaseAction.CLOSE, expected_version, actions.close(note))


async def redirect(
    ctx: Context, case_id: str, expected_version: int | None, reason: str, guidance: str
) -> Case:
    handler = actions.redirect(reason, guidance)
    return await act(ctx, case_id, CaseAction.REDIRECT, expected_version, handler)


async def merge(
    ctx: Context, case_id: str, expected_version: int | None, into_case_id: str
) -> Case:
    target = decode_id(into_case_id, "Case", "intoCaseId")
    handler = actions.merge(target)
    return await act(ctx, case_id, CaseAction.MERGE, expected_version, handler, target)


async def evaluate(
    ctx: Context, case_id: str, satisfaction: Satisfaction, comment_text: str | None
) -> Case:
    handler = actions.evaluate(satisfaction, comment_text)
    return await act(ctx, case_id, CaseAction.EVALUATE, None, handler)


async def follow_up(ctx: Context, case_id: str, method: FollowUpMethod, note: str) -> Case:
    return await act(ctx, case_id, CaseAction.FOLLOW_UP, None, actions.follow_up(method, note))
