"""Use cases that read cases: one case, a page of cases, what the caller may do with one."""

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from yidi.authz import guard
from yidi.authz.actor import Actor, CaseFacts
from yidi.authz.enforcer import CountyEnforcer
from yidi.authz.scope import CaseScope, case_scope
from yidi.domain.enums import CaseAction, CaseEventType
from yidi.domain.masking import mask_id_number, mask_name, mask_phone
from yidi.domain.notes import DUPLICATE_MERGED_NOTE, merged_into_note
from yidi.persistence import cases as case_store
from yidi.persistence.case_file import extensions_by_ids as extensions_by_ids
from yidi.persistence.case_file import extensions_of_cases as extensions_of_cases
from yidi.persistence.case_file import mediations_by_ids as mediations_by_ids
from yidi.persistence.case_file import mediations_of_cases as mediations_of_cases
from yidi.persistence.case_file import pauses_by_ids as pauses_by_ids
from yidi.persistence.case_file import pauses_of_cases as pauses_of_cases
from yidi.persistence.cases import CaseQuery as CaseQuery
from yidi.persistence.cases import EventSlice as EventSlice
from yidi.persistence.cases import case_by_number as case_by_number
from yidi.persistence.cases import cases_by_ids as cases_by_ids
from yidi.persistence.cases import event_by_id as event_by_id
from yidi.persistence.cases import events_of_cases as events_of_cases
from yidi.persistence.cases import follow_ups_of_cases as follow_ups_of_cases
from yidi.persistence.models import Mediation
from yidi.persistence.read_rows import CaseRow as CaseRow
from yidi.persistence.read_rows import EventRow as EventRow
from yidi.persistence.session import Session
from yidi.persistence.summons import summonses_by_ids as summonses_by_ids
from yidi.persistence.summons import summonses_of_cases as summonses_of_cases
from yidi.persistence.units import categories_by_ids as categories_by_ids
from yidi.persistence.units import categories_of_county as categories_of_county
from yidi.persistence.units import children_of as children_of
from yidi.persistence.units import unit_by_code as unit_by_code
from yidi.persistence.units import units_by_ids as units_by_ids
from yidi.persistence.units import users_by_ids as users_by_ids
from yidi.services.case_facts import authz_facts as authz_facts
from yidi.services.case_facts import status_actions

# The batch and single-row reads above are this layer's answer to "load X": resolvers and
# their DataLoaders read through here, never from persistence directly.

# Each action with its policy name, read once rather than per case and action.
_CASE_ACTIONS = tuple((a, a.value) for a in CaseAction)


AnyCase = TypeVar("AnyCase", bound=CaseRow)  # an ORM case or a page's plain row


def visible(enforcer: CountyEnforcer, actor: Actor, case: AnyCase | None) -> AnyCase | None:
    """The case if the actor may view it, else None (a null field, never an error)."""
    if case is None or not guard.can_view(enforcer, actor, authz_facts(case)):
        return None
    return case


@dataclass(frozen=True)
class CaseList:
    """The actor's cases under a filter: a page of them now, their number on request."""

    session: Session
    scope: CaseScope
    query: case_store.CaseQuery
    now: datetime
    page: case_store.CasePage

    async def total(self) -> int:
        """Counted only when a client asks (`totalCount`): it reads the whole scope."""
        return await case_store.count_cases(self.session, self.scope, self.query, self.now)


async def list_cases(
    session: Session,
    enforcer: CountyEnforcer,
    actor: Actor,
    query: case_store.CaseQuery,
    *,
    order_field: str,
    descending: bool,
    first: int,
    after: tuple[Any, int] | None,
    now: datetime,
) -> CaseList:
    """A page of the cases the actor may view, filtered in SQL by the VIEW policy."""
    scope = case_scope(enforcer, actor, CaseAction.VIEW)
    page = await case_store.page_of_cases(
        session,
        scope,
        query,
        order_field=order_field,
        descending=descending,
        first=first,
        after=after,
        now=now,
    )
    return CaseList(session, scope, query, now, page)


@functools.lru_cache(maxsize=4096)
def _allowed_by_both(
    by_policy: frozenset[str], by_status: frozenset[CaseAction]
) -> tuple[CaseAction, ...]:
    # Both sets come from caches of their own, and a page asks for the same few pairs.
    return tuple(a for a, name in _CASE_ACTIONS if name in by_policy and a in by_status)


