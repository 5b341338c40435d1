"""Visit report sheets (民意报告单, docs/INTAKE.md): what a cadre or grid worker brings back
from door-to-door visits (一本一单), and the rules such a sheet must meet."""

import hashlib
import json
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from enum import StrEnum

from yidi.domain import intake
from yidi.domain.enums import Channel, Outcome, RiskLevel
from yidi.domain.errors import BadInput

MAX_ITEMS = 50
MAX_HOUSEHOLDS = 10_000
PLACE_MAX = 200
# The channels a sheet's cases are registered with: a cadre's visit or a grid worker's round.
VISIT_CHANNELS = frozenset({Channel.CADRE_VISIT, Channel.GRID_PATROL})
# What an answer on the spot may claim; a mediated result needs a mediation record first.
SPOT_OUTCOMES = frozenset({Outcome.SOLVED, Outcome.EXPLAINED, Outcome.PARTIALLY_SOLVED})


class VisitItemKind(StrEnum):
    CASE = "CASE"  # registered as a case, to be handled like any other
    ANSWERED = "ANSWERED"  # answered on the spot: registered and resolved in one step
    NOTED = "NOTED"  # for the record only (民情笔记本): no case


@dataclass(frozen=True)
class VisitReporter:
    name: str | None
    phone: str | None
    id_number: str | None
    anonymous: bool


@dataclass(frozen=True)
class VisitItem:
    kind: VisitItemKind
    title: str
    description: str
    category_id: int | None
    location_unit_id: int | None  # the sheet's location when None
    reporter: VisitReporter | None
    risk_level: RiskLevel | None
    answer: str | None
    outcome: Outcome | None


@dataclass(frozen=True)
class VisitSheet:
    client_key: str
    location_unit_id: int
    place: str | None
    visited_at: datetime
    households: int
    channel: Channel
    items: tuple[VisitItem, ...]


def check_sheet(sheet: VisitSheet, now: datetime) -> VisitSheet:
    """The sheet's own fields, trimmed; each case item is checked where it is registered,
    so an error names the item (`items.3.categoryId`)."""
    client_key = intake.check_text("clientKey", sheet.client_key, intake.IDEMPOTENCY_KEY_MAX)
    place = intake.check_optional_text("place", sheet.place, PLACE_MAX)
    if sheet.visited_at > now + intake.OCCURRED_AT_SKEW or sheet.visited_at.year < 1900:
        raise BadInput("visitedAt", "visitedAt must be a past moment.")
    if not 1 <= sheet.households <= MAX_HOUSEHOLDS:
        raise BadInput("households", f"households must be between 1 and {MAX_HOUSEHOLDS}.")
    if sheet.channel not in VISIT_CHANNELS:
        raise BadInput("channel", "A visit report is a CADRE_VISIT or a GRID_PATROL.")
    if not 1 <= len(sheet.items) <= MAX_ITEMS:
        raise BadInput("items", f"A sheet holds between 1 and {MAX_ITEMS} items.")
    for i, item in enumerate(sheet.items):
        where = f"items.{i}"
        if item.kind is not VisitItemKind.NOTED and item.category_id is None:
            raise BadInput(f"{where}.categoryId", "A case needs a category.")
        if item.kind is VisitItemKind.ANSWERED:
            if item.answer is None or not item.answer.strip():
                raise BadInput(f"{where}.answer", "An item answered on the spot needs the answer.")
            if item.outcome is not None and item.outcome not in SPOT_OUTCOMES:
                raise BadInput(
                    f"{where}.outcome", "On the spot: SOLVED, EXPLAINED or PARTIALLY_SOLVED."
                )
        elif item.answer is not None or item.outcome is not None:
            raise BadInput(f"{where}.answer", "Only an item answered on the spot has an answer.")
        if item.kind is VisitItemKind.NOTED:
            intake.check_text(f"{where}.title", item.title, intake.TITLE_MAX)
            intake.check_text(f"{where}.description", item.description, intake.DESCRIPTION_MAX)
    return replace(sheet, client_key=client_key, place=place)


def content_hash(sheet: VisitSheet) -> str:
    """What a resend must repeat exactly: the same client key with other content is a
    different sheet, not a retry."""
    canonical = json.dumps(asdict(sheet), sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()
