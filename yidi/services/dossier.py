"""The handling document of a case (民事办理书): everything its file holds, gathered for one
reader, masked exactly as the API masks it for that reader (docs/CASE_FILE.md, "Dossier").

No authorization of its own: visibility is `case(id:)`'s rule, personal data the reading
services' (`reading.reporter_view`, `reading.mediation_view`, `evidence.file_name_view`).
Rendering is `http/dossier_pdf.py`'s job; this gathers, in a handful of batched reads.
"""

from dataclasses import dataclass
from datetime import datetime

from yidi.authz.actor import Actor
from yidi.authz.enforcer import CountyEnforcer
from yidi.domain.errors import NotFound
from yidi.persistence.dossier import all_events_of_case
from yidi.persistence.models import (
    Attachment,
    Case,
    CaseEvent,
    Extension,
    FollowUp,
    Mediation,
    Pause,
    Summons,
)
from yidi.persistence.session import Session
from yidi.services import evidence, reading


@dataclass(frozen=True)
class Dossier:
    """One case's file as one reader may read it; ids resolve through `units` and `users`."""

    case: Case
    category: str
    units: dict[int, str]
    users: dict[int, str]
    reporter: reading.ReporterView
    # Each event with its note as this reader reads it (a MERGED note names another case
    # only to whoever may view it).
    events: list[tuple[CaseEvent, str | None]]
    mediations: list[tuple[Mediation, reading.MediationView]]
    extensions: list[Extension]
    pauses: list[Pause]
    follow_ups: list[FollowUp]
    # Units summoned to the case (吹哨报到) and their answers, oldest first.
    summonses: list[Summons]
    # Each attachment with its file name as this reader reads it.
    attachments: list[tuple[Attachment, str | None]]
    generated_at: datetime
    generated_by: str

    def unit(self, unit_id: int | None) -> str:
        return self.units.get(unit_id, "") if unit_id is not None else ""

    def user(self, user_id: int | None) -> str:
        return self.users.get(user_id, "") if user_id is not None else ""


async def gather(
    session: Session, enforcer: CountyEnforcer, actor: Actor, case_id: int, now: datetime
) -> Dossier:
    case = reading.visible(
        enforcer, actor, (await reading.cases_by_ids(session, [case_id])).get(case_id)
    )
    if case is None:
        raise NotFound("No such case.")
    ids = [case.id]
    events = await all_events_of_case(session, case.id)
    mediations = (await reading.mediations_of_cases(session, ids))[case.id]
    extensions = (await reading.extensions_of_cases(session, ids))[case.id]
    pauses = (await reading.pauses_of_cases(session, ids))[case.id]
    follow_ups = (await reading.follow_ups_of_cases(session, ids))[case.id]
    summonses = (await reading.summonses_of_cases(session, ids))[case.id]
    attachments = (await evidence.attachments_of_cases(session, ids))[case.id]
    category = (await reading.categories_by_ids(session, [case.category_id]))[case.category_id]

    user_ids = {
        actor.user_id,
        case.assignee_id,
        case.owner_id,
        case.resolved_by_id,
        case.closed_by_id,
        *(e.actor_id for e in events),
        *(m.recorded_by_id for m in mediations),
        *(uid for m in mediations for uid in m.staff_mediator_ids),
        *(x.requested_by_id for x in extensions),
        *(x.decided_by_id for x in extensions),
        *(p.paused_by_id for p in pauses),
        *(p.resumed_by_id for p in pauses),
        *(f.by_id for f in follow_ups),
        *(a.uploaded_by_id for a in attachments),
        *(u for x in summonses for u in (x.summoned_by_id, x.reported_by_id, x.contributed_by_id)),
    }
    unit_ids = {
        case.intake_unit_id,
        case.location_unit_id,
        case.handling_unit_id,
        case.resolved_by_unit_id,
        *case.co_handling_unit_ids,
        *(e.from_unit_id for e in events),
        *(e.to_unit_id for e in events),
        *(x.unit_id for x in summonses),
    }
    users = await reading.users_by_ids(session, [u for u in user_ids if u is not None])
    units = await reading.units_by_ids(session, [u for u in unit_ids if u is not None])

    async def load_case(pk: int) -> Case | None:
        return (await reading.cases_by_ids(session, [pk])).get(pk)

    return Dossier(
        case=case,
        category=category.name,
        units={pk: u.name for pk, u in units.items()},
        users={pk: u.display_name for pk, u in users.items()},
        reporter=reading.reporter_view(enforcer, actor, case),
        events=[(e, await reading.event_note(enforcer, actor, e, load_case)) for e in events],
        mediations=[(m, reading.mediation_view(enforcer, actor, case, m)) for m in mediations],
        extensions=extensions,
        pauses=pauses,
        follow_ups=follow_ups,
        summonses=summonses,
        attachments=[(a, evidence.file_name_view(enforcer, actor, case, a)) for a in attachments],
        generated_at=now,
        generated_by=users[actor.user_id].display_name,
    )
