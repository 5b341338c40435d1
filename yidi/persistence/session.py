"""The session types the layers above pass around without importing SQLAlchemy themselves."""

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

Session = AsyncSession
SessionFactory = async_sessionmaker[AsyncSession]
