"""docs/DEPLOYMENT.md is what an operator configures from: it must list every setting the
server reads, with the default the server really has, and the grants it documents must be
the ones `yidi db grant` applies."""

import re
from pathlib import Path

import pytest

from yidi.config import Settings
from yidi.database.roles import APPEND_ONLY, grant_statements

DEPLOYMENT = (Path(__file__).resolve().parents[1] / "docs" / "DEPLOYMENT.md").read_text()
ROWS = dict(re.findall(r"^\| `(YIDI_[A-Z0-9_]+)` \| ([^|]+?) \|", DEPLOYMENT, re.MULTILINE))


def documented(default: object) -> str:
    if default is None:
        return "unset"
    if isinstance(default, bool):
        return f"`{str(default).lower()}`"
    return f"`{default}`"


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_is_documented_with_its_default(name: str) -> None:
    variable = f"YIDI_{name.upper()}"
    assert variable in ROWS, f"{variable} is missing from docs/DEPLOYMENT.md's settings"
    assert ROWS[variable] == documented(Settings.model_fields[name].default)


def test_no_documented_setting_is_unknown_to_the_server() -> None:
    known = {f"YIDI_{name.upper()}" for name in Settings.model_fields}
    assert set(ROWS) <= known


def test_the_service_role_may_only_append_to_the_trail() -> None:
    statements = grant_statements("svc", "reader")
    assert "REVOKE UPDATE, DELETE, TRUNCATE ON case_events FROM svc" in statements
    assert "REVOKE UPDATE, DELETE, TRUNCATE ON case_attachments FROM svc" in statements
    assert "REVOKE UPDATE, DELETE, TRUNCATE ON ledger_rows FROM svc" in statements
    assert set(APPEND_ONLY) == {"case_events", "case_attachments", "ledger_rows"}
    assert not any(s.startswith("GRANT") and "reader" in s and "INSERT" in s for s in statements)
    with pytest.raises(ValueError, match="plain PostgreSQL role name"):
        grant_statements('svc"; DROP TABLE cases; --')
