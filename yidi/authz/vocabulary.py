"""The words a policy rule may use, and the actor's level token."""

from enum import StrEnum

from yidi.domain.enums import CaseAction, RiskLevel, Role, UnitKind, UnitLevel


class Relation(StrEnum):
    """How the actor's unit stands to a case (DESIGN.md, Authorization)."""

    SAME = "SAME"  # it is the handling unit
    ANCESTOR = "ANCESTOR"  # it lies above the handling unit
    INVOLVED = "INVOLVED"  # it is, or lies above, the intake, location or a co-handling unit
    INTAKE = "INTAKE"  # it registered the case (personal data stays visible to it)
    NONE = "NONE"  # no case yet (REGISTER) or no relation at all


class Permission(StrEnum):
    """Actions that are not case lifecycle actions."""

    REGISTER = "REGISTER"
    VIEW_PERSONAL_DATA = "VIEW_PERSONAL_DATA"
    MANAGE_POLICY = "MANAGE_POLICY"
    # Dashboards of a unit: SAME for the actor's own unit, ANCESTOR for one below it.
    VIEW_STATS = "VIEW_STATS"
    # Evidence (证据材料) attached to a case (docs/CASE_FILE.md, "Evidence").
    ATTACH = "ATTACH"
    # The county's 12345 hotline bridge: its callbacks' delivery state (docs/HOTLINE.md).
    MANAGE_HOTLINE = "MANAGE_HOTLINE"
    # Intake and routing (docs/INTAKE.md): the county's responsibility list and intake
    # settings; confirming that a case repeats an earlier petition (重复信访).
    MANAGE_RESPONSIBILITIES = "MANAGE_RESPONSIBILITIES"
    MARK_REPEAT = "MARK_REPEAT"
    # Sending in a visit report sheet (民意报告单); its cases need REGISTER as well.
    SUBMIT_VISIT_REPORT = "SUBMIT_VISIT_REPORT"
    # Importing a 民声登记簿 spreadsheet into the county (docs/IMPORT.md).
    IMPORT_LEDGER = "IMPORT_LEDGER"


ACTOR_LEVELS = ("COUNTY", "TOWNSHIP", "VILLAGE", "DEPARTMENT")
ROLES = tuple(r.value for r in Role)
RELATIONS = tuple(r.value for r in Relation)
ACTIONS = tuple(a.value for a in CaseAction) + tuple(p.value for p in Permission)
RISKS = tuple(r.value for r in RiskLevel)


def actor_level(kind: UnitKind, level: UnitLevel) -> str:
    """Departments form one level of their own in rules ("in any department")."""
    return "DEPARTMENT" if kind is UnitKind.DEPARTMENT else level.value
