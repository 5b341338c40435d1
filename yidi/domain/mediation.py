"""Rules of a mediation record (调解笔录): what must be said, and how it reads in a timeline.

The five kinds work together (五调联动) and teams mix staff with outside mediators (1+1+N:
a lawyer, a respected local, party members); an agreement (调解协议) is written down only
when one was reached.
"""

from dataclasses import dataclass
from datetime import datetime

from yidi.domain.commands import OutsideMediator, RecordMediation
from yidi.domain.enums import SETTLING_MEDIATION, MediationKind, MediationLinkage, MediationOutcome
from yidi.domain.errors import BadInput
from yidi.domain.notes import optional_text, required_text

PLACE_MAX = 200
NAME_MAX = 100
TRANSCRIPT_MAX = 20_000
AGREEMENT_MAX = 10_000
MAX_MEDIATORS = 20
MAX_PARTIES = 50

KIND_LABEL = {
    MediationKind.PEOPLES: "人民调解",
    MediationKind.ADMINISTRATIVE: "行政调解",
    MediationKind.JUDICIAL: "司法调解",
    MediationKind.PROFESSIONAL: "行业性专业性调解",
    MediationKind.LAWYER: "律师调解",
}
LINKAGE_LABEL = {
    MediationLinkage.COURT: "诉调对接",
    MediationLinkage.POLICE: "警调对接",
    MediationLinkage.PETITION: "访调对接",
    MediationLinkage.ONLINE: "网调对接",
    MediationLinkage.SPECIALIZED: "专调对接",
}
OUTCOME_LABEL = {
    MediationOutcome.AGREEMENT: "达成调解协议",
    MediationOutcome.PARTIAL: "部分达成协议",
    MediationOutcome.NO_AGREEMENT: "调解未达成协议",
    MediationOutcome.ADJOURNED: "调解暂休，择期再调",
}


@dataclass(frozen=True)
class CheckedMediation:
    """A mediation record whose texts are trimmed and within their limits."""

    place: str
    outside_mediators: tuple[OutsideMediator, ...]
    parties_present: tuple[str, ...]
    transcript: str
    agreement: str | None


def check(cmd: RecordMediation, now: datetime) -> CheckedMediation:
    """The record's own rules; ids (staff mediators) are checked against the database later."""
    if cmd.held_at > now:
        raise BadInput("heldAt", "A mediation is recorded once it has been held.")
    place = required_text("place", cmd.place, PLACE_MAX)
    outside = tuple(
        OutsideMediator(
            name=required_text("outsideMediators", m.name, NAME_MAX),
            role=m.role,
            organization=optional_text("outsideMediators", m.organization, PLACE_MAX),
        )
        for m in cmd.outside_mediators
    )
    mediators = len(set(cmd.staff_mediator_ids)) + len(outside)
    if mediators == 0:
        raise BadInput("staffMediatorIds", "Name at least one mediator, staff or outside.")
    if mediators > MAX_MEDIATORS:
        raise BadInput("staffMediatorIds", f"At most {MAX_MEDIATORS} mediators.")
    parties = tuple(required_text("partiesPresent", p, NAME_MAX) for p in cmd.parties_present)
    if not parties:
        raise BadInput("partiesPresent", "Name the parties present.")
    if len(parties) > MAX_PARTIES:
        raise BadInput("partiesPresent", f"At most {MAX_PARTIES} parties.")
    transcript = required_text("transcript", cmd.transcript, TRANSCRIPT_MAX)
    agreement = optional_text("agreement", cmd.agreement, AGREEMENT_MAX)
    if cmd.outcome in SETTLING_MEDIATION and agreement is None:
        raise BadInput("agreement", "An agreement reached is written down (调解协议).")
    if cmd.outcome not in SETTLING_MEDIATION and agreement is not None:
        raise BadInput("agreement", "Without an agreement there is no agreement text.")
    return CheckedMediation(place, outside, parties, transcript, agreement)


def timeline_note(
    kind: MediationKind, linkage: MediationLinkage | None, outcome: MediationOutcome
) -> str:
    """How a MEDIATION_RECORDED event reads: kind, linkage, outcome; never names or texts."""
    via = f"（{LINKAGE_LABEL[linkage]}）" if linkage is not None else ""
    return f"{KIND_LABEL[kind]}{via}：{OUTCOME_LABEL[outcome]}"
