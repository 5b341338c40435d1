"""The GraphQL-over-HTTP spec, as the reference audit checks it: graphql-http's
`auditServer` (pinned in tests/http_audit/package.json) against a real `yidi serve`,
with no MUST and no SHOULD failing."""

import asyncio
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.servers import serving

pytestmark = pytest.mark.slow

AUDIT = Path(__file__).parent.parent / "http_audit"


def node_modules() -> None:
    """The pinned audit package, installed from the lockfile if it is not yet."""
    if not (AUDIT / "node_modules" / "graphql-http").is_dir():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund"], cwd=AUDIT, check=True, capture_output=True
        )


@pytest.mark.skipif(
    shutil.which("node") is None or shutil.which("npm") is None,
    reason="node and npm are needed to run graphql-http's audit",
)
async def test_graphql_http_audit_passes(database_url: str, tmp_path: Path) -> None:
    await asyncio.to_thread(node_modules)
    async with serving(database_url, tmp_path) as server:
        audit = await asyncio.create_subprocess_exec(
            "node",
            str(AUDIT / "audit.mjs"),
            f"{server.url}/graphql",
            stdout=asyncio.subprocess.PIPE,
        )
        out, _ = await asyncio.wait_for(audit.communicate(), timeout=120)
    results = json.loads(out)
    assert len(results) > 50, results  # the audit ran in full (61 audits in 1.23)
    failing = [f"{r['name']}: {r['reason']}" for r in results if r["status"] != "ok"]
    assert failing == []
