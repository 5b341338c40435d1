"""Bridges from the stored case row to what the domain and authz rules read."""

from yidi.authz.actor import CaseFacts
from yidi.domain.enums import CaseStatus
from yidi.domain.lifecycle import CaseFacts as LifecycleFacts
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
