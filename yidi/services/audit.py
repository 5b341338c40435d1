"""`yidi audit verify`: recompute every case's hash chain and report the first break."""

from dataclasses import dataclass

from yidi.domain.audit_chain import BrokenLink, verify_case
from yidi.domain.errors import NotFound
from yidi.persistence.audit import trails
from yidi.persistence.session import Session
from yidi.persistence.units import unit_by_code
from yidi.services.events import content_of


@dataclass(frozen=True)
class AuditReport:
    cases: int
    events: int
    broken: BrokenLink | None
    broken_case_number: str | None


async def verify_trails(session: Session, county_code: str | None) -> AuditReport:
    county_id = None
    if county_code is not None:
        county = await unit_by_code(session, county_code)
        if county is None or county.parent_id is not None:
            raise NotFound(f"No county with code {county_code}.")
        county_id = county.id
    cases = events = 0
    async for trail in trails(session, county_id):
        cases += 1
        events += len(trail.events)
        linked = [(content_of(e), e.chain_hash) for e in trail.events]
        broken = verify_case(trail.case_id, linked, trail.head)
        if broken is not None:
            return AuditReport(cases, events, broken, trail.number)
    return AuditReport(cases, events, None, None)
