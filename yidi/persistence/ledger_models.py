"""The rows imported from 民声登记簿 spreadsheets (docs/IMPORT.md): one per case, keyed by
the county and the register's own number, with the hash of the row's content, so a re-run
of the same file writes nothing and a row changed since is reported, not overwritten.

Kept beside `models.py` (which imports this module, so `Base.metadata` knows it).
"""

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from yidi.persistence.models import Base


class LedgerRow(Base):
    __tablename__ = "ledger_rows"

    county_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    external_number: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
