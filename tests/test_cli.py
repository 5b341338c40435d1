"""The command line: help, version, schema, the secret requirement, calendar data validation."""

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.support.driver import Api
from tests.support.open311 import request_form
from yidi import __version__
from yidi.config import Settings
from yidi.database.demo_secret import demo_secret


def _yidi(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("YIDI_")}
    return subprocess.run(
        [sys.executable, "-m", "yidi.cli", *args],
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_help_lists_the_commands() -> None:
    result = _yidi("--help")
    assert result.returncode == 0
    for command in ("serve", "migrate", "seed", "calendar", "schema"):
        assert command in result.stdout


def test_version_prints_the_package_version() -> None:
    result = _yidi("--version")
    assert result.returncode == 0
    assert result.stdout == f"yidi {__version__}\n"


def test_schema_writes_the_same_sdl_it_prints(tmp_path: Path) -> None:
    printed = _yidi("schema")
    assert printed.returncode == 0
    assert "type Query {" in printed.stdout
    written = _yidi("schema", "--output", str(tmp_path / "schema.graphql"))
    assert written.returncode == 0
    assert (tmp_path / "schema.graphql").read_text(encoding="utf-8") == printed.stdout


def test_serve_refuses_to_start_without_a_secret_outside_demo() -> None:
    # The check comes before any database work, so an unreachable URL is never touched.
    result = _yidi("serve", env={"YIDI_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"})
    assert result.returncode == 2
    assert "YIDI_SECRET_KEY" in result.stderr


def test_a_short_secret_is_rejected() -> None:
    result = _yidi(
        "serve",
        env={"YIDI_SECRET_KEY": "short", "YIDI_DATABASE_URL": "postgresql://x@127.0.0.1:1/x"},
    )
    assert result.returncode != 0
    assert "secret_key" in result.stderr.lower()


def test_calendar_add_rejects_a_malformed_schedule(tmp_path: Path) -> None:
    bad = tmp_path / "2027.json"
    bad.write_text(
        json.dumps(
            {
                "year": 2027,
                "source": "x",
                "holidays": [{"date": "2027-13-01", "name": "元旦"}],
                "workdays": [],
            }
        ),
        encoding="utf-8",
    )
    # The file is validated before any database is touched.
    result = _yidi(
        "calendar", "add", str(bad), env={"YIDI_DATABASE_URL": "postgresql://x@127.0.0.1:1/x"}
    )
    assert result.returncode == 2
    assert "2027-13-01" in result.stderr


def test_a_demo_secret_is_made_once_per_data_directory(tmp_path: Path) -> None:
    """No secret in the source: each demo data directory gets its own, readable by its owner
    only, and every process serving that directory reads the same one."""
    first = demo_secret(tmp_path / "a")
    assert len(first) >= 32
    assert demo_secret(tmp_path / "a") == first
    assert demo_secret(tmp_path / "b") != first
    mode = (tmp_path / "a" / "demo-secret").stat().st_mode & 0o777
    assert mode == 0o600
    with ThreadPoolExecutor(max_workers=8) as pool:
        raced = set(pool.map(demo_secret, [tmp_path / "c"] * 16))
    assert len(raced) == 1


def test_outside_a_demo_there_is_no_default_secret() -> None:
    with pytest.raises(RuntimeError, match="YIDI_SECRET_KEY"):
        Settings(demo=True, secret_key=None).signing_key()


def test_seed_refuses_an_empty_county_before_touching_a_database() -> None:
    result = _yidi(
        "seed",
        "--synthetic",
        "--cases",
        "0",
        env={"YIDI_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"},
    )
    assert result.returncode == 2
    assert "--cases" in result.stderr


def test_seed_loads_a_synthetic_county_once_and_its_trails_verify(database_url: str) -> None:
    env = {"YIDI_DATABASE_URL": database_url}
    options = ["--cases", "300", "--townships", "2", "--villages-per-township", "2"]
    first = _yidi("seed", "--synthetic", *options, "--years", "1", "--seed", "3", env=env)
    assert first.returncode == 0, first.stderr
    assert "loaded 300 cases into county 990300" in first.stdout
    again = _yidi("seed", "--synthetic", *options, env=env)
    assert again.returncode == 2
    assert "already exists" in again.stderr
    verified = _yidi("audit", "verify", "--county", "990300", env=env)
    assert verified.returncode == 0, verified.stdout
    assert verified.stdout.startswith("intact: 300 cases")


async def test_open311_keys_are_issued_listed_and_revoked(database_url: str, api: Api) -> None:
    """The key printed once works for its county until revoked; the database keeps its hash."""
    env = {"YIDI_DATABASE_URL": database_url}
    issued = _yidi("open311", "key", "issue", "--county", "990100", "--name", "随手拍", env=env)
    assert issued.returncode == 0, issued.stderr
    key = issued.stdout.split("not shown again): ")[1].strip()
    key_id = issued.stdout.split()[1]
    form = {**request_form(), "api_key": key}
    filed = await api.client.post("/open311/v2/requests.json", data=form)
    assert filed.status_code == 200, filed.text

    listed = _yidi("open311", "key", "list", "--county", "990100", env=env)
    assert listed.stdout.split("\t")[:2] == [key_id, "随手拍"]
    assert listed.stdout.rstrip().endswith("live")
    assert key not in listed.stdout
    revoked = _yidi("open311", "key", "revoke", "--id", key_id, env=env)
    assert revoked.returncode == 0, revoked.stderr
    assert _yidi("open311", "key", "list", "--county", "990100", env=env).stdout.count("revoked")
    refused = await api.client.post("/open311/v2/requests.json", data=form)
    assert refused.status_code == 403
    unknown = _yidi("open311", "key", "issue", "--county", "999999", env=env)
    assert unknown.returncode == 2
    assert "999999" in unknown.stderr
