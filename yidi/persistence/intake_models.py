"""Tables of intake and routing (docs/INTAKE.md): responsibility lists, intake settings and
visit report sheets.

Kept beside `models.py` (which imports this module, so `Base.metadata` knows them).
"""

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from yidi.persistence.models import Base


class ResponsibilityRule(Base):
    """One rule of a county's responsibility list (责任清单), in the list's order."""

    __tablename__ = "responsibility_rules"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    county_id: Mapped[int] = mapped_column(BigInteger, index=True)
    position: Mapped[int] = mapped_column(Integer)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"))
    level: Mapped[str] = mapped_column(String(16))
    responsible: Mapped[str] = mapped_column(String(24))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    duty: Mapped[str] = mapped_column(String(16))


class ResponsibilityRevision(Base):
    """Bumped on every change of a county's list: a stale `expectedRevision` is refused."""

    __tablename__ = "responsibility_revisions"

    county_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    revision: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class IntakeSetting(Base):
    """A county's intake settings; a county without a row has the defaults."""

    __tablename__ = "intake_settings"

    county_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    # Dispatch a newly registered case to the best suggestion of the list at once.
    auto_route: Mapped[bool] = mapped_column(Boolean, server_default="false")
    # Repeat petitions: how far back open-or-recent cases are compared, and how similar
    # (pg_trgm similarity, 0..1) a text must be at the same place.
    repeat_window_days: Mapped[int] = mapped_column(Integer, server_default="180")
    repeat_similarity: Mapped[float] = mapped_column(Float, server_default="0.5")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class VisitReport(Base):
    """A visit report sheet (民意报告单); its client key makes a resend return it."""

    __tablename__ = "visit_reports"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    county_id: Mapped[int] = mapped_column(BigInteger, index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    location_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    client_key: Mapped[str] = mapped_column(String(200))
    content_hash: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16))
    place: Mapped[str | None] = mapped_column(String(200))
    visited_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    households: Mapped[int] = mapped_column(Integer)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        UniqueConstraint("submitted_by_id", "client_key", name="uq_visit_reports_client_key"),
    )


class VisitReportItem(Base):
    """One item of a sheet: the case it became, or a note for the record."""

    __tablename__ = "visit_report_items"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("visit_reports.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
