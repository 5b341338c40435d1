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
    ONLINE = "ONLINE"
    WECHAT = "WECHAT"
    QR_CODE = "QR_CODE"
    GRID_PATROL = "GRID_PATROL"
    CADRE_VISIT = "CADRE_VISIT"
    LETTER = "LETTER"
    EMAIL = "EMAIL"
    REFERRAL = "REFERRAL"
    OTHER = "OTHER"


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
