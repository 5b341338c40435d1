"""Judging and annotating a case where it lies: ASSESS, SUPERVISE, COMMENT, and taking a
new case out of the way (REDIRECT, MERGE)."""

from yidi.domain import commands as c
from yidi.domain.enums import CaseEventType, CaseStatus, HandlingTrack
from yidi.domain.errors import BadInput
from yidi.domain.notes import DUPLICATE_MERGED_NOTE, optional_text, required_text
from yidi.persistence.cases import cases_by_ids
from yidi.persistence.units import categories_by_ids
from yidi.services.actions import OtherEvent, Step, handles
from yidi.services.due_dates import category_of, set_due_at
from yidi.services.reading import visible


@handles(c.Assess)
async def assess(step: Step, cmd: c.Assess) -> None:
    case = step.case
    changes: dict[str, object] = {}
    category = await category_of(step.session, case)
    if cmd.category_id is not None and cmd.category_id != case.category_id:
        found = (await categories_by_ids(step.session, [cmd.category_id])).get(cmd.category_id)
        if found is None or found.county_id != case.county_id:
            raise BadInput("categoryId", "No such category.")
        category, case.category_id = found, found.id
        changes["category"] = found.code
    if cmd.risk_level is not None and cmd.risk_level.value != case.risk_level:
        case.risk_level = changes["riskLevel"] = cmd.risk_level.value
    new_track = cmd.track or HandlingTrack(case.track)
    if new_track.value != case.track:
        case.track = changes["track"] = new_track.value
    if "track" in changes or "category" in changes:
        set_due_at(step, case.registered_at, new_track, category)
    step.note = optional_text("note", cmd.note)
    step.to_unit_id = case.handling_unit_id
    step.data = changes


@handles(c.Supervise, alone=True)
async def supervise(step: Step, cmd: c.Supervise) -> None:
    step.note = required_text("note", cmd.note)
    step.to_unit_id = step.case.handling_unit_id
    step.case.supervision_count += 1


@handles(c.Comment, alone=True)
async def comment(step: Step, cmd: c.Comment) -> None:
    step.note = required_text("note", cmd.note)


@handles(c.Redirect)
async def redirect(step: Step, cmd: c.Redirect) -> None:
    step.note = required_text("reason", cmd.reason)
    step.data = {"guidance": required_text("guidance", cmd.guidance)}
    step.from_unit_id = step.case.handling_unit_id


@handles(c.Merge)
async def merge(step: Step, cmd: c.Merge) -> None:
    """The duplicate joins the original; the original records that it gained one."""
    case = step.case
    target = (await cases_by_ids(step.session, [cmd.into_case_id])).get(cmd.into_case_id)
    # A case the actor cannot see is answered like one that does not exist.
    actor, enforcer = step.work.staff()
    if target is None or visible(enforcer, actor, target) is None:
        raise BadInput("intoCaseId", "No such case.")
    if target.id == case.id:
        raise BadInput("intoCaseId", "A case cannot be merged into itself.")
    if CaseStatus(target.status) in (CaseStatus.MERGED, CaseStatus.REDIRECTED):
        raise BadInput("intoCaseId", "Merge into the original case, not a closed-off one.")
    case.merged_into_id = target.id
    target.duplicates_count += 1
    step.others.append(
        OtherEvent(
            target,
            CaseEventType.DUPLICATE_MERGED,
            # Not the duplicate's number: who sees the original may not see the duplicate.
            note=DUPLICATE_MERGED_NOTE,
            data={"duplicate": case.id},
        )
    )
    # Who sees the duplicate may not see the original: the event keeps the original's id,
    # and its note is worded for each reader when read (reading.event_note).
    step.data = {"into": target.id}
