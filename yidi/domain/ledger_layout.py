"""The layout of a 民声登记簿 sheet (docs/IMPORT.md): the default columns as clerks write
them, the words they use for states, channels and outcomes, the TOML mapping file for other
layouts, and how a cell is read as text or as a date. Pure."""

import tomllib
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from yidi.domain.calendar import SHANGHAI
from yidi.domain.enums import CaseStatus, Channel, Outcome

Cell = str | int | float | bool | datetime | date | time | timedelta | None

# The fields a row may fill, and the headers clerks write for them in the default layout.
DEFAULT_COLUMNS: dict[str, str] = {
    "登记编号": "external_number",
    "登记时间": "registered_at",
    "反映人": "reporter_name",
    "联系电话": "reporter_phone",
    "身份证号": "reporter_id_number",
    "所属镇(街道)": "township",
    "所属村(社区)": "village",
    "单位编码": "unit_code",
    "地址": "address",
    "事项类别": "category",
    "标题": "title",
    "诉求内容": "description",
    "反映渠道": "channel",
    "办理状态": "status",
    "办理结果": "result",
    "办结方式": "outcome",
    "办结时间": "resolved_at",
}
FIELDS = frozenset(DEFAULT_COLUMNS.values())
REQUIRED = ("external_number", "registered_at", "category", "title")
# The header an error names when the sheet lacks a column (the default layout's words).
DEFAULT_HEADER = {name: header for header, name in DEFAULT_COLUMNS.items()}

# Words clerks write, as the default value maps (a mapping file adds or overrides words).
DEFAULT_VALUES: dict[str, dict[str, str]] = {
    "status": {
        "待办": "REGISTERED",
        "待处理": "REGISTERED",
        "已登记": "REGISTERED",
        "未办结": "IN_PROGRESS",
        "已受理": "IN_PROGRESS",
        "办理中": "IN_PROGRESS",
        "处理中": "IN_PROGRESS",
        "已办结": "RESOLVED",
        "已解决": "RESOLVED",
        "已答复": "RESOLVED",
        "已结案": "CLOSED",
        "已归档": "CLOSED",
        "已关闭": "CLOSED",
    },
    "channel": {
        "来访": "VISIT",
        "来电": "HOTLINE",
        "电话": "HOTLINE",
        "网上": "ONLINE",
        "微信": "WECHAT",
        "扫码": "QR_CODE",
        "网格员": "GRID_PATROL",
        "网格巡查": "GRID_PATROL",
        "干部走访": "CADRE_VISIT",
        "入户走访": "CADRE_VISIT",
        "来信": "LETTER",
        "邮件": "EMAIL",
        "转办": "REFERRAL",
        "其他": "OTHER",
    },
    "outcome": {
        "已解决": "SOLVED",
        "解决": "SOLVED",
        "解释说明": "EXPLAINED",
        "已解释": "EXPLAINED",
        "部分解决": "PARTIALLY_SOLVED",
        "无法解决": "UNRESOLVABLE",
    },
    "category": {},
}
# A ledger row arrives in one of these states; the others come only from work on the platform.
IMPORTABLE_STATUSES = frozenset(
    {CaseStatus.REGISTERED, CaseStatus.IN_PROGRESS, CaseStatus.RESOLVED, CaseStatus.CLOSED}
)

_DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日%H:%M",
    "%Y年%m月%d日",
)


class MappingError(ValueError):
    """A mapping file that cannot be used (the whole import stops before any row)."""


@dataclass(frozen=True)
class Layout:
    """Header → field, the value maps, and the row the headers are on (1-based; None: the
    first of the first rows that names at least three known columns, since registers often
    carry a title row or two above the headers)."""

    columns: Mapping[str, str] = field(
        default_factory=lambda: {normalize_header(h): n for h, n in DEFAULT_COLUMNS.items()}
    )
    values: Mapping[str, Mapping[str, str]] = field(default_factory=lambda: DEFAULT_VALUES)
    header_row: int | None = None


