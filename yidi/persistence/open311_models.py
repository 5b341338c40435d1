"""The Open311 endpoints' table (docs/OPEN311.md): the api keys an operator issues to the
apps and kiosks that file requests for a county.

Kept beside `models.py` (which imports this module, so `Base.metadata` knows it).
"""

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from yidi.persistence.models import Base


class Open311Key(Base):
    """An api_key of one county: only its SHA-256 is kept; revoked keys stay for the record."""

    __tablename__ = "open311_keys"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
