"""The check of every row of a 民声登记簿 (a county's register of residents' requests, kept
as a spreadsheet before the platform) before anything is written (docs/IMPORT.md); its
layout and mapping file are `domain/ledger_layout.py`.

Pure: the caller reads the sheet into header and cell values, and hands in the county's
units and categories (`Reference`); this module answers either every row checked or every
row's errors, each with the spreadsheet's own row number and column header.
"""

import hashlib
import json
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from yidi.domain import intake
from yidi.domain.enums import CaseStatus, Channel, Outcome, UnitLevel
from yidi.domain.errors import BadInput
from yidi.domain.ledger_layout import (
    DEFAULT_HEADER,
    FIELDS,
    IMPORTABLE_STATUSES,
    REQUIRED,
    Cell,
    Layout,
    instant_of,
    normalize_header,
    text_of,
)

DEFAULT_CHANNEL = Channel.LEDGER_IMPORT
DEFAULT_OUTCOME = Outcome.SOLVED
EXTERNAL_NUMBER_MAX = 64
_RESULT_MAX = intake.DESCRIPTION_MAX
_ADDRESS_MAX = intake.ADDRESS_MAX

_NO_COLUMN = "the sheet has no such column"
_PROGRESS_EVERY = 5000


@dataclass(frozen=True)
class Place:
    """A unit a row may be located at."""

    id: int
    county_id: int
    code: str
    name: str
    level: UnitLevel
    parent_id: int | None


@dataclass(frozen=True)
class CategoryRef:
    id: int
    code: str
    name: str
    time_limit_days: int


@dataclass(frozen=True)
class Reference:
    """What rows are checked against: the county's units and categories, and the units of
    any county whose codes the file names (to say "another county" rather than "unknown")."""

    county_id: int
    units: Sequence[Place]
    categories: Sequence[CategoryRef]
    coded_units: Mapping[str, Place] = field(default_factory=dict)


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    why: str


@dataclass(frozen=True)
class LedgerRow:
    """One checked row: what the import writes."""

    row: int
    external_number: str
    registered_at: datetime
    reporter: intake.ReporterData
    location: Place
    category: CategoryRef
    title: str
    description: str
    address: str | None
    channel: Channel
    status: CaseStatus
    outcome: Outcome | None
    result: str | None
    resolved_at: datetime | None
    # What re-running the file compares: the row's content, not its layout (docs/IMPORT.md).
    content_hash: str


@dataclass(frozen=True)
class Checked:
    rows: list[LedgerRow]
    errors: list[RowError]


class _RowRefused(Exception):
    def __init__(self, column: str, why: str) -> None:
        self.column, self.why = column, why


class _Lookups:
    """Units by code and by name, categories by code and by name."""

    def __init__(self, reference: Reference) -> None:
        self.county_id = reference.county_id
        self.by_code = {u.code: u for u in reference.units}
        self.by_code.update(reference.coded_units)
        townships = [u for u in reference.units if u.level is UnitLevel.TOWNSHIP]
        self.townships: dict[str, list[Place]] = {}
        for u in townships:
            self.townships.setdefault(normalize_header(u.name), []).append(u)
        self.villages: dict[str, list[Place]] = {}
        for u in reference.units:
            if u.level is UnitLevel.VILLAGE:
                self.villages.setdefault(normalize_header(u.name), []).append(u)
        self.categories = {c.code: c for c in reference.categories}
        self.category_names = {normalize_header(c.name): c for c in reference.categories}


