"""Enumerations of the domain, shared by every layer (the GraphQL enums mirror them)."""

from enum import StrEnum


class UnitLevel(StrEnum):
    COUNTY = "COUNTY"
    TOWNSHIP = "TOWNSHIP"
    VILLAGE = "VILLAGE"


class UnitKind(StrEnum):
    AREA = "AREA"
    DEPARTMENT = "DEPARTMENT"


class Interval(StrEnum):
    """A dashboard trend's bucket (docs/DASHBOARDS.md)."""

    DAY = "DAY"
    WEEK = "WEEK"
    MONTH = "MONTH"


class Role(StrEnum):
    INTAKE = "INTAKE"
    HANDLER = "HANDLER"
    LEADER = "LEADER"
    VIEWER = "VIEWER"
    ADMIN = "ADMIN"


class Channel(StrEnum):
    VISIT = "VISIT"
    HOTLINE = "HOTLINE"
    # Work orders pushed by the 12345 government service hotline's platform (docs/HOTLINE.md).
    HOTLINE_12345 = "HOTLINE_12345"
    # Requests filed by Open311 GeoReport v2 clients: apps and kiosks (docs/OPEN311.md).
    OPEN311 = "OPEN311"
    ONLINE = "ONLINE"
    WECHAT = "WECHAT"
    QR_CODE = "QR_CODE"
    GRID_PATROL = "GRID_PATROL"
    CADRE_VISIT = "CADRE_VISIT"
    LETTER = "LETTER"
    EMAIL = "EMAIL"
    REFERRAL = "REFERRAL"
    OTHER = "OTHER"
    # Brought in from a county's 民声登记簿 spreadsheet whose row does not say how the matter
    # came in (docs/IMPORT.md).
    LEDGER_IMPORT = "LEDGER_IMPORT"


class CaseStatus(StrEnum):
    REGISTERED = "REGISTERED"
    DISPATCHED = "DISPATCHED"
    IN_PROGRESS = "IN_PROGRESS"
    RESOLVED = "RESOLVED"
    CLOSED = "CLOSED"
    REDIRECTED = "REDIRECTED"
    MERGED = "MERGED"


OPEN_STATUSES = frozenset({CaseStatus.REGISTERED, CaseStatus.DISPATCHED, CaseStatus.IN_PROGRESS})


class RiskLevel(StrEnum):
    BLUE = "BLUE"
    YELLOW = "YELLOW"
    ORANGE = "ORANGE"
    RED = "RED"


# Ordering for `orderBy: RISK_LEVEL`: BLUE is the lowest risk.
RISK_RANK = {RiskLevel.BLUE: 0, RiskLevel.YELLOW: 1, RiskLevel.ORANGE: 2, RiskLevel.RED: 3}


class HandlingTrack(StrEnum):
    SIMPLE = "SIMPLE"
    STANDARD = "STANDARD"
    TASK_FORCE = "TASK_FORCE"


class Outcome(StrEnum):
    SOLVED = "SOLVED"
    MEDIATED = "MEDIATED"
    EXPLAINED = "EXPLAINED"
    PARTIALLY_SOLVED = "PARTIALLY_SOLVED"
    UNRESOLVABLE = "UNRESOLVABLE"


class Satisfaction(StrEnum):
    SATISFIED = "SATISFIED"
    BASICALLY_SATISFIED = "BASICALLY_SATISFIED"
    DISSATISFIED = "DISSATISFIED"


class FollowUpMethod(StrEnum):
    PHONE = "PHONE"
    VISIT = "VISIT"
    MEETING = "MEETING"
    MESSAGE = "MESSAGE"


class CaseAction(StrEnum):
    VIEW = "VIEW"
    ASSESS = "ASSESS"
    DISPATCH = "DISPATCH"
    ACCEPT = "ACCEPT"
    RETURN = "RETURN"
    ESCALATE = "ESCALATE"
    REASSIGN = "REASSIGN"
    SUPERVISE = "SUPERVISE"
    COMMENT = "COMMENT"
    RESOLVE = "RESOLVE"
    CLOSE = "CLOSE"
    REOPEN = "REOPEN"
    REDIRECT = "REDIRECT"
    MERGE = "MERGE"
    EVALUATE = "EVALUATE"
    FOLLOW_UP = "FOLLOW_UP"
    # The case file (docs/CASE_FILE.md).
    TAKE_OWNERSHIP = "TAKE_OWNERSHIP"
    RELEASE_OWNERSHIP = "RELEASE_OWNERSHIP"
    RECORD_MEDIATION = "RECORD_MEDIATION"
    REQUEST_EXTENSION = "REQUEST_EXTENSION"
    DECIDE_EXTENSION = "DECIDE_EXTENSION"
    PAUSE = "PAUSE"
    RESUME = "RESUME"
    # 中心吹哨、部门报到 (docs/CASE_FILE.md, "Summons").
    SUMMON = "SUMMON"
    REPORT_IN = "REPORT_IN"
    CONTRIBUTE = "CONTRIBUTE"


