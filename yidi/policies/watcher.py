"""Keeps this process's enforcers in step with policy changes made by any process.

Each process polls the tiny `policy_revisions` table twice a second and drops the
enforcer of any county whose revision moved; the next request reloads it. Polling
(rather than only LISTEN) keeps working across dropped connections and failovers,
and bounds the delay to well under the one second the design allows.
"""

import asyncio
import logging

from yidi.authz.enforcer import PolicyRegistry
from yidi.persistence.policies import all_revisions
from yidi.services.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

POLL_SECONDS = 0.5


async def sync_once(uow: UnitOfWork) -> None:
    registry: PolicyRegistry = uow.registry
    async with uow.read() as session:
        current = await all_revisions(session)
    for county_id, known in registry.known_revisions().items():
        if current.get(county_id, 0) != known:
            log.info("policy of county %s changed; reloading", county_id)
            registry.invalidate(county_id)


async def watch_policies(uow: UnitOfWork) -> None:
    while True:
        try:
            await sync_once(uow)
        except Exception:  # the database may be briefly unreachable; keep watching
            log.warning("policy revision poll failed", exc_info=True)
        await asyncio.sleep(POLL_SECONDS)
