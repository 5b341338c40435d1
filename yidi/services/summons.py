"""中心吹哨、部门报到: the handling unit summons units of its county; each reports in and
contributes its own finding (docs/CASE_FILE.md, "Summons").

The case row keeps which units were ever summoned (INVOLVED for the case's lifetime, through
`involved_path`) and which owe a report-in or a contribution now, so allowedActions and
the list filter need no extra query; the records themselves are `case_summons` rows.
"""

from yidi.authz import guard
from yidi.domain import commands as c
from yidi.domain import summons as rules
from yidi.domain.enums import CaseAction, SummonsState
from yidi.domain.errors import BadInput, Forbidden
from yidi.domain.notes import SUMMARY_MAX, optional_text, required_text
from yidi.persistence import summons as store
from yidi.persistence.models import Case, Summons
from yidi.persistence.units import units_by_ids
from yidi.services.actions import Step, handles
from yidi.services.routing import refresh_involved


def _without(ids: list[int], unit_id: int) -> list[int]:
    return [u for u in ids if u != unit_id]


@handles(c.Summon)
async def summon(step: Step, cmd: c.Summon) -> None:
    case, now = step.case, step.work.now
    note = required_text("note", cmd.note)
    hours = rules.check_hours(cmd.report_in_hours)
    unit_ids = rules.check_unit_count(cmd.unit_ids)
    units = await units_by_ids(step.session, list(unit_ids))
    pending = {*case.awaiting_report_unit_ids, *case.awaiting_contribution_unit_ids}
    for unit_id in unit_ids:
        unit = units.get(unit_id)
        # Units of another county are answered like no unit at all.
        if unit is None or unit.county_id != case.county_id:
            raise BadInput("unitIds", "No such unit.")
        if unit.id == case.handling_unit_id:
            raise BadInput("unitIds", "The handling unit leads the case; it is not summoned.")
        if unit.id in pending:
            raise BadInput("unitIds", f"{unit.name} is already summoned and has not contributed.")
    report_by = rules.report_by(now, hours)
    rows = [
        Summons(
            county_id=case.county_id,
            case_id=case.id,
            unit_id=unit_id,
            state=SummonsState.SUMMONED.value,
            note=note,
            summoned_at=now,
            summoned_by_id=step.actor.user_id,
            report_by=report_by,
        )
        for unit_id in unit_ids
    ]
    await store.add_summonses(step.session, rows)
    case.summoned_unit_ids = list(dict.fromkeys([*case.summoned_unit_ids, *unit_ids]))
    case.awaiting_report_unit_ids = [*case.awaiting_report_unit_ids, *unit_ids]
    await refresh_involved(step.session, case)
    step.note = note
    step.from_unit_id = case.handling_unit_id
    step.data = {
        "summons": [r.id for r in rows],
        "units": list(unit_ids),
        "reportBy": report_by.isoformat(),
        "hours": hours,
    }


async def _answering(step: Step, action: CaseAction) -> Summons:
    """The caller's unit's pending summons, moved on by `action`: FORBIDDEN for a unit
    never summoned, INVALID_TRANSITION for one whose summons is not in the right state."""
    case, actor = step.case, step.actor
    if not guard.may_answer_summons(actor, case.summoned_unit_ids):
        raise Forbidden("Only a unit summoned to this case answers the summons.")
    row = await store.pending_of_unit(step.session, case.id, actor.unit_id)
    row_state = SummonsState(row.state) if row is not None else None
    after = rules.answer(action, row_state)
    assert row is not None, "answer() refuses a unit with no pending summons"
    row.state = after.value
    step.from_unit_id = actor.unit_id
    step.to_unit_id = case.handling_unit_id
    step.data = {"summons": [row.id], "unit": actor.unit_id}
    return row


def _awaits_contribution(case: Case, unit_id: int) -> None:
    case.awaiting_report_unit_ids = _without(case.awaiting_report_unit_ids, unit_id)
    case.awaiting_contribution_unit_ids = [*case.awaiting_contribution_unit_ids, unit_id]


@handles(c.ReportIn)
async def report_in(step: Step, cmd: c.ReportIn) -> None:
    row = await _answering(step, CaseAction.REPORT_IN)
    note = optional_text("note", cmd.note)
    row.reported_at = step.work.now
    row.reported_by_id = step.actor.user_id
    row.report_note = note
    _awaits_contribution(step.case, row.unit_id)
    step.note = note


@handles(c.Contribute)
async def contribute(step: Step, cmd: c.Contribute) -> None:
    row = await _answering(step, CaseAction.CONTRIBUTE)
    text = required_text("contribution", cmd.contribution, SUMMARY_MAX)
    row.contributed_at = step.work.now
    row.contributed_by_id = step.actor.user_id
    row.contribution = text
    case = step.case
    case.awaiting_contribution_unit_ids = _without(case.awaiting_contribution_unit_ids, row.unit_id)
    step.note = text
