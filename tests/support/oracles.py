"""Expected answers, written from DESIGN.md ("Case lifecycle", "Authorization").

Never imported from the application: if the application's tables and these disagree, one of
them is wrong, and the tests built on these say which cell.
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from tests.support.demo import DemoUser

STATUSES = (
    "REGISTERED",
    "DISPATCHED",
    "IN_PROGRESS",
    "RESOLVED",
    "CLOSED",
    "REDIRECTED",
    "MERGED",
)
OPEN = ("REGISTERED", "DISPATCHED", "IN_PROGRESS")
DONE = ("RESOLVED", "CLOSED")
# Every action that changes a case (all but VIEW), in the contract's order.
ACTIONS = (
    "ASSESS",
    "DISPATCH",
    "ACCEPT",
    "RETURN",
    "ESCALATE",
    "REASSIGN",
    "SUPERVISE",
    "COMMENT",
    "RESOLVE",
    "CLOSE",
    "REOPEN",
    "REDIRECT",
    "MERGE",
    "EVALUATE",
    "FOLLOW_UP",
    # The case file (docs/CASE_FILE.md).
    "TAKE_OWNERSHIP",
    "RELEASE_OWNERSHIP",
    "RECORD_MEDIATION",
    "REQUEST_EXTENSION",
    "DECIDE_EXTENSION",
    "PAUSE",
    "RESUME",
    "SUMMON",
    "REPORT_IN",
    "CONTRIBUTE",
)
# CASE_FILE.md, "Summons": only a summoned unit answers, so these two need a summons first.
SUMMONS_ANSWERS = ("REPORT_IN", "CONTRIBUTE")
SUMMONS_ACTIONS = ("SUMMON", *SUMMONS_ANSWERS)

# status -> {action it allows: status after it}, for a case nobody owns (as every case starts).
# Everything not listed is INVALID_TRANSITION;
# VIEW, allowed everywhere, changes nothing and is left out. Where DESIGN.md names no target
# status, the action keeps the status it was taken from (ASSESS, COMMENT, SUPERVISE, EVALUATE,
# FOLLOW_UP) or the text of a sibling status says it: ESCALATE always lands REGISTERED at the
# parent, REASSIGN always lands DISPATCHED.
TRANSITIONS: dict[str, dict[str, str]] = {
    # "REGISTERED (at the handling unit): ASSESS, DISPATCH → DISPATCHED, ACCEPT → IN_PROGRESS,
    #  ESCALATE (… stays REGISTERED), REDIRECT → REDIRECTED, MERGE → MERGED."
    # "COMMENT and SUPERVISE on any open case."
    "REGISTERED": {
        "ASSESS": "REGISTERED",
        "DISPATCH": "DISPATCHED",
        "ACCEPT": "IN_PROGRESS",
        "ESCALATE": "REGISTERED",
        "REDIRECT": "REDIRECTED",
        "MERGE": "MERGED",
        "COMMENT": "REGISTERED",
        "SUPERVISE": "REGISTERED",
        # CASE_FILE.md: "a leader takes ownership of an open or resolved case nobody owns";
        # RELEASE_OWNERSHIP needs an owner, so an unowned case refuses it in every status;
        # likewise DECIDE_EXTENSION a pending request and RESUME a paused case.
        "TAKE_OWNERSHIP": "REGISTERED",
        "RECORD_MEDIATION": "REGISTERED",
        "REQUEST_EXTENSION": "REGISTERED",
        "PAUSE": "REGISTERED",
        # CASE_FILE.md: "summons, report-in and contribution on an open case".
        "SUMMON": "REGISTERED",
        "REPORT_IN": "REGISTERED",
        "CONTRIBUTE": "REGISTERED",
    },
    # "DISPATCHED: ACCEPT → IN_PROGRESS, RETURN → REGISTERED at the dispatching unit,
    #  REASSIGN (→ DISPATCHED to another unit), ESCALATE."
    "DISPATCHED": {
        "ACCEPT": "IN_PROGRESS",
        "RETURN": "REGISTERED",
        "REASSIGN": "DISPATCHED",
        "ESCALATE": "REGISTERED",
        "COMMENT": "DISPATCHED",
        "SUPERVISE": "DISPATCHED",
        "TAKE_OWNERSHIP": "DISPATCHED",
        "RECORD_MEDIATION": "DISPATCHED",
        "REQUEST_EXTENSION": "DISPATCHED",
        "PAUSE": "DISPATCHED",
        # CASE_FILE.md: "summons, report-in and contribution on an open case".
        "SUMMON": "DISPATCHED",
        "REPORT_IN": "DISPATCHED",
        "CONTRIBUTE": "DISPATCHED",
    },
    # "IN_PROGRESS: RESOLVE → RESOLVED, ESCALATE (→ REGISTERED at the parent), REASSIGN."
    # A reassigned case is dispatched to the new unit, which must accept it again.
    "IN_PROGRESS": {
        "RESOLVE": "RESOLVED",
        "ESCALATE": "REGISTERED",
        "REASSIGN": "DISPATCHED",
        "COMMENT": "IN_PROGRESS",
        "SUPERVISE": "IN_PROGRESS",
        "TAKE_OWNERSHIP": "IN_PROGRESS",
        "RECORD_MEDIATION": "IN_PROGRESS",
        "REQUEST_EXTENSION": "IN_PROGRESS",
        "PAUSE": "IN_PROGRESS",
        # CASE_FILE.md: "summons, report-in and contribution on an open case".
        "SUMMON": "IN_PROGRESS",
        "REPORT_IN": "IN_PROGRESS",
        "CONTRIBUTE": "IN_PROGRESS",
    },
    # "RESOLVED: CLOSE → CLOSED, REOPEN → IN_PROGRESS."
    # "EVALUATE and FOLLOW_UP once RESOLVED or CLOSED."
    "RESOLVED": {
        "CLOSE": "CLOSED",
        "REOPEN": "IN_PROGRESS",
        "EVALUATE": "RESOLVED",
        "FOLLOW_UP": "RESOLVED",
        "TAKE_OWNERSHIP": "RESOLVED",
    },
    # "CLOSED: REOPEN → IN_PROGRESS (e.g. after a DISSATISFIED evaluation)."
    "CLOSED": {
        "REOPEN": "IN_PROGRESS",
        "EVALUATE": "CLOSED",
        "FOLLOW_UP": "CLOSED",
    },
    # "plus terminal REDIRECTED and MERGED": nothing but reading them.
    "REDIRECTED": {},
    "MERGED": {},
}
# The statuses in which each action is possible at all.
STATUS_ALLOWS: dict[str, frozenset[str]] = {
    action: frozenset(s for s in STATUSES if action in TRANSITIONS[s]) for action in ACTIONS
}

# "Every change appends one CaseEvent": each action under its own past-tense type.
EVENT_OF: dict[str, str] = {
    "ASSESS": "ASSESSED",
    "DISPATCH": "DISPATCHED",
    "ACCEPT": "ACCEPTED",
    "RETURN": "RETURNED",
    "ESCALATE": "ESCALATED",
    "REASSIGN": "REASSIGNED",
    "SUPERVISE": "SUPERVISED",
    "COMMENT": "COMMENTED",
    "RESOLVE": "RESOLVED",
    "CLOSE": "CLOSED",
    "REOPEN": "REOPENED",
    "REDIRECT": "REDIRECTED",
    "MERGE": "MERGED",
    "EVALUATE": "EVALUATED",
    "FOLLOW_UP": "FOLLOWED_UP",
    "TAKE_OWNERSHIP": "OWNERSHIP_TAKEN",
    "RELEASE_OWNERSHIP": "OWNERSHIP_RELEASED",
    "RECORD_MEDIATION": "MEDIATION_RECORDED",
    "REQUEST_EXTENSION": "EXTENSION_REQUESTED",
    "DECIDE_EXTENSION": "EXTENSION_DECIDED",
    "PAUSE": "PAUSED",
    "RESUME": "RESUMED",
    "SUMMON": "SUMMONED",
    "REPORT_IN": "REPORTED_IN",
    "CONTRIBUTE": "CONTRIBUTED",
}
# The statuses in which an owned case may be released: where an unowned one may be taken.
RELEASE_ALLOWS = frozenset(s for s in STATUSES if "TAKE_OWNERSHIP" in TRANSITIONS[s])
# CASE_FILE.md: a pending request is decided, a paused case resumed, while the case is open.
DEADLINE_OPEN = frozenset(OPEN)


# ---------------------------------------------------------------------------------------
# The default policy: who (role @ level) may do an action, standing in which relation.
SAME, ANCESTOR, INVOLVED = "SAME", "ANCESTOR", "INVOLVED"


@dataclass(frozen=True)
class Grant:
    roles: frozenset[str]
    levels: frozenset[str] | None  # None: any level
    relations: frozenset[str]


STAFF = frozenset({"INTAKE", "HANDLER", "LEADER"})
EVERY_ROLE = STAFF | {"VIEWER", "ADMIN"}
ANY_LEVEL = None
DEFAULT_POLICY: dict[str, Grant] = {
    "VIEW": Grant(EVERY_ROLE, ANY_LEVEL, frozenset({SAME, ANCESTOR, INVOLVED})),
    **dict.fromkeys(
        ("ASSESS", "DISPATCH", "REDIRECT", "MERGE"),
        Grant(frozenset({"INTAKE", "LEADER"}), ANY_LEVEL, frozenset({SAME, ANCESTOR})),
    ),
    **dict.fromkeys(("ACCEPT", "RESOLVE", "RETURN"), Grant(STAFF, ANY_LEVEL, frozenset({SAME}))),
    "ESCALATE": Grant(STAFF, frozenset({"VILLAGE", "TOWNSHIP", "DEPARTMENT"}), frozenset({SAME})),
    "REASSIGN": Grant(
        frozenset({"LEADER"}), frozenset({"TOWNSHIP", "COUNTY"}), frozenset({SAME, ANCESTOR})
    ),
    "SUPERVISE": Grant(
        frozenset({"LEADER"}), frozenset({"TOWNSHIP", "COUNTY"}), frozenset({ANCESTOR})
    ),
    **dict.fromkeys(
        ("CLOSE", "REOPEN"), Grant(frozenset({"LEADER"}), ANY_LEVEL, frozenset({SAME, ANCESTOR}))
    ),
    **dict.fromkeys(
        ("COMMENT", "EVALUATE", "FOLLOW_UP", "RECORD_MEDIATION"),
        Grant(STAFF, ANY_LEVEL, frozenset({SAME, ANCESTOR, INVOLVED})),
    ),
    # CASE_FILE.md: "the handling unit requests an extension".
    "REQUEST_EXTENSION": Grant(STAFF, ANY_LEVEL, frozenset({SAME})),
    # "A leader above the handling unit decides, pauses and resumes; a case the county
    # itself handles, a county leader" (SAME only at the county: SAME_ONLY_AT_COUNTY).
    **dict.fromkeys(
        ("DECIDE_EXTENSION", "PAUSE", "RESUME"),
        Grant(
            frozenset({"LEADER"}), frozenset({"TOWNSHIP", "COUNTY"}), frozenset({SAME, ANCESTOR})
        ),
    ),
    # CASE_FILE.md: "township and county leaders take on any case they can see".
    **dict.fromkeys(
        ("TAKE_OWNERSHIP", "RELEASE_OWNERSHIP"),
        Grant(
            frozenset({"LEADER"}),
            frozenset({"TOWNSHIP", "COUNTY"}),
            frozenset({SAME, ANCESTOR, INVOLVED}),
        ),
    ),
    # CASE_FILE.md: "a township or the county centre handling the case summons; the summoned
    # units answer" (INVOLVED; that the unit itself was summoned is a structural rule).
    "SUMMON": Grant(STAFF, frozenset({"TOWNSHIP", "COUNTY"}), frozenset({SAME})),
    **dict.fromkeys(SUMMONS_ANSWERS, Grant(STAFF, ANY_LEVEL, frozenset({INVOLVED}))),
}
# "RED-risk cases only by a county LEADER".
RED_ONLY_BY_COUNTY_LEADER = frozenset({"CLOSE", "REOPEN"})
# Deadline decisions on a case a unit handles itself are the county's only.
SAME_ONLY_AT_COUNTY = frozenset({"DECIDE_EXTENSION", "PAUSE", "RESUME"})
# Actions only the handling unit itself may take.
SAME_UNIT_ACTIONS = frozenset(a for a, g in DEFAULT_POLICY.items() if g.relations == {SAME})

Unit = TypeVar("Unit")


def relations(
    unit: Unit, handling: Unit, involved: Iterable[Unit], lineage: Callable[[Unit], list[Unit]]
) -> frozenset[str]:
    """How `unit` stands to a case: SAME (the handling unit), ANCESTOR (above it), INVOLVED
    (is or lies above the intake, location or a co-handling unit, the `involved` units)."""
    found: set[str] = set()
    if unit == handling:
        found.add(SAME)
    elif unit in lineage(handling):
        found.add(ANCESTOR)
    if any(unit in lineage(u) for u in involved):
        found.add(INVOLVED)
    return frozenset(found)


def policy_allows(user: DemoUser, action: str, standing: frozenset[str], risk: str) -> bool:
    """Whether the default policy lets `user`, in the relations `standing`, do `action` on a
    case of `risk`."""
    grant = DEFAULT_POLICY[action]
    if action in RED_ONLY_BY_COUNTY_LEADER and risk == "RED" and user.level != "COUNTY":
        return False
    if action in SAME_ONLY_AT_COUNTY and user.level != "COUNTY":
        standing = standing - {SAME}
    level_ok = grant.levels is ANY_LEVEL or user.level in grant.levels
    return bool(user.roles & grant.roles) and level_ok and bool(standing & grant.relations)


# A resident's tracking code: at least 12 characters, none of the look-alikes 0/O/1/I/L.
TRACKING_CODE = re.compile(r"^[2-9A-HJKMNP-Z]{12,}$")
