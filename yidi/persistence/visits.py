"""Storage of visit report sheets (民意报告单, docs/INTAKE.md)."""

from collections.abc import Sequence

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from yidi.database import locks
from yidi.persistence.intake_models import VisitReport, VisitReportItem


async def claim(session: AsyncSession, user_id: int, client_key: str) -> VisitReport | None:
    """The sheet the user already sent under this key, or None; holds a transaction lock on
    the key, so a resend racing the first attempt waits for it and then finds its sheet."""
    await session.execute(
        text("SELECT pg_advisory_xact_lock(:ns, hashtext(:k))"),
        {"ns": locks.IDEMPOTENCY_KEYS, "k": f"visit-report:{user_id}/{client_key}"},
    )
    return await session.scalar(
        select(VisitReport).where(
            VisitReport.submitted_by_id == user_id, VisitReport.client_key == client_key
        )
    )


async def add_report(
    session: AsyncSession, report: VisitReport, items: Sequence[VisitReportItem]
) -> None:
    session.add(report)
    await session.flush()
    for item in items:
        item.report_id = report.id
        session.add(item)
    await session.flush()


async def items_of_report(session: AsyncSession, report_id: int) -> list[VisitReportItem]:
    rows = await session.scalars(
        select(VisitReportItem)
        .where(VisitReportItem.report_id == report_id)
        .order_by(VisitReportItem.position)
    )
    return list(rows)