def check_rows(
    header: Sequence[Cell],
    header_row: int,
    rows: Sequence[tuple[int, Sequence[Cell]]],
    layout: Layout,
    reference: Reference,
    now: datetime,
    progress: Callable[[int], None] | None = None,
) -> Checked:
    """Check every row (`(row number, cells)`); every error is kept, none stops the check.
    A missing required column is one error on the header row. `progress` hears how many
    rows are checked, every few thousand."""
    headers = [text_of(h) for h in header]
    index: dict[str, int] = {}
    named: dict[str, str] = {}
    for position, h in enumerate(headers):
        name = layout.columns.get(normalize_header(h))
        if name is not None and name not in index:
            index[name], named[name] = position, h
    for name, header_text in DEFAULT_HEADER.items():
        named.setdefault(name, _mapped_header(layout, name) or header_text)
    errors = [
        RowError(header_row, named[name], _NO_COLUMN) for name in REQUIRED if name not in index
    ]
    if "unit_code" not in index and "township" not in index and "village" not in index:
        errors.append(RowError(header_row, named["township"], _NO_COLUMN))
    if errors:
        return Checked([], errors)
    lookups = _Lookups(reference)
    checked: list[LedgerRow] = []
    first_row: dict[str, int] = {}
    for done, (number, cells) in enumerate(rows, start=1):
        if progress is not None and done % _PROGRESS_EVERY == 0:
            progress(done)
        values = {name: (cells[i] if i < len(cells) else None) for name, i in index.items()}
        if all(text_of(v) == "" for v in values.values()):
            continue  # blank lines between entries
        row_errors: list[RowError] = []
        ledger_row = _check_row(number, values, named, layout, lookups, now, row_errors)
        if ledger_row is not None:
            seen = first_row.setdefault(ledger_row.external_number, number)
            if seen != number:
                row_errors.append(
                    RowError(number, named["external_number"], f"also on row {seen} of the file")
                )
            else:
                checked.append(ledger_row)
        errors.extend(row_errors)
    if progress is not None:
        progress(len(rows))
    return Checked(checked if not errors else [], errors)


def _mapped_header(layout: Layout, name: str) -> str | None:
    return next((h for h, n in layout.columns.items() if n == name), None)


def _check_row(
    number: int,
    values: Mapping[str, Cell],
    named: Mapping[str, str],
    layout: Layout,
    lookups: _Lookups,
    now: datetime,
    errors: list[RowError],
) -> LedgerRow | None:
    """One row, every column checked; its errors are appended, None when there are any."""
    found: dict[str, Any] = {}

    def check(name: str, rule: Any) -> None:
        try:
            found[name] = rule()
        except _RowRefused as refused:
            errors.append(RowError(number, named[refused.column], refused.why))
        except BadInput as bad:
            errors.append(RowError(number, named[name], bad.message))

    text = {name: text_of(values.get(name)) for name in FIELDS}
    check("external_number", lambda: _external_number(text["external_number"]))
    check("registered_at", lambda: _instant("registered_at", values, now, required=True))
    check("title", lambda: intake.check_text("标题", text["title"], intake.TITLE_MAX))
    check("description", lambda: _description(text))
    check("address", lambda: intake.check_optional_text("地址", text["address"], _ADDRESS_MAX))
    check("reporter_phone", lambda: _reporter(text, now))
    check("category", lambda: _category(text["category"], layout, lookups))
    check("village", lambda: _location(text, lookups))
    check("channel", lambda: _word("channel", text["channel"], layout, Channel, DEFAULT_CHANNEL))
    check("status", lambda: _word("status", text["status"], layout, CaseStatus, None))
    check("outcome", lambda: _word("outcome", text["outcome"], layout, Outcome, DEFAULT_OUTCOME))
    check("resolved_at", lambda: _instant("resolved_at", values, now, required=False))
    check("result", lambda: intake.check_optional_text("办理结果", text["result"], _RESULT_MAX))
    if any(e.row == number for e in errors):
        return None
    status: CaseStatus = found["status"] or CaseStatus.REGISTERED
    result: str | None = found["result"]
    resolved_at: datetime | None = found["resolved_at"]
    done = status in (CaseStatus.RESOLVED, CaseStatus.CLOSED)
    if done and resolved_at is None:
        errors.append(RowError(number, named["resolved_at"], f"a {status.value} row needs it"))
    if done and result is None:
        errors.append(RowError(number, named["result"], f"a {status.value} row needs it"))
    if not done and resolved_at is not None:
        errors.append(RowError(number, named["status"], "the row has 办结时间 but is not done"))
    if resolved_at is not None and resolved_at < found["registered_at"]:
        errors.append(RowError(number, named["resolved_at"], "before 登记时间"))
    if any(e.row == number for e in errors):
        return None
    return LedgerRow(
        row=number,
        external_number=found["external_number"],
        registered_at=found["registered_at"],
        reporter=found["reporter_phone"],
        location=found["village"],
        category=found["category"],
        title=found["title"],
        description=found["description"],
        address=found["address"],
        channel=found["channel"],
        status=status,
        outcome=found["outcome"] if done else None,
        result=result if done else None,
        resolved_at=resolved_at,
        content_hash=_content_hash(found, status, result),
    )


def _external_number(value: str) -> str:
    if not value:
        raise BadInput("external_number", "must not be empty")
    if len(value) > EXTERNAL_NUMBER_MAX:
        raise BadInput("external_number", f"at most {EXTERNAL_NUMBER_MAX} characters")
    # The key of re-imports: no tab, line break or NUL (which PostgreSQL cannot store).
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        raise BadInput("external_number", "contains a control character")
    return value


