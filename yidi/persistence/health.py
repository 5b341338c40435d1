"""Readiness: does the database answer?"""

from sqlalchemy import text

from yidi.persistence.session import SessionFactory


async def database_answers(sessions: SessionFactory) -> None:
    """Raises when the database cannot be reached."""
    async with sessions() as session:
        await session.execute(text("SELECT 1"))
