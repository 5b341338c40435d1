"""Rules of 中心吹哨、部门报到 (docs/CASE_FILE.md, "Summons").

The handling unit summons other units of its county with a report-in deadline in hours;
each summoned unit reports in, then records its own contribution. A unit has at most one
summons pending on a case; once it has contributed, it may be summoned again.
"""

from datetime import datetime, timedelta

from yidi.domain.enums import CaseAction, SummonsState
from yidi.domain.errors import BadInput, InvalidTransition

# Report-in is measured in clock hours: a department that is called answers within days.
MAX_REPORT_IN_HOURS = 72
MAX_UNITS_PER_SUMMONS = 10

# A summons the unit still owes something on: it blocks summoning that unit again.
PENDING = frozenset({SummonsState.SUMMONED, SummonsState.MISSED, SummonsState.REPORTED})
# The state each answer needs, and the state it leaves.
_ANSWERS: dict[CaseAction, tuple[frozenset[SummonsState], SummonsState]] = {
    # A late report-in is still a report-in: MISSED stays on record as `missedAt`.
    CaseAction.REPORT_IN: (
        frozenset({SummonsState.SUMMONED, SummonsState.MISSED}),
        SummonsState.REPORTED,
    ),
    CaseAction.CONTRIBUTE: (frozenset({SummonsState.REPORTED}), SummonsState.CONTRIBUTED),
}


def check_hours(hours: int) -> int:
    if not 1 <= hours <= MAX_REPORT_IN_HOURS:
        raise BadInput("reportInHours", f"Report in within 1 to {MAX_REPORT_IN_HOURS} hours.")
    return hours


def check_unit_count(unit_ids: tuple[int, ...]) -> tuple[int, ...]:
    """The units named, each once, in the order given."""
    unique = tuple(dict.fromkeys(unit_ids))
    if not unique:
        raise BadInput("unitIds", "Name at least one unit to summon.")
    if len(unique) > MAX_UNITS_PER_SUMMONS:
        raise BadInput("unitIds", f"At most {MAX_UNITS_PER_SUMMONS} units per summons.")
    return unique


def report_by(now: datetime, hours: int) -> datetime:
    return now + timedelta(hours=hours)


def answer(action: CaseAction, state: SummonsState | None) -> SummonsState:
    """The state after a summoned unit's REPORT_IN or CONTRIBUTE; INVALID_TRANSITION when
    its summons is not in the state the answer needs (or it has none pending)."""
    needs, after = _ANSWERS[action]
    if state is None:
        raise InvalidTransition("Your unit has no summons pending on this case.")
    if state not in needs:
        verb = action.value.lower().replace("_", " ")
        raise InvalidTransition(f"Your unit's summons is {state.value}: it cannot {verb} now.")
    return after
