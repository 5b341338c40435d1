"""The dossier PDF (民事办理书, docs/CASE_FILE.md, "The dossier"): fetched over HTTP, read
back to text with pypdf, each section's content found; personal data masked exactly as the
API masks it for the same caller; refused to whoever may not view the case."""

import hashlib
import io
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from starlette.applications import Starlette

from tests.support.demo import LEADER, V11, V21, VILLAGE
from tests.support.deployment import demo_settings
from tests.support.driver import Api
from tests.support.evidence import download, has_text, pdf, pdf_text, upload
from tests.support.intake import register
from tests.support.lifecycle import MEDIATION, Lifecycle
from tests.support.sql import execute
from yidi.config import Settings

LEADER_T1 = "t1.leader"  # 东湖镇: above 东湖村, decides its extensions and pauses
REPORTER = "query($id: ID!) { case(id: $id) { number reporter { name phone } } }"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return demo_settings(attachment_dir=tmp_path / "attachments")


async def handled_case(api: Api, app: Starlette) -> tuple[str, str]:
    """A dispute 东湖村 registers and carries through every part of the case file; its id
    and the sha256 of the agreement scan attached to it."""
    lc = await Lifecycle.create(api, app)
    case_id = str((await lc.register(phone="13912345678"))["id"])
    await lc.do("TAKE_OWNERSHIP", case_id, LEADER_T1, {"note": "镇长包案"})
    await lc.do("ACCEPT", case_id, V11, {"note": "已签收"})
    await lc.do("REQUEST_EXTENSION", case_id, V11, {"days": 5, "reason": "需等待土地确权材料"})
    await lc.do("DECIDE_EXTENSION", case_id, LEADER_T1, {"approved": True, "note": "同意延期"})
    await lc.do("PAUSE", case_id, LEADER_T1, {"reason": "APPRAISAL", "note": "等待房屋安全鉴定"})
    await lc.do("RESUME", case_id, LEADER_T1, {"note": "鉴定报告已出"})
    await lc.do("RECORD_MEDIATION", case_id, V11, MEDIATION)
    scan = pdf("调解协议扫描件")
    body = await upload(api, V11, case_id, scan, name="协议扫描.pdf", description="调解协议原件")
    assert "errors" not in body, body
    resolution = {"outcome": "MEDIATED", "summary": "双方签订调解协议，围墙已拆除。"}
    await lc.do("RESOLVE", case_id, V11, resolution)
    await lc.do("FOLLOW_UP", case_id, V11, {"method": "VISIT", "note": "上门回访，双方和睦"})
    await lc.do("CLOSE", case_id, LEADER_T1, {"note": "同意结案", "kind": "SUBSTANTIVE"})
    return case_id, hashlib.sha256(scan).hexdigest()


async def fetch(api: Api, case_id: str, user: str | None, token: str | None = None) -> Any:
    return await download(api, f"/cases/{case_id}/dossier.pdf", user, token=token)


async def test_the_dossier_holds_every_part_of_the_case_file(api: Api, app: Starlette) -> None:
    case_id, sha = await handled_case(api, app)
    response = await fetch(api, case_id, V11)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["cache-control"] == "private, no-store"
    reader = PdfReader(io.BytesIO(response.content))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    text = pdf_text(response.content)
    number = (await api.ok(REPORTER, {"id": case_id}, user=V11))["case"]["number"]
    sections = {
        "title and source": ["民事办理书", number, "事项来源", "来访", "东湖村", "邻里纠纷"],
        "parties, in clear for the handling village": ["张三", "13912345678"],
        "ownership": ["包案领导", "镇长包案"],
        "timeline": [
            "办理经过",
            "受理登记",
            "领导包案",
            "签收",
            "申请延期",
            "延期审批",
            "中止",
            "恢复办理",
            "调解",
            "上传证据材料：PDF",
            "办结",
            "回访",
            "结案",
        ],
        "mediation": [
            "律师调解",
            "诉调对接",
            "东湖村调解室",
            "刘律师（律师，青山律师事务所）",
            "老周（乡贤）",
            MEDIATION["transcript"],
            MEDIATION["agreement"],
            "达成调解协议",
        ],
        "extension and pause": ["需等待土地确权材料", "已批准", "等待房屋安全鉴定", "鉴定报告已出"],
        "result, follow-up, closure": [
            "调解成功",
            "双方签订调解协议，围墙已拆除。",
            "上门回访，双方和睦",
            "实质性结案",
        ],
        "attachments": ["证据材料", "协议扫描.pdf", "application/pdf", sha, "调解协议原件"],
    }
    missing = {
        section: [n for n in needles if not has_text(text, n)]
        for section, needles in sections.items()
    }
    assert missing == {section: [] for section in sections}, missing


