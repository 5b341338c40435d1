"""What one use case runs with: its transaction, who asks, when, by which rules."""

from dataclasses import dataclass, field
from datetime import datetime

from yidi.authz.actor import Actor
from yidi.authz.enforcer import CountyEnforcer
from yidi.domain.calendar import WorkingCalendar
from yidi.persistence.models import Case, CaseEvent
from yidi.persistence.session import Session


@dataclass(frozen=True)
class Unnumbered:
    """A new case, and the county code and year its number is formed from."""

    case: Case
    county_code: str
    year: int


@dataclass
class Work:
    """What a use case runs with. `changed` lists the cases its events were written for."""

    session: Session
    actor: Actor | None
    enforcer: CountyEnforcer | None
    now: datetime
    calendar: WorkingCalendar
    secret: str
    changed: list[Case] = field(default_factory=list)
    # Recorded events, stored with their positions when the work commits (services/events.py).
    pending_events: list[CaseEvent] = field(default_factory=list)
    # New cases waiting for their number, taken with the positions right before commit.
    unnumbered: list["Unnumbered"] = field(default_factory=list)
    # Run without a transaction: its seal is its only write (unit_of_work.run_alone).
    alone: bool = False

    def staff(self) -> tuple[Actor, CountyEnforcer]:
        """The signed-in actor and their county's rules; only staff use cases ask."""
        if self.actor is None or self.enforcer is None:
            raise RuntimeError("this use case needs a signed-in actor")
        return self.actor, self.enforcer
