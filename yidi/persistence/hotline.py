"""The 12345 hotline bridge's rows: county links, received orders, nonces, callbacks."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select, text
from sqlalchemy.dialects.postgresql import insert

from yidi.persistence.models import HotlineBridge, HotlineCallback, HotlineNonce, HotlineOrder
from yidi.persistence.session import Session


async def bridge_of(session: Session, county_id: int) -> HotlineBridge | None:
    return await session.get(HotlineBridge, county_id)


async def bridges_of(session: Session, county_ids: Sequence[int]) -> dict[int, HotlineBridge]:
    rows = await session.scalars(
        select(HotlineBridge).where(HotlineBridge.county_id.in_(set(county_ids)))
    )
    return {row.county_id: row for row in rows}


async def save_bridge(
    session: Session, county_id: int, secret: str | None, callback_url: str | None
) -> HotlineBridge:
    """Create or change a county's link; None leaves a value as it is."""
    bridge = await session.get(HotlineBridge, county_id)
    if bridge is None:
        assert secret is not None, "a new link needs its secret"
        bridge = HotlineBridge(county_id=county_id, secret=secret, enabled=True)
        session.add(bridge)
    if secret is not None:
        bridge.secret = secret
    if callback_url is not None:
        bridge.callback_url = callback_url or None
    await session.flush()
    return bridge


async def claim_nonce(session: Session, county_id: int, nonce: str, now: datetime) -> bool:
    """Record a request's nonce; False if the county has seen it already (a replay)."""
    inserted = await session.scalar(
        insert(HotlineNonce)
        .values(county_id=county_id, nonce=nonce, seen_at=now)
        .on_conflict_do_nothing()
        .returning(HotlineNonce.nonce)
    )
    return inserted is not None


async def forget_nonces_before(session: Session, before: datetime) -> int:
    result = await session.execute(delete(HotlineNonce).where(HotlineNonce.seen_at < before))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def add_order(
    session: Session, county_id: int, order_id: str, case_id: int, now: datetime
) -> None:
    session.add(
        HotlineOrder(case_id=case_id, county_id=county_id, order_id=order_id, received_at=now)
    )
    await session.flush()


async def orders_of_cases(session: Session, case_ids: Sequence[int]) -> dict[int, str]:
    """case id → the order it came from, for those of `case_ids` that came from one."""
    rows = await session.execute(
        select(HotlineOrder.case_id, HotlineOrder.order_id).where(
            HotlineOrder.case_id.in_(set(case_ids))
        )
    )
    return {row.case_id: row.order_id for row in rows}


def add_callbacks(session: Session, callbacks: Sequence[HotlineCallback]) -> None:
    session.add_all(callbacks)


async def due_callbacks(session: Session, now: datetime, limit: int) -> list[HotlineCallback]:
    """Pending callbacks due now, each the oldest pending one of its case (a case's
    callbacks go out in order), locked for this transaction; rows another process is
    delivering are skipped."""
    rows = await session.scalars(
        select(HotlineCallback)
        .from_statement(
            text(
                "SELECT * FROM hotline_callbacks c WHERE c.state = 'PENDING' "
                "AND c.next_attempt_at <= :now AND NOT EXISTS ("
                "  SELECT 1 FROM hotline_callbacks e WHERE e.county_id = c.county_id "
                "  AND e.case_id = c.case_id AND e.id < c.id AND e.state = 'PENDING') "
                "ORDER BY c.next_attempt_at, c.id LIMIT :limit FOR UPDATE SKIP LOCKED"
            )
        )
        .params(now=now, limit=limit)
    )
    return list(rows)


async def callbacks_of_county(
    session: Session, county_id: int, state: str | None, limit: int
) -> list[HotlineCallback]:
    query = select(HotlineCallback).where(HotlineCallback.county_id == county_id)
    if state is not None:
        query = query.where(HotlineCallback.state == state)
    rows = await session.scalars(query.order_by(HotlineCallback.id.desc()).limit(limit))
    return list(rows)