HEADER_SEARCH_ROWS = 20


def find_header_row(layout: Layout, first_rows: Sequence[Sequence[Cell]]) -> int:
    """The header row's number: the layout's, or found among the first rows."""
    if layout.header_row is not None:
        return layout.header_row
    for number, cells in enumerate(first_rows[:HEADER_SEARCH_ROWS], start=1):
        known = {layout.columns.get(normalize_header(text_of(c))) for c in cells} - {None}
        if len(known) >= 3:
            return number
    return 1


def normalize_header(header: str) -> str:
    """Full-width brackets and spaces as clerks type them: （所属村） equals (所属村)."""
    return "".join(unicodedata.normalize("NFKC", header).split())


def parse_mapping(text: str) -> Layout:
    """A mapping file (TOML, docs/IMPORT.md): `[columns]` header = field, `[values.status]`,
    `[values.channel]`, `[values.outcome]`, `[values.category]` word = our value, and an
    optional `header_row`. Unlisted headers are ignored; value maps extend the defaults."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(f"the mapping file is not valid TOML: {exc}") from None
    unknown = set(data) - {"columns", "values", "header_row"}
    if unknown:
        raise MappingError(f"unknown sections in the mapping file: {', '.join(sorted(unknown))}")
    columns = data.get("columns", {})
    if not isinstance(columns, dict) or not columns:
        raise MappingError("the mapping file needs a [columns] table: header = field")
    for header, name in columns.items():
        if name not in FIELDS:
            raise MappingError(f"column {header!r}: unknown field {name!r}")
    if len(set(columns.values())) != len(columns):
        raise MappingError("two columns map to the same field")
    values = {kind: dict(words) for kind, words in DEFAULT_VALUES.items()}
    raw_values = data.get("values", {})
    if not isinstance(raw_values, dict):
        raise MappingError("[values] holds tables of words")
    for kind, words in raw_values.items():
        if kind not in values or not isinstance(words, dict):
            raise MappingError(f"unknown value map {kind!r}")
        for word, value in words.items():
            _check_mapped_value(kind, word, value)
            values[kind][normalize_header(word)] = value
    header_row = data.get("header_row")
    if header_row is not None and (not isinstance(header_row, int) or not 1 <= header_row <= 100):
        raise MappingError("header_row is a row number from 1 to 100")
    headers = {normalize_header(h): n for h, n in columns.items()}
    return Layout(columns=headers, values=values, header_row=header_row)


def _check_mapped_value(kind: str, word: str, value: Any) -> None:
    allowed: set[str] | None = {
        "status": {s.value for s in IMPORTABLE_STATUSES},
        "channel": {c.value for c in Channel},
        "outcome": {o.value for o in Outcome if o is not Outcome.MEDIATED},
    }.get(kind)
    if not isinstance(value, str) or (allowed is not None and value not in allowed):
        raise MappingError(f"values.{kind}: {word!r} maps to {value!r}, not one of ours")


def text_of(cell: Cell) -> str:
    """A cell as text: numbers as typed (13900001234, not 13900001234.0)."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime):
        return cell.isoformat(sep=" ")
    if isinstance(cell, date | time):
        return cell.isoformat()
    return str(cell).strip()


def instant_of(cell: Cell) -> datetime | None:
    """A date or date-time cell (Beijing time when it carries no offset); ValueError when it
    is neither."""
    if cell is None or cell == "":
        return None
    if isinstance(cell, datetime):
        value = cell
    elif isinstance(cell, date):
        value = datetime.combine(cell, time())
    else:
        raw = text_of(cell)
        value = _parse_text_instant(raw)
    return value.replace(tzinfo=SHANGHAI) if value.tzinfo is None else value


def _parse_text_instant(raw: str) -> datetime:
    try:
        return datetime.fromisoformat(raw)
    except ValueError:
        pass
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(raw, fmt)
        except ValueError:
            continue
    raise ValueError(raw)
