"""Case-file mutations (docs/CASE_FILE.md), mixed into the Mutation root.

Each is a lifecycle action like those of `case_mutation.py`: same table shape, same path.
"""

import strawberry

from yidi.domain import commands as c
from yidi.resolvers.ids import decode_id
from yidi.schema.case_file_inputs import (
    DecideExtensionInput,
    PauseCaseInput,
    RecordMediationInput,
    ReportInInput,
    RequestExtensionInput,
    ResumeCaseInput,
    SubmitContributionInput,
    SummonUnitsInput,
    TakeOwnershipInput,
)
from yidi.schema.case_mutation import CasePayload, case_action, versioned
from yidi.schema.inputs import ReasonInput


def _mediation(i: RecordMediationInput) -> c.RecordMediation:
    return c.RecordMediation(
        **versioned(i),
        kind=i.kind,
        linkage=i.linkage,
        held_at=i.held_at,
        place=i.place,
        staff_mediator_ids=tuple(
            decode_id(u, "User", "staffMediatorIds") for u in i.staff_mediator_ids or []
        ),
        outside_mediators=tuple(
            c.OutsideMediator(name=m.name, role=m.role, organization=m.organization)
            for m in i.outside_mediators or []
        ),
        parties_present=tuple(i.parties_present),
        transcript=i.transcript,
        outcome=i.outcome,
        agreement=i.agreement,
    )


def _summon(i: SummonUnitsInput) -> c.Summon:
    return c.Summon(
        **versioned(i),
        unit_ids=tuple(decode_id(u, "Unit", "unitIds") for u in i.unit_ids),
        report_in_hours=i.report_in_hours,
        note=i.note,
    )


@strawberry.type
class CaseFileMutations:
    take_ownership: CasePayload = case_action(
        TakeOwnershipInput, lambda i: c.TakeOwnership(**versioned(i), note=i.note)
    )
    release_ownership: CasePayload = case_action(
        ReasonInput, lambda i: c.ReleaseOwnership(**versioned(i), reason=i.reason)
    )
    record_mediation: CasePayload = case_action(RecordMediationInput, _mediation)
    request_extension: CasePayload = case_action(
        RequestExtensionInput,
        lambda i: c.RequestExtension(**versioned(i), days=i.days, reason=i.reason),
    )
    decide_extension: CasePayload = case_action(
        DecideExtensionInput,
        lambda i: c.DecideExtension(**versioned(i), approved=i.approved, note=i.note),
    )
    pause_case: CasePayload = case_action(
        PauseCaseInput, lambda i: c.Pause(**versioned(i), reason=i.reason, note=i.note)
    )
    resume_case: CasePayload = case_action(
        ResumeCaseInput, lambda i: c.Resume(**versioned(i), note=i.note)
    )
    summon_units: CasePayload = case_action(SummonUnitsInput, _summon)
    report_in: CasePayload = case_action(
        ReportInInput, lambda i: c.ReportIn(**versioned(i), note=i.note)
    )
    submit_contribution: CasePayload = case_action(
        SubmitContributionInput,
        lambda i: c.Contribute(**versioned(i), contribution=i.contribution),
    )
