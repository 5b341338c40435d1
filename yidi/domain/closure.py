"""回访 before it counts (docs/CASE_FILE.md, "Follow-up before closure")."""

from collections.abc import Collection

from yidi.domain.enums import ClosureKind, RiskLevel

# A county's default: the higher-risk cases are visited again before they count as settled.
DEFAULT_FOLLOW_UP_RISKS = (RiskLevel.ORANGE, RiskLevel.RED)
# How a follow-up that finds the matter unsettled reads in the timeline.
UNSETTLED_NOTE = "回访发现问题未解决，重新办理"


def follow_up_required(kind: ClosureKind, risk: RiskLevel, risks: Collection[RiskLevel]) -> bool:
    """A substantive close of a case whose risk the county names needs a follow-up first."""
    return kind is ClosureKind.SUBSTANTIVE and risk in risks
