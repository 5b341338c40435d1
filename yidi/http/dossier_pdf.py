"""The 民事办理书 as a printable A4 PDF (reportlab, its built-in CJK font STSong-Light, so
nothing outside pip). One function per section, in `SECTIONS`: a new part of the case
file (e.g. summons 吹哨报到) is one more function in that tuple."""

import io
from collections.abc import Callable, Sequence
from datetime import datetime
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from yidi.http import dossier_labels as w
from yidi.services.dossier import Dossier

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))
SHANGHAI = ZoneInfo("Asia/Shanghai")

_BODY = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=14, wordWrap="CJK")
_SMALL = ParagraphStyle("small", parent=_BODY, fontSize=8, leading=11)
_TITLE = ParagraphStyle("title", parent=_BODY, fontSize=20, leading=28, alignment=1)
_LABEL = ParagraphStyle("label", parent=_BODY, spaceBefore=4, spaceAfter=2)
_LONG = ParagraphStyle("long", parent=_BODY, leftIndent=6 * mm)
_HEADING = ParagraphStyle("heading", parent=_BODY, fontSize=12.5, leading=18, spaceBefore=10)
_GRID = TableStyle(
    [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (0, -1), colors.whitesmoke),
    ]
)
_LIST = TableStyle(
    [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
    ]
)
WIDTH = A4[0] - 36 * mm
# Texts longer than this leave the table (`fields`); they are laid out in pieces of CHUNK.
LONG_TEXT = 300
CHUNK = 400

Section = Callable[[Dossier], list[Flowable]]


def text(value: object, style: ParagraphStyle = _BODY) -> Paragraph:
    """Stored text is data, never markup: escaped, line breaks kept."""
    return Paragraph(escape("" if value is None else str(value)).replace("\n", "<br/>"), style)


def when(value: datetime | None) -> str:
    return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if value else ""


def heading(title: str) -> list[Flowable]:
    return [text(title, _HEADING), Spacer(1, 2 * mm)]


def fields(rows: Sequence[tuple[str, object]]) -> list[Flowable]:
    """Label | value rows; a long text (a transcript, an agreement, a description) follows
    the table as paragraphs of its own, which flow across pages far faster than a table
    cell does, and the table resumes after it."""
    out: list[Flowable] = []
    pending: list[tuple[str, object]] = []
    for label, value in rows:
        if isinstance(value, str) and len(value) > LONG_TEXT:
            out += [*_grid(pending), text(f"{label}：", _LABEL), *long_text(value)]
            pending = []
        else:
            pending.append((label, value))
    return out + _grid(pending)


def _grid(rows: Sequence[tuple[str, object]]) -> list[Flowable]:
    if not rows:
        return []
    table = Table(
        [[text(label), text(value)] for label, value in rows],
        colWidths=[32 * mm, WIDTH - 32 * mm],
    )
    table.setStyle(_GRID)
    return [table]


