"""Keeps this process's enforcers in step with policy changes made by any process.

Each process polls the tiny `policy_revisions` table twice a second and drops the
enforcer of any county whose revision moved; the next request reloads it. Polling
(rather than only LISTEN) keeps working across dropped connections and failovers,
and bounds the delay to well under the one second the design allows.
"""

import asyncio
import logging

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from yidi.authz.enforcer import PolicyRegistry
from yidi.persistence.policies import all_revisions

log = logging.getLogger(__name__)

POLL_SECONDS = 0.5


async def sync_once(registry: PolicyRegistry, sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session:
        current = await all_revisions(session)
    for county_id, known in registry.known_revisions().items():
        if current.get(county_id, 0) != known:
            log.info("policy of county %s changed; reloading", county_id)
            registry.invalidate(county_id)


async def watch_policies(
    registry: PolicyRegistry, sessions: async_sessionmaker[AsyncSession]
) -> None:
    while True:
        try:
            await sync_once(registry, sessions)
        except Exception:  # the database may be briefly unreachable; keep watching
            log.warning("policy revision poll failed", exc_info=True)
        await asyncio.sleep(POLL_SECONDS)
