"""Least privilege on an external PostgreSQL: what the service's role and a read-only role
may do, granted by the schema's owner after every migration (`yidi db grant`).

The service reads and writes its tables but cannot change the schema, cannot move the
schema's version, and can only append to the case trail: UPDATE, DELETE and TRUNCATE on
`case_events` (and on `case_attachments` and `ledger_rows`) are refused to it, so not even
a compromised server rewrites history (the hash chain, `yidi audit verify`, catches whoever
else does).
"""

import re

from sqlalchemy import text

from yidi.database.engine import make_engine

# Tables the service may only add rows to (and read): the case trail, the evidence files'
# records (attachments are appended, never edited: docs/CASE_FILE.md) and the record of
# what a ledger import brought in (a changed row is reported, never rewritten: IMPORT.md).
APPEND_ONLY = ("case_events", "case_attachments", "ledger_rows")
# Tables the service may only read: the schema's version belongs to whoever migrates.
READ_ONLY = ("alembic_version",)

_ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def grant_statements(service_role: str, reader_role: str | None = None) -> list[str]:
    """The GRANT/REVOKE statements, idempotent, for the schema's tables as they are now."""
    roles = [service_role, *([reader_role] if reader_role else [])]
    for role in roles:
        if not _ROLE_NAME.fullmatch(role):
            # Role names are spliced into SQL (GRANT takes no parameters): allow only plain ones.
            raise ValueError(f"{role!r} is not a plain PostgreSQL role name ([a-z_][a-z0-9_]*)")
    service = service_role
    statements = [
        f"GRANT USAGE ON SCHEMA public TO {service}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {service}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {service}",
        *(f"REVOKE UPDATE, DELETE, TRUNCATE ON {t} FROM {service}" for t in APPEND_ONLY),
        *(f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {t} FROM {service}" for t in READ_ONLY),
        # Nothing reaches these tables through PUBLIC either.
        *(f"REVOKE ALL ON {t} FROM PUBLIC" for t in (*APPEND_ONLY, *READ_ONLY)),
    ]
    if reader_role:
        statements += [
            f"GRANT USAGE ON SCHEMA public TO {reader_role}",
            f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {reader_role}",
            f"GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO {reader_role}",
        ]
    return statements


async def grant(database_url: str, service_role: str, reader_role: str | None = None) -> None:
    """Apply the grants in one transaction, connected as the schema's owner."""
    statements = grant_statements(service_role, reader_role)
    engine = make_engine(database_url, pool_size=1)
    try:
        async with engine.begin() as connection:
            for statement in statements:
                await connection.execute(text(statement))
    finally:
        await engine.dispose()
