"""Evidence under `yidi serve --workers N --data-dir D`: every worker keeps and serves the
files in D's attachment directory, whichever worker received the upload and whatever
directory the server was started from."""

import hashlib
from pathlib import Path

import httpx
import pytest

from tests.support.demo import V11, VILLAGE
from tests.support.driver import Api
from tests.support.evidence import download, pdf, upload
from tests.support.intake import register
from tests.support.servers import serving

pytestmark = pytest.mark.slow


async def test_workers_share_the_data_directory_s_attachments(
    database_url: str, tmp_path: Path, data_dir: Path
) -> None:
    document = pdf("多进程证据")
    digest = hashlib.sha256(document).hexdigest()
    async with (
        serving(database_url, tmp_path, "--workers", "2") as server,
        httpx.AsyncClient(base_url=server.url, timeout=10.0) as client,
    ):
        api = Api(client)
        case = await register(api, V11, VILLAGE)
        body = await upload(api, V11, case["id"], document, name="a.pdf")
        (attachment,) = body["data"]["attachEvidence"]["case"]["attachments"]
        # Fresh connections land on both workers; each finds the blob.
        for _ in range(10):
            async with httpx.AsyncClient(base_url=server.url, timeout=10.0) as fresh:
                response = await download(
                    Api(fresh), attachment["downloadPath"], None, token=await api.token(V11)
                )
                assert response.status_code == 200, server.output()
                assert hashlib.sha256(response.content).hexdigest() == digest
    blob = data_dir / "attachments" / digest[:2] / digest[2:4] / digest
    assert blob.read_bytes() == document