async def test_personal_data_is_masked_as_the_api_masks_it(api: Api, app: Starlette) -> None:
    case_id, sha = await handled_case(api, app)
    # county.viewer sees the case but not its personal data.
    masked = (await api.ok(REPORTER, {"id": case_id}, user="county.viewer"))["case"]["reporter"]
    assert masked == {"name": "张*", "phone": "139****5678"}
    response = await fetch(api, case_id, "county.viewer")
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert has_text(text, masked["name"])
    assert has_text(text, masked["phone"])
    for secret in ("13912345678", "张三", MEDIATION["transcript"], MEDIATION["agreement"]):
        assert not has_text(text, secret), secret
    assert has_text(text, "（无权查看）")
    assert has_text(text, "李*")  # a party present at the mediation, masked like the API does
    assert has_text(text, sha)  # the hash, not the name
    assert not has_text(text, "协议扫描.pdf")


@pytest.mark.parametrize(
    ("user", "status", "code"),
    [
        pytest.param(V21, 404, "NOT_FOUND", id="another-village"),
        pytest.param("other.leader", 404, "NOT_FOUND", id="another-county"),
        pytest.param(None, 401, "UNAUTHENTICATED", id="no-token"),
    ],
)
async def test_the_dossier_is_refused_to_whoever_may_not_view_the_case(
    api: Api, app: Starlette, user: str | None, status: int, code: str
) -> None:
    lc = await Lifecycle.create(api, app)
    case = await lc.register()
    response = await fetch(api, case["id"], user)
    assert response.status_code == status
    assert response.json()["errors"][0]["extensions"] == {"code": code}
    tracked = await fetch(api, case["id"], None, token=case["trackingCode"])
    assert tracked.status_code == 401
    assert (await fetch(api, "not-an-id", LEADER)).status_code == 404


async def test_texts_at_their_longest_flow_across_pages(api: Api, app: Starlette) -> None:
    """A 20,000-character transcript, a 10,000-character description and 2,000-character
    notes are taller than a page in their cells: they continue on the next page, whole."""
    lc = await Lifecycle.create(api, app)
    description = "".join(f"第{i}项：两户因宅基地界址发生争执。" for i in range(800))[:10_000]
    case_id = str((await register(api, V11, VILLAGE, description=description))["id"])
    await lc.do("ASSESS", case_id, V11, {"note": "嗯" * 2000})
    transcript = "".join(f"第{i}段：双方陈述争议经过。" for i in range(1600))[:20_000]
    mediation = {**MEDIATION, "transcript": transcript, "agreement": "约" * 10_000}
    await lc.do("RECORD_MEDIATION", case_id, V11, mediation)
    await lc.do("COMMENT", case_id, V11, {"note": "喔" * 2000})
    response = await fetch(api, case_id, V11)
    assert response.status_code == 200
    assert len(PdfReader(io.BytesIO(response.content)).pages) > 5
    text = pdf_text(response.content)
    for long_text in (description, transcript, "约" * 10_000):
        assert has_text(text, long_text), long_text[:20]
    # A timeline row split across pages reads back with the repeated header row between
    # its parts: every character is there.
    assert (text.count("嗯"), text.count("喔")) == (2000, 2000)


async def test_an_unexpected_failure_is_a_bare_500(
    api: Api, app: Starlette, caplog: pytest.LogCaptureFixture
) -> None:
    """Stored data the renderer cannot read (an outside mediator without a name, written
    behind the application's back) is logged in full and answered without internals."""
    lc = await Lifecycle.create(api, app)
    case_id = str((await lc.register())["id"])
    await lc.do("RECORD_MEDIATION", case_id, V11, MEDIATION)
    await execute(app, 'UPDATE case_mediations SET outside_mediators = \'[{"role": "LAWYER"}]\'')
    response = await fetch(api, case_id, V11)
    assert response.status_code == 500
    assert response.json() == {
        "errors": [
            {"message": "Internal server error.", "extensions": {"code": "INTERNAL_SERVER_ERROR"}}
        ]
    }
    assert "KeyError" in caplog.text
