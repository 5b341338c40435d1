"""The default policy each county starts with (DESIGN.md, "Default policy")."""

from yidi.authz.rules import Rule

_ALL_ROLES = ("INTAKE", "HANDLER", "LEADER", "VIEWER", "ADMIN")
_STAFF = ("INTAKE", "HANDLER", "LEADER")
_NOT_RED = "BLUE|YELLOW|ORANGE"
_DEADLINE_DECISIONS = ("DECIDE_EXTENSION", "PAUSE", "RESUME")


def _rules(
    roles: tuple[str, ...], actions: tuple[str, ...], rel: str, level: str = "*", risk: str = "*"
) -> list[Rule]:
    return [Rule(role, level, rel, action, risk) for action in actions for role in roles]


DEFAULT_POLICY: tuple[Rule, ...] = tuple(
    _rules(_ALL_ROLES, ("VIEW",), "SAME|ANCESTOR|INVOLVED")
    + _rules(("INTAKE", "LEADER"), ("REGISTER",), "*")
    + _rules(("INTAKE", "LEADER"), ("ASSESS", "DISPATCH", "REDIRECT", "MERGE"), "SAME|ANCESTOR")
    + _rules(_STAFF, ("ACCEPT", "RESOLVE", "RETURN"), "SAME")
    + _rules(_STAFF, ("ESCALATE",), "SAME", level="VILLAGE|TOWNSHIP|DEPARTMENT")
    + _rules(("LEADER",), ("REASSIGN",), "SAME|ANCESTOR", level="TOWNSHIP|COUNTY")
    + _rules(("LEADER",), ("SUPERVISE",), "ANCESTOR", level="TOWNSHIP|COUNTY")
    # RED-risk cases are closed or reopened by a county leader only.
    + _rules(("LEADER",), ("CLOSE", "REOPEN"), "SAME|ANCESTOR", risk=_NOT_RED)
    + _rules(("LEADER",), ("CLOSE", "REOPEN"), "SAME|ANCESTOR", level="COUNTY")
    + _rules(_STAFF, ("COMMENT", "EVALUATE", "FOLLOW_UP"), "SAME|ANCESTOR|INVOLVED")
    # 领导包案: township and county leaders take on any case they see (docs/CASE_FILE.md).
    + _rules(
        ("LEADER",),
        ("TAKE_OWNERSHIP", "RELEASE_OWNERSHIP"),
        "SAME|ANCESTOR|INVOLVED",
        level="TOWNSHIP|COUNTY",
    )
    # Mediation: whoever works on or alongside the case records the sessions they held.
    + _rules(_STAFF, ("RECORD_MEDIATION",), "SAME|ANCESTOR|INVOLVED")
    # 延期 / 中止: the handling unit asks; a leader above it decides, pauses and resumes —
    # or, for a case the county itself handles, a county leader (docs/CASE_FILE.md).
    + _rules(_STAFF, ("REQUEST_EXTENSION",), "SAME")
    + _rules(("LEADER",), _DEADLINE_DECISIONS, "ANCESTOR", level="TOWNSHIP|COUNTY")
    + _rules(("LEADER",), _DEADLINE_DECISIONS, "SAME", level="COUNTY")
    # 吹哨报到: a township or the county centre handling the case summons; the summoned
    # units (co-handlers, INVOLVED) answer — only the summoned unit itself (guard).
    + _rules(_STAFF, ("SUMMON",), "SAME", level="TOWNSHIP|COUNTY")
    + _rules(_STAFF, ("REPORT_IN", "CONTRIBUTE"), "INVOLVED")
    # Evidence: whoever works on or alongside the case adds the files they hold.
    + _rules(_STAFF, ("ATTACH",), "SAME|ANCESTOR|INVOLVED")
    # Never VIEWER or co-handlers: INVOLVED alone does not unmask.
    + _rules(_STAFF, ("VIEW_PERSONAL_DATA",), "SAME|ANCESTOR|INTAKE")
    + _rules(("ADMIN",), ("MANAGE_POLICY",), "*", level="COUNTY")
    + _rules(("ADMIN",), ("MANAGE_HOTLINE",), "*", level="COUNTY")
    + _rules(_STAFF, ("VIEW_STATS",), "SAME|ANCESTOR")
    # Intake and routing (docs/INTAKE.md).
    + _rules(("ADMIN",), ("MANAGE_RESPONSIBILITIES",), "*", level="COUNTY")
    + _rules(("INTAKE", "LEADER"), ("MARK_REPEAT",), "SAME|ANCESTOR|INTAKE")
    + _rules(_STAFF, ("SUBMIT_VISIT_REPORT",), "*")
    # The ledger import (docs/IMPORT.md): a county's registers, brought in by its admin.
    + _rules(("ADMIN",), ("IMPORT_LEDGER",), "*", level="COUNTY")
)
