"""An attachment reaches subscribers like every other event: the type and size in the note,
the attachment itself, its file name only for a reader who may see personal data."""

import hashlib
from pathlib import Path

import pytest
from starlette.applications import Starlette

from tests.support.demo import LEADER, V11
from tests.support.deployment import demo_settings
from tests.support.driver import Api
from tests.support.evidence import PNG, upload
from tests.support.lifecycle import Lifecycle
from tests.support.live import Subscription, subscribers_reach
from yidi.config import Settings

EVIDENCE_EVENTS = """
subscription($id: ID!) { caseEvents(caseId: $id) {
  type note actor { username } attachment { fileName sha256 size contentType } } }
"""


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return demo_settings(attachment_dir=tmp_path / "attachments")


@pytest.mark.parametrize(
    ("viewer", "file_name"),
    [(LEADER, "院墙.png"), ("county.viewer", None)],  # the viewer may not see personal data
)
async def test_an_attachment_arrives_live(
    api: Api, app: Starlette, url: str, viewer: str, file_name: str | None
) -> None:
    case_id = str((await (await Lifecycle.create(api, app)).register())["id"])
    async with Subscription(url, await api.token(viewer), EVIDENCE_EVENTS, {"id": case_id}) as live:
        await subscribers_reach(app, 1)
        assert "errors" not in await upload(api, V11, case_id, PNG, name="院墙.png")
        (event,) = await live.take(1)
    assert event == {
        "type": "EVIDENCE_ATTACHED",
        "note": "上传证据材料：PNG，70 字节",
        "actor": {"username": V11},
        "attachment": {
            "fileName": file_name,
            "sha256": hashlib.sha256(PNG).hexdigest(),
            "size": len(PNG),
            "contentType": "image/png",
        },
    }