def _instant(name: str, values: Mapping[str, Cell], now: datetime, *, required: bool) -> Any:
    try:
        value = instant_of(values.get(name))
    except ValueError:
        raise BadInput(name, "not a date (e.g. 2025-03-08 or 2025-03-08 09:30)") from None
    if value is None:
        if required:
            raise BadInput(name, "must not be empty")
        return None
    if value > now + timedelta(minutes=5):
        raise BadInput(name, "in the future")
    if value.year < 1990:
        raise BadInput(name, "before 1990")
    return value


def _description(text: Mapping[str, str]) -> str:
    # A register often has only the matter's title; the title then describes it (and a
    # missing title is the title's error, not this column's).
    if not text["description"]:
        return text["title"]
    return intake.check_text("诉求内容", text["description"], intake.DESCRIPTION_MAX)


def _reporter(text: Mapping[str, str], now: datetime) -> intake.ReporterData:
    try:
        return intake.check_reporter(
            text["reporter_name"] or None,
            text["reporter_phone"] or None,
            text["reporter_id_number"] or None,
            False,
            today=now.date(),
        )
    except BadInput as bad:
        column = {"reporter.name": "reporter_name", "reporter.idNumber": "reporter_id_number"}
        raise _RowRefused(column.get(bad.field, "reporter_phone"), bad.message) from None


def _category(value: str, layout: Layout, lookups: _Lookups) -> CategoryRef:
    if not value:
        raise BadInput("category", "must not be empty")
    code = layout.values["category"].get(normalize_header(value), value)
    found = lookups.categories.get(code) or lookups.category_names.get(normalize_header(value))
    if found is None:
        raise BadInput("category", f"no category {value!r} in this county")
    return found


def _location(text: Mapping[str, str], lookups: _Lookups) -> Place:
    """By unit code when the row has one, else by township and village names."""
    code = text["unit_code"]
    if code:
        unit = lookups.by_code.get(code)
        if unit is None:
            raise _RowRefused("unit_code", f"no unit {code!r}")
        if unit.county_id != lookups.county_id:
            raise _RowRefused("unit_code", f"unit {code!r} belongs to another county")
        return unit
    township_name = normalize_header(text["township"])
    village_name = normalize_header(text["village"])
    township: Place | None = None
    if township_name:
        townships = lookups.townships.get(township_name, [])
        if not townships:
            raise _RowRefused("township", f"no township {text['township']!r} in this county")
        township = townships[0]
    if not village_name:
        if township is None:
            raise _RowRefused("township", "the row names no township, village or unit code")
        return township
    villages = [
        v
        for v in lookups.villages.get(village_name, [])
        if township is None or v.parent_id == township.id
    ]
    if not villages:
        where = f" in {text['township']}" if township is not None else " in this county"
        raise _RowRefused("village", f"no village {text['village']!r}{where}")
    if len(villages) > 1:
        raise _RowRefused("village", f"several villages are named {text['village']!r}")
    return villages[0]


def _word(kind: str, value: str, layout: Layout, enum: Any, default: Any) -> Any:
    if not value:
        return default
    mapped = layout.values[kind].get(normalize_header(value), value)
    try:
        member = enum(mapped)
    except ValueError:
        raise BadInput(kind, f"unknown {kind} {value!r}") from None
    if kind == "status" and member not in IMPORTABLE_STATUSES:
        raise BadInput(kind, f"a ledger row cannot arrive {member.value}")
    if kind == "outcome" and member is Outcome.MEDIATED:
        raise BadInput(kind, "MEDIATED needs a recorded mediation")
    return member


def _content_hash(found: Mapping[str, Any], status: CaseStatus, result: str | None) -> str:
    reporter: intake.ReporterData = found["reporter_phone"]
    resolved: datetime | None = found["resolved_at"]
    content = [
        found["external_number"],
        found["registered_at"].isoformat(),
        reporter.name,
        reporter.phone,
        reporter.id_number,
        found["village"].id,
        found["category"].id,
        found["title"],
        found["description"],
        found["address"],
        found["channel"].value,
        status.value,
        found["outcome"].value if result is not None else None,
        result,
        resolved.isoformat() if resolved is not None else None,
    ]
    encoded = json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode()
    return hashlib.sha256(encoded).hexdigest()