def long_text(value: str) -> list[Flowable]:
    """Paragraphs of at most `CHUNK` characters, cut at a sentence's end where one is near:
    reportlab lays out one long paragraph in time that grows faster than its length."""
    pieces: list[Flowable] = []
    for line in value.split("\n"):
        while len(line) > CHUNK:
            ends = [line.rfind(mark, CHUNK // 2, CHUNK) for mark in "。！？；.!?;"]
            cut = max(ends) + 1 if max(ends) >= 0 else CHUNK
            pieces.append(text(line[:cut], _LONG))
            line = line[cut:]
        pieces.append(text(line, _LONG))
    return [*pieces, Spacer(1, 2 * mm)]


def listing(
    header: Sequence[str], rows: Sequence[Sequence[object]], widths: Sequence[float]
) -> Table:
    """A table with a header row; a section with nothing to list says so."""
    body = [[text(v, _SMALL) for v in row] for row in rows] or [
        [text("（无）", _SMALL)] + [text("", _SMALL)] * (len(header) - 1)
    ]
    table = Table(
        [[text(h, _SMALL) for h in header], *body],
        colWidths=list(widths),
        repeatRows=1,
        splitInRow=1,  # a long note continues on the next page (see `fields`)
    )
    table.setStyle(_LIST)
    return table


def title_section(d: Dossier) -> list[Flowable]:
    return [
        text("民事办理书", _TITLE),
        Spacer(1, 2 * mm),
        text(f"事项编号：{d.case.number}"),
        text(f"生成时间：{when(d.generated_at)}　生成人：{d.generated_by}", _SMALL),
        Spacer(1, 3 * mm),
    ]


def source_section(d: Dossier) -> list[Flowable]:
    c = d.case
    return [
        *heading("一、事项来源"),
        *fields(
            [
                ("事项编号", c.number),
                ("标题", c.title),
                ("反映内容", c.description),
                ("来源渠道", w.word(w.CHANNEL, c.channel)),
                ("登记时间", when(c.registered_at)),
                ("受理单位", d.unit(c.intake_unit_id)),
                ("属地", d.unit(c.location_unit_id)),
                ("地址", c.address or ""),
                ("事项类别", d.category),
                ("风险等级", w.word(w.RISK, c.risk_level)),
                ("办理方式", w.word(w.TRACK, c.track)),
                ("当前状态", w.word(w.STATUS, c.status)),
                ("办理期限", "（中止计时）" if c.paused_since else when(c.due_at)),
            ]
        ),
    ]


def parties_section(d: Dossier) -> list[Flowable]:
    r = d.reporter
    return [
        *heading("二、当事人"),
        *fields(
            [
                ("反映人", "（匿名）" if r.anonymous else r.name or ""),
                ("联系电话", r.phone or ""),
                ("身份证号", r.id_number or ""),
                ("涉及人数", d.case.parties_count),
            ]
        ),
    ]


def handling_section(d: Dossier) -> list[Flowable]:
    c = d.case
    owner = f"{d.user(c.owner_id)}（{when(c.owned_since)} 起）" if c.owner_id else "（无）"
    return [
        *heading("三、承办单位与包案领导"),
        *fields(
            [
                ("承办单位", d.unit(c.handling_unit_id)),
                ("协办单位", "、".join(d.unit(u) for u in c.co_handling_unit_ids) or "（无）"),
                ("承办人", d.user(c.assignee_id)),
                ("包案领导", owner),
            ]
        ),
    ]


def summons_section(d: Dossier) -> list[Flowable]:
    """中心吹哨、部门报到: each unit called in, how it answered and what it contributed."""
    out = heading("四、吹哨报到")
    if not d.summonses:
        out.append(text("（无）"))
    for x in d.summonses:
        out += [
            *fields(
                [
                    ("报到单位", d.unit(x.unit_id)),
                    ("吹哨", f"{d.user(x.summoned_by_id)}　{when(x.summoned_at)}　{x.note}"),
                    ("报到时限", when(x.report_by)),
                    ("状态", w.word(w.SUMMONS_STATE, x.state)),
                    ("报到", f"{d.user(x.reported_by_id)}　{when(x.reported_at)}".strip()),
                    ("办理意见", x.contribution or "（尚未提交）"),
                ]
            ),
            Spacer(1, 2 * mm),
        ]
    return out


def timeline_section(d: Dossier) -> list[Flowable]:
    rows = [
        (
            when(e.at),
            w.word(w.EVENT, e.type),
            d.user(e.actor_id) or "系统",
            " → ".join(u for u in (d.unit(e.from_unit_id), d.unit(e.to_unit_id)) if u),
            note or "",
        )
        for e, note in d.events
    ]
    widths = [26 * mm, 22 * mm, 22 * mm, 36 * mm, WIDTH - 106 * mm]
    return [
        *heading("五、办理经过"),
        listing(("时间", "环节", "经办人", "单位", "说明"), rows, widths),
    ]


def mediation_section(d: Dossier) -> list[Flowable]:
    out = heading("六、调解记录")
    if not d.mediations:
        out.append(text("（无）"))
    for number, (m, view) in enumerate(d.mediations, 1):
        outside = [
            f"{o['name']}（{w.word(w.MEDIATOR_ROLE, o['role'])}"
            + (f"，{o['organization']}" if o.get("organization") else "")
            + "）"
            for o in m.outside_mediators
        ]
        mediators = [d.user(u) for u in m.staff_mediator_ids] + outside
        out += [
            text(f"第 {number} 次调解", _BODY),
            *fields(
                [
                    ("调解类型", w.word(w.MEDIATION_KIND, m.kind)),
                    ("对接渠道", w.word(w.MEDIATION_LINKAGE, m.linkage) or "（无）"),
                    ("时间", when(m.held_at)),
                    ("地点", m.place),
                    ("调解员", "、".join(mediators)),
                    ("到场当事人", "、".join(view.parties_present)),
                    (
                        "调解笔录",
                        view.transcript if view.transcript is not None else "（无权查看）",
                    ),
                    ("调解结果", w.word(w.MEDIATION_OUTCOME, m.outcome)),
                    ("调解协议", _agreement(m.agreement, view.agreement)),
                    ("记录人", f"{d.user(m.recorded_by_id)}　{when(m.recorded_at)}"),
                ]
            ),
            Spacer(1, 2 * mm),
        ]
    return out


def _agreement(stored: str | None, shown: str | None) -> str:
    if stored is None:
        return "（无）"
    return shown if shown is not None else "（无权查看）"


def deadline_section(d: Dossier) -> list[Flowable]:
    extensions = [
        (
            when(x.requested_at),
            f"{x.days} 个工作日",
            x.reason,
            w.word(w.EXTENSION_STATUS, x.status),
            f"{d.user(x.decided_by_id)} {when(x.decided_at)}".strip(),
            f"{when(x.due_at_before)} → {when(x.due_at_after)}" if x.due_at_after else "",
        )
        for x in d.extensions
    ]
    pauses = [
        (
            f"{when(p.paused_at)} {d.user(p.paused_by_id)}",
            f"{w.word(w.PAUSE_REASON, p.reason)}：{p.note}",
            f"{when(p.resumed_at)} {d.user(p.resumed_by_id)}".strip() or "（中止中）",
            "" if p.working_days is None else f"{p.working_days} 个工作日",
            f"{when(p.due_at_before)} → {when(p.due_at_after)}" if p.due_at_after else "",
        )
        for p in d.pauses
    ]
    x_widths = [24 * mm, 18 * mm, WIDTH - 140 * mm, 16 * mm, 36 * mm, 46 * mm]
    p_widths = [34 * mm, WIDTH - 144 * mm, 34 * mm, 20 * mm, 56 * mm]
    return [
        *heading("七、延期与中止"),
        listing(("申请时间", "天数", "理由", "结果", "审批", "期限变化"), extensions, x_widths),
        Spacer(1, 2 * mm),
        listing(("中止", "原因", "恢复", "停止计时", "期限变化"), pauses, p_widths),
    ]


def result_section(d: Dossier) -> list[Flowable]:
    c = d.case
    follow_ups = [
        (
            when(f.at),
            w.word(w.FOLLOW_UP_METHOD, f.method),
            d.user(f.by_id),
            {True: "已化解", False: "未化解", None: ""}[f.settled],
            f.note,
        )
        for f in d.follow_ups
    ]
    resolution = (
        f"{w.word(w.OUTCOME, c.resolution_outcome)}：{c.resolution_summary or ''}"
        f"（{d.unit(c.resolved_by_unit_id)} {d.user(c.resolved_by_id)} {when(c.resolved_at)}）"
        if c.resolution_outcome
        else "（未办结）"
    )
    evaluation = (
        f"{w.word(w.SATISFACTION, c.evaluation_satisfaction)} {c.evaluation_comment or ''}"
        if c.evaluation_satisfaction
        else "（无）"
    )
    closure = (
        f"{w.word(w.CLOSURE, c.closure_kind)}（{d.user(c.closed_by_id)} {when(c.closed_at)}）"
        if c.closed_at and c.closure_kind
        else "（未结案）"
    )
    widths = [26 * mm, 14 * mm, 22 * mm, 16 * mm, WIDTH - 78 * mm]
    return [
        *heading("八、办理结果、回访与结案"),
        *fields([("办理结果", resolution), ("群众评价", evaluation), ("结案", closure)]),
        Spacer(1, 2 * mm),
        listing(("回访时间", "方式", "回访人", "结论", "回访记录"), follow_ups, widths),
    ]


def attachments_section(d: Dossier) -> list[Flowable]:
    rows = [
        (
            name or "（无权查看文件名）",
            f"{a.content_type}\n{a.size} 字节",
            a.sha256,
            f"{d.user(a.uploaded_by_id)}\n{when(a.uploaded_at)}",
            a.description or "",
        )
        for a, name in d.attachments
    ]
    widths = [34 * mm, 26 * mm, 50 * mm, 26 * mm, WIDTH - 136 * mm]
    header = ("文件名", "类型与大小", "SHA-256", "上传", "说明")
    return [*heading("九、证据材料"), listing(header, rows, widths)]


SECTIONS: tuple[Section, ...] = (
    title_section,
    source_section,
    parties_section,
    handling_section,
    summons_section,
    timeline_section,
    mediation_section,
    deadline_section,
    result_section,
    attachments_section,
)


def render(d: Dossier) -> bytes:
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=f"民事办理书 {d.case.number}",
        author="yidi",
    )
    story: list[Flowable] = [f for section in SECTIONS for f in section(d)]
    document.build(story, onLaterPages=_page_number, onFirstPage=_page_number)
    return out.getvalue()


def _page_number(canvas: Canvas, document: SimpleDocTemplate) -> None:
    canvas.setFont(FONT, 8)
    canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, f"{document.title}　第 {document.page} 页")