def allowed_actions(
    enforcer: CountyEnforcer, actor: Actor, case: CaseRow, facts: CaseFacts | None = None
) -> list[CaseAction]:
    """Actions both the policy and the case's status allow now (the frontends' buttons);
    `facts`, when given, are the case's `authz_facts`."""
    facts = authz_facts(case) if facts is None else facts
    by_policy = guard.policy_actions(enforcer, actor, facts)
    by_status = status_actions(case)
    allowed = list(_allowed_by_both(by_policy, by_status))
    if not guard.has_dispatch_target(actor, case.handling_unit_id):
        allowed = [a for a in allowed if a not in (CaseAction.DISPATCH, CaseAction.REASSIGN)]
    if case.owner_id is not None and not guard.may_end_ownership(
        actor, case.owner_id, tuple(case.owner_unit_path or ())
    ):
        allowed = [a for a in allowed if a is not CaseAction.RELEASE_OWNERSHIP]
    requester = case.extension_requested_by_id
    if requester is not None and not guard.may_decide_extension(actor, requester):
        allowed = [a for a in allowed if a is not CaseAction.DECIDE_EXTENSION]
    # 吹哨报到: a summoned unit answers only what its summons awaits now.
    if CaseAction.REPORT_IN in allowed and not guard.may_answer_summons(
        actor, case.awaiting_report_unit_ids
    ):
        allowed.remove(CaseAction.REPORT_IN)
    if CaseAction.CONTRIBUTE in allowed and not guard.may_answer_summons(
        actor, case.awaiting_contribution_unit_ids
    ):
        allowed.remove(CaseAction.CONTRIBUTE)
    return allowed


@dataclass(frozen=True)
class ReporterView:
    name: str | None
    phone: str | None
    id_number: str | None
    anonymous: bool


def reporter_view(
    enforcer: CountyEnforcer, actor: Actor, case: CaseRow, facts: CaseFacts | None = None
) -> ReporterView:
    """Personal data in clear only for those the policy lets see it, masked for the rest;
    `facts`, when given, are the case's `authz_facts`."""
    facts = authz_facts(case) if facts is None else facts
    if guard.may_see_personal_data(enforcer, actor, facts):
        return ReporterView(
            case.reporter_name,
            case.reporter_phone,
            case.reporter_id_number,
            case.reporter_anonymous,
        )
    return ReporterView(
        mask_name(case.reporter_name),
        mask_phone(case.reporter_phone),
        mask_id_number(case.reporter_id_number),
        case.reporter_anonymous,
    )


@dataclass(frozen=True)
class MediationView:
    """A mediation as this reader may read it: the parties are people with a right to
    privacy like the reporter, and the transcript and agreement speak of them at length."""

    parties_present: list[str]
    transcript: str | None
    agreement: str | None


def mediation_view(
    enforcer: CountyEnforcer, actor: Actor, case: CaseRow, mediation: Mediation
) -> MediationView:
    """In clear for whoever may see the case's personal data; otherwise the parties' names
    are masked and the transcript and agreement withheld (docs/CASE_FILE.md)."""
    if guard.may_see_personal_data(enforcer, actor, authz_facts(case)):
        return MediationView(
            list(mediation.parties_present), mediation.transcript, mediation.agreement
        )
    return MediationView([mask_name(p) or "" for p in mediation.parties_present], None, None)


CaseLoader = Callable[[int], Awaitable[CaseRow | None]]


async def event_note(
    enforcer: CountyEnforcer, actor: Actor, event: EventRow, load_case: CaseLoader
) -> str | None:
    """An event's note as this reader may read it: a note names another case only to a
    reader who may view that case (the same answer as `case(id:)`).

    The merge events are the ones that speak of another case, and their notes are worded
    here, never read from storage: rows written before this rule still say
    "合并至 <number>" or "重复事项 <number> 已并入" (the timeline is never edited), and
    no reader sees that text. A MERGED event names the case its case was merged into
    (`merged_into_id`, fixed once merged, so old and new rows read alike); `load_case`
    is the request's batched case loader, so a page of events costs no query per event.
    """
    if event.type == CaseEventType.DUPLICATE_MERGED.value:
        return DUPLICATE_MERGED_NOTE
    if event.type != CaseEventType.MERGED.value:
        return event.note
    duplicate = await load_case(event.case_id)
    into = duplicate.merged_into_id if duplicate is not None else None
    original = visible(enforcer, actor, await load_case(into) if into is not None else None)
    return merged_into_note(original.number if original is not None else None)
