"""Benchmark: how long laying out a dossier PDF (民事办理书) takes, for a typical case file
and for one with every text at its limit.

    python bench/dossier_render.py --events 40 --repeat 5

Pure rendering (`yidi/http/dossier_pdf.py`), no database or server: the case file is built
in memory. "typical": N events with short notes, one mediation of 1,500 characters, five
attachments. "longest": N events each with a 2,000-character note, three mediations with
20,000-character transcripts and 10,000-character agreements, a 10,000-character
description. Prints pages, bytes and the median and worst time of R renderings of each.
The endpoint runs rendering in a worker thread, so this is the latency it adds, not time
the event loop is blocked.
"""

import argparse
import io
import statistics
import time
from datetime import UTC, datetime, timedelta

from pypdf import PdfReader

from yidi.http.dossier_pdf import render
from yidi.persistence import models as m
from yidi.services.dossier import Dossier
from yidi.services.reading import MediationView, ReporterView

NOW = datetime(2026, 11, 20, 2, tzinfo=UTC)


def case_file(events: int, *, longest: bool) -> Dossier:
    description = (
        ("两户因宅基地界址发生争执。" * 800)[:10_000] if longest else "两户因通道发生争执。"
    )
    case = m.Case(
        id=1,
        number="990100-2026-000001",
        title="宅基地界址纠纷",
        description=description,
        channel="VISIT",
        status="CLOSED",
        risk_level="RED",
        track="STANDARD",
        parties_count=2,
        address="东湖村三组",
        intake_unit_id=1,
        location_unit_id=1,
        handling_unit_id=2,
        co_handling_unit_ids=[3],
        registered_at=NOW,
        due_at=NOW,
        owner_id=1,
        owned_since=NOW,
        assignee_id=1,
        resolution_outcome="MEDIATED",
        resolution_summary="双方签订调解协议。",
        resolved_by_id=1,
        resolved_by_unit_id=2,
        resolved_at=NOW,
        closed_at=NOW,
        closure_kind="SUBSTANTIVE",
        closed_by_id=1,
    )
    note = "说" * 2000 if longest else "请核实处理，限期反馈。"
    timeline = [
        (
            m.CaseEvent(
                id=i,
                case_id=1,
                type="COMMENTED",
                at=NOW + timedelta(minutes=i),
                actor_id=1,
                from_unit_id=1,
                to_unit_id=2,
            ),
            note,
        )
        for i in range(events)
    ]
    transcript = "双方陈述争议经过，调解员释法明理。" * (1200 if longest else 90)
    agreement = ("李四于十日内拆除越界围墙。" * 800)[:10_000] if longest else "李四拆除围墙。"
    mediation = m.Mediation(
        kind="LAWYER",
        linkage="COURT",
        held_at=NOW,
        place="东湖村调解室",
        staff_mediator_ids=[1],
        outside_mediators=[{"name": "刘律师", "role": "LAWYER", "organization": "青山律师事务所"}],
        parties_present=["张三", "李四"],
        transcript=transcript[:20_000],
        outcome="AGREEMENT",
        agreement=agreement,
        recorded_by_id=1,
        recorded_at=NOW,
    )
    view = MediationView(["张三", "李四"], mediation.transcript, mediation.agreement)
    attachment = m.Attachment(
        id=1,
        sha256="ab" * 32,
        size=123_456,
        content_type="application/pdf",
        uploaded_by_id=1,
        uploaded_at=NOW,
        description="调解协议扫描件",
    )
    return Dossier(
        case=case,
        category="邻里纠纷",
        units={1: "东湖村", 2: "县住建局", 3: "东湖镇司法所"},
        users={1: "郑网格"},
        reporter=ReporterView("张三", "13800001111", None, False),
        events=timeline,
        mediations=[(mediation, view)] * (3 if longest else 1),
        extensions=[],
        pauses=[],
        follow_ups=[],
        attachments=[(attachment, "协议.pdf")] * (20 if longest else 5),
        generated_at=NOW,
        generated_by="郑网格",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    render(case_file(1, longest=False))  # fonts and reportlab's caches, once per process
    for name, longest in (("typical", False), ("longest", True)):
        dossier = case_file(args.events, longest=longest)
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            pdf = render(dossier)
            times.append(time.perf_counter() - start)
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        print(
            f"{name}: {args.events} events, {pages} pages, {len(pdf):,} bytes, "
            f"median {statistics.median(times) * 1000:.0f} ms, worst {max(times) * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main()
