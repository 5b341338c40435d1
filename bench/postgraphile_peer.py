"""PostGraphile (v4, from npm) on bench/case_list.py's database: the engine a frontend team
might pick instead of yidi, asked for the county leader's page.

It answers from the tables as they are (`--schema public`), with no authorization, no
masking and no `allowedActions`: its figure shows what the bare engine costs for the same
rows and nesting, the distance left to the best peer, not a like-for-like answer. Installed
on first use into a cache directory (`npm install`, the npm registry); `node` and `npm`
must be on PATH.
"""

import os
import subprocess
from pathlib import Path
from typing import Any

from harness import start

VERSION = "4.9.2"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "yidi-bench"
# The bench query's page in PostGraphile's own names: the county's cases newest first, as
# yidi orders them, with the same nested units, category, assignee, phone and first events.
QUERY = """query($county: BigInt!) { allCases(first: 50, condition: { countyId: $county },
  orderBy: [REGISTERED_AT_DESC, ID_DESC]) { TOTAL pageInfo { endCursor } edges { node {
  number title status unitByHandlingUnitId { name } unitByLocationUnitId { name }
  categoryByCategoryId { name } userByAssigneeId { username } reporterPhone
  caseEventsByCaseId(first: 3, orderBy: [ID_ASC]) { totalCount edges { node { type } } }
  } } } }"""


def installed(cache: Path = CACHE) -> Path:
    """The postgraphile command, installed into `cache` unless it already is."""
    command = cache / "postgraphile" / "node_modules" / ".bin" / "postgraphile"
    if not command.exists():
        prefix = str(command.parents[2])
        install = ["npm", "install", "--prefix", prefix, "--no-audit", "--no-fund"]
        subprocess.run([*install, f"postgraphile@{VERSION}"], check=True)
    return command


def start_postgraphile(dsn: str, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """PostGraphile on the database `dsn` (a postgresql:// URL), its queries not logged."""
    command = [str(installed()), "--connection", dsn, "--schema", "public"]
    command += ["--host", "127.0.0.1", "--disable-query-log", "--disable-default-mutations"]
    return start(command, log)


def query(total: bool) -> str:
    return QUERY.replace("TOTAL", "totalCount" if total else "")


def numbers(page: dict[str, Any]) -> list[str]:
    """The case numbers of a page, in order, whichever side answered it."""
    connection = page.get("allCases") or page["cases"]
    return [edge["node"]["number"] for edge in connection["edges"]]
