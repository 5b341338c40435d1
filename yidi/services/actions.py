"""The handler registry of lifecycle commands: one handler per command type.

A handler reads its command, changes the case (and, for MERGE, the original) and fills
in the `Step` from which `transitions` records the event. The handlers live by theme:
`review.py` (assess, supervise, comment, redirect, merge), `routing.py` (dispatch, accept,
return, escalate, reassign), `results.py` (resolve, close, reopen, evaluate, follow up) and
the case file's `ownership.py`, `mediation.py`, `deadline_changes.py`, `summons.py`;
`transitions` imports each so that it registers itself.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from yidi.authz.actor import Actor
from yidi.domain import commands as c
from yidi.domain.enums import CaseEventType, CaseStatus
from yidi.persistence.models import Case
from yidi.persistence.session import Session
from yidi.services.unit_of_work import Work


@dataclass(frozen=True)
class OtherEvent:
    """An event on another case the action changed (recorded after the action's own)."""

    case: Case
    event_type: CaseEventType
    note: str | None
    data: dict[str, object]


@dataclass
class Step:
    """One action in progress: the work, the case, and what its event will say."""

    work: Work
    case: Case
    from_unit_id: int | None = None
    to_unit_id: int | None = None
    note: str | None = None
    data: dict[str, object] | None = None
    others: list[OtherEvent] = field(default_factory=list)
    # A status other than the table's, when the action's outcome decides it (a follow-up
    # that finds the matter unsettled reopens the case).
    next_status: CaseStatus | None = None

    @property
    def session(self) -> Session:
        return self.work.session

    @property
    def actor(self) -> Actor:
        return self.work.staff()[0]


C = TypeVar("C", bound=c.CaseCommand)
Handler = Callable[[Step, Any], Awaitable[None]]
_HANDLERS: dict[type[c.CaseCommand], Handler] = {}
_ALONE: set[type[c.CaseCommand]] = set()


def handles(
    command_type: type[C], *, alone: bool = False
) -> Callable[[Callable[[Step, C], Awaitable[None]]], Handler]:
    """Register the command's handler. `alone`: it changes nothing but the case's own
    columns and reads nothing after changing them, so the action's only write is the event
    writer's seal and it may run without a transaction (unit_of_work.run_alone; were it to
    write anything else, it would be stopped before and run in a transaction)."""

    def register(handler: Callable[[Step, C], Awaitable[None]]) -> Handler:
        _HANDLERS[command_type] = handler
        if alone:
            _ALONE.add(command_type)
        return handler

    return register


def runs_alone(command: c.CaseCommand) -> bool:
    return type(command) in _ALONE


def handler_for(command: c.CaseCommand) -> Handler:
    return _HANDLERS[type(command)]


def handled_commands() -> frozenset[type[c.CaseCommand]]:
    return frozenset(_HANDLERS)