class CaseEventType(StrEnum):
    REGISTERED = "REGISTERED"
    ASSESSED = "ASSESSED"
    DISPATCHED = "DISPATCHED"
    ACCEPTED = "ACCEPTED"
    RETURNED = "RETURNED"
    ESCALATED = "ESCALATED"
    REASSIGNED = "REASSIGNED"
    SUPERVISED = "SUPERVISED"
    COMMENTED = "COMMENTED"
    RESOLVED = "RESOLVED"
    CLOSED = "CLOSED"
    REOPENED = "REOPENED"
    REDIRECTED = "REDIRECTED"
    MERGED = "MERGED"
    # On the original case when a duplicate is merged into it (the duplicate gets MERGED).
    DUPLICATE_MERGED = "DUPLICATE_MERGED"
    EVALUATED = "EVALUATED"
    FOLLOWED_UP = "FOLLOWED_UP"
    DUE_SOON = "DUE_SOON"
    OVERDUE = "OVERDUE"
    OWNERSHIP_TAKEN = "OWNERSHIP_TAKEN"
    OWNERSHIP_RELEASED = "OWNERSHIP_RELEASED"
    MEDIATION_RECORDED = "MEDIATION_RECORDED"
    EXTENSION_REQUESTED = "EXTENSION_REQUESTED"
    EXTENSION_DECIDED = "EXTENSION_DECIDED"
    PAUSED = "PAUSED"
    RESUMED = "RESUMED"
    SUMMONED = "SUMMONED"
    REPORTED_IN = "REPORTED_IN"
    CONTRIBUTED = "CONTRIBUTED"
    # The sweeper: a summoned unit let its report-in deadline pass (once per summons).
    REPORT_IN_MISSED = "REPORT_IN_MISSED"
    EVIDENCE_ATTACHED = "EVIDENCE_ATTACHED"
    # 重复信访: staff confirmed (or withdrew) that the case repeats an earlier petition.
    REPEAT_MARKED = "REPEAT_MARKED"


class MediationKind(StrEnum):
    """The five kinds of mediation that work together (五调联动)."""

    PEOPLES = "PEOPLES"  # 人民调解
    ADMINISTRATIVE = "ADMINISTRATIVE"  # 行政调解
    JUDICIAL = "JUDICIAL"  # 司法调解
    PROFESSIONAL = "PROFESSIONAL"  # 行业性专业性调解
    LAWYER = "LAWYER"  # 律师调解


class MediationLinkage(StrEnum):
    """Through which linkage the matter came to mediation."""

    COURT = "COURT"  # 诉调对接
    POLICE = "POLICE"  # 警调对接
    PETITION = "PETITION"  # 访调对接
    ONLINE = "ONLINE"  # 网调对接
    SPECIALIZED = "SPECIALIZED"  # 专调对接


class MediatorRole(StrEnum):
    """The role of a mediator from outside the staff (1+1+N: a lawyer, a 乡贤, party members)."""

    LAWYER = "LAWYER"
    RESPECTED_LOCAL = "RESPECTED_LOCAL"  # 乡贤
    PARTY_MEMBER = "PARTY_MEMBER"
    PEOPLES_MEDIATOR = "PEOPLES_MEDIATOR"
    LEGAL_WORKER = "LEGAL_WORKER"  # 基层法律服务工作者
    OTHER = "OTHER"


class MediationOutcome(StrEnum):
    AGREEMENT = "AGREEMENT"
    PARTIAL = "PARTIAL"
    NO_AGREEMENT = "NO_AGREEMENT"
    ADJOURNED = "ADJOURNED"


# A mediation that settles the matter, wholly or partly: what resolving as MEDIATED needs.
SETTLING_MEDIATION = frozenset({MediationOutcome.AGREEMENT, MediationOutcome.PARTIAL})


class PauseReason(StrEnum):
    """Why the clock stops (中止): the case waits on something outside the county's hands."""

    COURT = "COURT"  # 等待法院裁判
    APPRAISAL = "APPRAISAL"  # 等待鉴定、评估
    OTHER_AUTHORITY = "OTHER_AUTHORITY"  # 等待其他机关处理
    OTHER = "OTHER"


class ExtensionStatus(StrEnum):
    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    LAPSED = "LAPSED"  # the case was resolved before anyone decided


class ClosureKind(StrEnum):
    """Whether closing says the matter is settled (实质性结案) or only handled (程序性结案)."""

    SUBSTANTIVE = "SUBSTANTIVE"
    PROCEDURAL = "PROCEDURAL"


class SummonsState(StrEnum):
    """Where one summoned unit stands (吹哨报到)."""

    SUMMONED = "SUMMONED"  # called, not yet reported in
    MISSED = "MISSED"  # the report-in deadline passed without a report-in (it may still come)
    REPORTED = "REPORTED"  # reported in (报到); its contribution is due
    CONTRIBUTED = "CONTRIBUTED"  # its finding or result is recorded: done
