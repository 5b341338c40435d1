"""The backup scripts of deploy/ (docs/DEPLOYMENT.md), run for real: a backup of a live
database, the database lost, restored from the backup whole, verified, and served again; the
restore drill passes on a good backup and fails on a damaged one."""

import os
import subprocess
import sys
from pathlib import Path

import asyncpg
import httpx
import pytest

from tests.support.database import admin, libpq, with_database
from tests.support.demo import LEADER, V11
from tests.support.driver import Api
from tests.support.intake import register
from tests.support.servers import serving
from yidi.database.embedded import postgres_bin_dir

pytestmark = pytest.mark.slow

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
# What a restored database must hold exactly as it was: every case and its trail's head.
SNAPSHOT = (
    "SELECT c.number, c.status, c.chain_head, count(e.id) AS events FROM cases c "
    "JOIN case_events e ON e.case_id = c.id GROUP BY c.id ORDER BY c.number"
)


def script(name: str, *args: str) -> subprocess.CompletedProcess[str]:
    """A deploy/ script with PostgreSQL's client tools and this environment's `yidi` on PATH."""
    path = os.pathsep.join([str(postgres_bin_dir()), str(Path(sys.executable).parent)])
    environment = {**os.environ, "PATH": f"{path}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(
        ["bash", str(DEPLOY / name), *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


async def snapshot(url: str) -> list[tuple[object, ...]]:
    connection = await asyncpg.connect(libpq(url))
    try:
        return [tuple(row) for row in await connection.fetch(SNAPSHOT)]
    finally:
        await connection.close()


async def test_a_lost_database_comes_back_whole_from_its_backup(
    server_url: str, database_url: str, tmp_path: Path
) -> None:
    async with (
        serving(database_url, tmp_path) as server,
        httpx.AsyncClient(base_url=server.url, timeout=30) as client,
    ):
        api = Api(client)
        case = await register(api, V11, "990100001001", selection="id number")
        backed_up = script("backup.sh", database_url, str(tmp_path / "backups"))
        assert backed_up.returncode == 0, backed_up.stderr
        # Work done after the backup is what a restore loses (WAL archiving keeps it).
        later = await register(api, V11, "990100001001", selection="number")
    before = await snapshot(database_url)
    dump = Path(backed_up.stdout.strip())
    assert dump.is_file()
    assert Path(f"{dump}.sha256").is_file()

    # The database is lost; an empty one takes its place and the backup goes in.
    name = database_url.rsplit("/", 1)[1].split("?")[0]
    await admin(server_url, f"DROP DATABASE {name} WITH (FORCE)")
    await admin(server_url, f"CREATE DATABASE {name}")
    restored = script("restore.sh", str(dump), database_url)
    assert restored.returncode == 0, restored.stderr
    assert "intact" in restored.stdout

    after = await snapshot(database_url)
    assert after == [row for row in before if row[0] != later["number"]]
    assert case["number"] in {row[0] for row in after}
    async with (
        serving(database_url, tmp_path) as server,
        httpx.AsyncClient(base_url=server.url, timeout=30) as client,
    ):
        found = await Api(client).ok(
            "query($n: String!) { caseByNumber(number: $n) { number status } }",
            {"n": case["number"]},
            user=LEADER,
        )
    assert found["caseByNumber"] == {"number": case["number"], "status": "REGISTERED"}


async def test_the_restore_drill_passes_a_good_backup_and_fails_a_damaged_one(
    server_url: str, database_url: str, tmp_path: Path
) -> None:
    backed_up = script("backup.sh", database_url, str(tmp_path))
    assert backed_up.returncode == 0, backed_up.stderr
    dump = Path(backed_up.stdout.strip())
    admin_url = with_database(server_url, "postgres")

    drill = script("restore-drill.sh", str(dump), admin_url)
    assert drill.returncode == 0, drill.stderr
    assert "restore drill passed" in drill.stdout
    (cases,) = [line for line in drill.stdout.splitlines() if line.startswith("cases ")]
    assert int(cases.split()[1]) == len(await snapshot(database_url))

    damaged = tmp_path / "damaged.dump"
    damaged.write_bytes(dump.read_bytes()[: dump.stat().st_size // 2])
    assert script("restore-drill.sh", str(damaged), admin_url).returncode != 0
    # A dump whose checksum no longer matches is refused before anything is restored.
    Path(f"{dump}.sha256").write_text(f"{'0' * 64}  {dump.name}\n")
    assert script("restore-drill.sh", str(dump), admin_url).returncode != 0
    # The drill's scratch databases are gone, passed or failed.
    connection = await asyncpg.connect(libpq(admin_url))
    try:
        left = await connection.fetchval(
            "SELECT count(*) FROM pg_database WHERE datname LIKE 'yidi_restore_drill_%'"
        )
    finally:
        await connection.close()
    assert left == 0
