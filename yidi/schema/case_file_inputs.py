"""Input types of the case file (docs/CASE_FILE.md): ownership, mediation, …"""

from datetime import datetime

import strawberry

from yidi.domain import enums as e


@strawberry.input(description="领导包案: the calling leader takes the case on.")
class TakeOwnershipInput:
    case_id: strawberry.ID
    expected_version: int | None = None
    note: str | None = None


@strawberry.input(description="A mediator from outside the staff (1+1+N).")
class OutsideMediatorInput:
    name: str
    role: e.MediatorRole
    organization: str | None = None


@strawberry.input(description="One mediation session (调解笔录) on an open case.")
class RecordMediationInput:
    case_id: strawberry.ID
    kind: e.MediationKind
    held_at: datetime = strawberry.field(description="When it was held; not in the future.")
    place: str
    parties_present: list[str] = strawberry.field(description="Names of the parties present.")
    transcript: str = strawberry.field(description="The transcript (调解笔录).")
    outcome: e.MediationOutcome
    linkage: e.MediationLinkage | None = strawberry.field(
        default=None, description="Through which linkage (诉调/警调/访调/网调/专调) it came."
    )
    staff_mediator_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Staff users who mediated (at least one mediator in all)."
    )
    outside_mediators: list[OutsideMediatorInput] | None = None
    agreement: str | None = strawberry.field(
        default=None,
        description="The agreement (调解协议): with AGREEMENT or PARTIAL only.",
    )
    expected_version: int | None = None


@strawberry.input(description="延期: the handling unit asks for more working days.")
class RequestExtensionInput:
    case_id: strawberry.ID
    days: int = strawberry.field(description="Working days, 1 to 60.")
    reason: str
    expected_version: int | None = None


@strawberry.input(description="A leader above the handling unit decides the pending request.")
class DecideExtensionInput:
    case_id: strawberry.ID
    approved: bool
    note: str | None = None
    expected_version: int | None = None


@strawberry.input(description="中止: stop the working-day clock.")
class PauseCaseInput:
    case_id: strawberry.ID
    reason: e.PauseReason
    note: str
    expected_version: int | None = None


@strawberry.input
class ResumeCaseInput:
    case_id: strawberry.ID
    note: str | None = None
    expected_version: int | None = None


@strawberry.input(description="中心吹哨: the handling unit calls units of its county in.")
class SummonUnitsInput:
    case_id: strawberry.ID
    unit_ids: list[strawberry.ID] = strawberry.field(
        description="Units of the case's county to summon (1 to 10), not the handling unit, "
        "none with a summons still pending."
    )
    report_in_hours: int = strawberry.field(description="Report in within this many hours (1-72).")
    note: str = strawberry.field(description="What the units are called in for.")
    expected_version: int | None = None


@strawberry.input(description="部门报到: the caller's summoned unit reports in.")
class ReportInInput:
    case_id: strawberry.ID
    note: str | None = None
    expected_version: int | None = None


@strawberry.input(description="The caller's summoned unit records its own finding or result.")
class SubmitContributionInput:
    case_id: strawberry.ID
    contribution: str
    expected_version: int | None = None
