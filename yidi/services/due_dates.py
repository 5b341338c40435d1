"""A case's deadline from its track and category: set on assessment and on reopening."""

from datetime import datetime

from yidi.domain import intake
from yidi.domain.enums import HandlingTrack
from yidi.persistence.models import Case, Category
from yidi.persistence.session import Session
from yidi.persistence.units import categories_by_ids
from yidi.services.actions import Step


async def category_of(session: Session, case: Case) -> Category:
    return (await categories_by_ids(session, [case.category_id]))[case.category_id]


def set_due_at(step: Step, since: datetime, track: HandlingTrack, category: Category) -> None:
    """A fresh deadline, and fresh alerts for it."""
    limit = intake.time_limit_days(track, category.time_limit_days)
    due_at = step.work.calendar.due_at(since, limit)
    if step.case.paused_since is not None:
        step.case.due_at_when_paused = due_at  # no deadline runs until the case resumes
    else:
        step.case.due_at = due_at
    step.case.due_soon_sent_at = None
    step.case.overdue_sent_at = None
