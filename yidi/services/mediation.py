"""Mediation (调解) on a case: one record per session (docs/CASE_FILE.md, "Mediation")."""

from yidi.domain import commands as c
from yidi.domain import mediation as rules
from yidi.domain.errors import BadInput
from yidi.persistence.case_file import add_mediation
from yidi.persistence.models import Mediation
from yidi.persistence.units import users_by_ids
from yidi.services.actions import Step, handles


@handles(c.RecordMediation)
async def record_mediation(step: Step, cmd: c.RecordMediation) -> None:
    case = step.case
    checked = rules.check(cmd, step.work.now)
    staff = list(dict.fromkeys(cmd.staff_mediator_ids))
    found = await users_by_ids(step.session, staff)
    for user_id in staff:
        user = found.get(user_id)
        # Staff of another county are answered like no user at all.
        if user is None or not user.active or user.county_id != case.county_id:
            raise BadInput("staffMediatorIds", "No such user.")
    mediation = Mediation(
        county_id=case.county_id,
        case_id=case.id,
        kind=cmd.kind.value,
        linkage=cmd.linkage.value if cmd.linkage is not None else None,
        held_at=cmd.held_at,
        place=checked.place,
        staff_mediator_ids=staff,
        outside_mediators=[
            {"name": m.name, "role": m.role.value, "organization": m.organization}
            for m in checked.outside_mediators
        ],
        parties_present=list(checked.parties_present),
        transcript=checked.transcript,
        outcome=cmd.outcome.value,
        agreement=checked.agreement,
        recorded_at=step.work.now,
        recorded_by_id=step.actor.user_id,
    )
    await add_mediation(step.session, mediation)
    # The event says what happened, never who the parties are or what they said: a
    # timeline reader without the right to personal data reads it too.
    step.note = rules.timeline_note(cmd.kind, cmd.linkage, cmd.outcome)
    step.to_unit_id = case.handling_unit_id
    step.data = {
        "mediation": mediation.id,
        "kind": cmd.kind.value,
        "linkage": mediation.linkage,
        "outcome": cmd.outcome.value,
    }
