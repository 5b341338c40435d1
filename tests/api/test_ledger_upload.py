"""The ledger import's two doors (docs/IMPORT.md): `POST /import/ledger` for a county ADMIN
(refused to others, to another county, and beyond the size limit, with the contract's
codes), and `yidi import ledger` (exit codes, output)."""

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from tests.support.deployment import demo_settings
from tests.support.driver import Api
from tests.support.ledger import row, workbook
from tests.support.sql import footprint, scalar
from yidi.config import Settings

PATH = "/import/ledger"
ADMIN = "county.admin"
LIMIT = 64 * 1024
BODY_LIMIT = 16 * 1024
GOOD = workbook([row("U-1"), row("U-2", **{"办理状态": "办理中"})])
BAD = workbook([row("U-1"), row("U-1"), row("U-3", **{"事项类别": "天气"})])


@pytest.fixture
def settings() -> Settings:
    return demo_settings(max_upload_bytes=LIMIT, max_body_bytes=BODY_LIMIT)


async def upload(api: Api, data: bytes, user: str | None = ADMIN, **fields: str) -> httpx.Response:
    headers = {"authorization": f"Bearer {await api.token(user)}"} if user else {}
    form: dict[str, Any] = {"county": "990100", **fields}
    files = {"file": ("民声登记簿.xlsx", data, "application/octet-stream")}
    return await api.client.post(PATH, data=form, files=files, headers=headers)


def code_of(response: httpx.Response) -> str:
    code: str = response.json()["errors"][0]["extensions"]["code"]
    return code


async def test_a_county_admin_imports_a_register(app: Starlette, api: Api) -> None:
    dry = await upload(api, GOOD, dryRun="true")
    assert dry.status_code == 200, dry.text
    assert dry.json()["imported"] == 2
    assert dry.json()["dryRun"] is True
    assert await scalar(app, "SELECT count(*) FROM cases WHERE external_number LIKE 'U-%'") == 0
    response = await upload(api, GOOD)
    assert response.status_code == 200, response.text
    assert response.json() == {
        "county": "990100",
        "dryRun": False,
        "rows": 2,
        "imported": 2,
        "unchanged": 0,
        "changed": [],
    }
    registered_by = await scalar(
        app,
        "SELECT DISTINCT u.username FROM cases c JOIN users u ON u.id = c.registered_by_id"
        " WHERE c.external_number LIKE 'U-%'",
    )
    assert registered_by == ADMIN
    again = await upload(api, GOOD)
    assert (again.json()["imported"], again.json()["unchanged"]) == (0, 2)


async def test_row_errors_are_422_with_every_row_and_nothing_written(
    app: Starlette, api: Api
) -> None:
    before = await footprint(app)
    response = await upload(api, BAD)
    assert response.status_code == 422
    body = response.json()
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "file"}
    assert body["rowErrorCount"] == 2
    assert body["rowErrors"] == [
        {"row": 3, "column": "登记编号", "why": "also on row 2 of the file"},
        {"row": 4, "column": "事项类别", "why": "no category '天气' in this county"},
    ]
    assert await footprint(app) == before


@pytest.mark.parametrize(
    ("user", "county", "status", "code"),
    [
        (None, "990100", 401, "UNAUTHENTICATED"),
        ("county.leader", "990100", 403, "FORBIDDEN"),
        ("v11.handler", "990100", 403, "FORBIDDEN"),
        (ADMIN, "990200", 403, "FORBIDDEN"),  # another county
        (ADMIN, "990100001", 403, "FORBIDDEN"),  # a township is no county
    ],
)
async def test_others_are_refused_and_nothing_is_written(
    app: Starlette, api: Api, user: str | None, county: str, status: int, code: str
) -> None:
    before = await footprint(app)
    response = await upload(api, GOOD, user, county=county)
    assert (response.status_code, code_of(response)) == (status, code)
    assert await footprint(app) == before


async def test_a_file_over_the_limit_is_refused(app: Starlette, api: Api) -> None:
    over_file = await upload(api, b"x" * (LIMIT + 1))
    assert response_field(over_file) == (400, "BAD_USER_INPUT", "file")
    over_body = await upload(api, b"x" * (LIMIT + BODY_LIMIT + 1))
    assert (over_body.status_code, code_of(over_body)) == (413, "QUERY_TOO_COMPLEX")


async def test_a_bad_mapping_or_no_file_is_bad_input(app: Starlette, api: Api) -> None:
    bad_mapping = await upload(api, GOOD, mapping='[columns]\n"a" = "colour"\n')
    assert response_field(bad_mapping) == (400, "BAD_USER_INPUT", "mapping")
    not_a_sheet = await upload(api, b"PK\x03\x04garbage")
    assert response_field(not_a_sheet) == (400, "BAD_USER_INPUT", "file")
    token = await api.token(ADMIN)
    no_file = await api.client.post(
        PATH, data={"county": "990100"}, headers={"authorization": f"Bearer {token}"}
    )
    assert response_field(no_file) == (400, "BAD_USER_INPUT", "file")


def response_field(response: httpx.Response) -> tuple[int, str, str]:
    extensions = response.json()["errors"][0]["extensions"]
    return response.status_code, extensions["code"], extensions.get("field")


def yidi(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("YIDI_")}
    env |= {"YIDI_DATABASE_URL": database_url, "YIDI_SECRET_KEY": "s" * 40}
    return subprocess.run(
        [sys.executable, "-m", "yidi.cli", "import", "ledger", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_the_cli_imports_checks_and_exits_by_outcome(
    app: Starlette, database_url: str, tmp_path: Path
) -> None:
    good, bad = tmp_path / "good.xlsx", tmp_path / "bad.xlsx"
    good.write_bytes(GOOD)
    bad.write_bytes(BAD)

    refused = yidi(database_url, str(bad), "--county", "990100")
    assert refused.returncode == 1
    assert "row 3, 登记编号: also on row 2 of the file" in refused.stderr
    assert "2 errors in 2 rows; nothing was written" in refused.stderr

    dry = yidi(database_url, str(good), "--county", "990100", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "would import 2 cases into county 990100" in dry.stdout
    assert await scalar(app, "SELECT count(*) FROM cases WHERE external_number LIKE 'U-%'") == 0

    done = yidi(database_url, str(good), "--county", "990100")
    assert done.returncode == 0, done.stderr
    assert "imported 2 cases into county 990100 (0 already imported" in done.stdout
    assert await scalar(app, "SELECT count(*) FROM cases WHERE external_number LIKE 'U-%'") == 2

    assert yidi(database_url, str(good), "--county", "999999").returncode == 2
    assert yidi(database_url, str(tmp_path / "missing.xlsx"), "--county", "990100").returncode == 2
    mapping = tmp_path / "mapping.toml"
    mapping.write_text("[columns", encoding="utf-8")
    bad_mapping = yidi(database_url, str(good), "--county", "990100", "--mapping", str(mapping))
    assert bad_mapping.returncode == 2
    assert "not valid TOML" in bad_mapping.stderr
