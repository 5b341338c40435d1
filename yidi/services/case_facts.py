"""Bridges from the stored case row to what the domain and authz rules read."""

import functools

from yidi.authz.actor import CaseFacts
from yidi.domain.enums import CaseAction, CaseStatus
from yidi.domain.lifecycle import CaseFacts as LifecycleFacts
from yidi.domain.lifecycle import actions_allowed_by_status
from yidi.persistence.read_rows import CaseRow


def authz_facts(case: CaseRow) -> CaseFacts:
    return CaseFacts(
        county_id=case.county_id,
        handling_unit_id=case.handling_unit_id,
        handling_path=tuple(case.handling_path),
        intake_unit_id=case.intake_unit_id,
        involved_path=tuple(case.involved_path),
        risk_level=case.risk_level,
    )


def lifecycle_facts(case: CaseRow) -> LifecycleFacts:
    return LifecycleFacts(
        status=CaseStatus(case.status),
        handling_unit_has_parent=len(case.handling_path) > 1,
        evaluated=case.evaluated_at is not None,
        has_duplicates=case.duplicates_count > 0,
        owned=case.owner_id is not None,
        extension_pending=case.extension_requested_by_id is not None,
        paused=case.paused_since is not None,
    )


def status_actions(case: CaseRow) -> frozenset[CaseAction]:
    """`actions_allowed_by_status(lifecycle_facts(case))`, found by the facts' plain values:
    a page asks it for each of its cases, and building, hashing and comparing the frozen
    facts and the status enum cost more than the rules' own answer (docs/BENCHMARKS.md)."""
    return _status_actions(
        case.status,
        len(case.handling_path) > 1,
        case.evaluated_at is not None,
        case.duplicates_count > 0,
        case.owner_id is not None,
        case.extension_requested_by_id is not None,
        case.paused_since is not None,
    )


@functools.lru_cache(maxsize=4096)
def _status_actions(
    status: str,
    handling_unit_has_parent: bool,
    evaluated: bool,
    has_duplicates: bool,
    owned: bool,
    extension_pending: bool,
    paused: bool,
) -> frozenset[CaseAction]:
    facts = LifecycleFacts(
        status=CaseStatus(status),
        handling_unit_has_parent=handling_unit_has_parent,
        evaluated=evaluated,
        has_duplicates=has_duplicates,
        owned=owned,
        extension_pending=extension_pending,
        paused=paused,
    )
    return actions_allowed_by_status(facts)
