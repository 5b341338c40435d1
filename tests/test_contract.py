"""The served schema must be a compatible superset of docs/contract.graphql, and the committed
schema.graphql must be exactly what is served."""

from pathlib import Path

from graphql import build_schema
from graphql.utilities import find_breaking_changes

from yidi.cli import schema_sdl
from yidi.config import Settings
from yidi.schema.build import build_schema as build_served_schema

REPO = Path(__file__).resolve().parents[1]
CONTRACT = REPO / "docs" / "contract.graphql"
SERVED_SCHEMA_FILE = REPO / "schema.graphql"


def test_contract_file_is_found() -> None:
    assert CONTRACT.is_file(), CONTRACT


def test_served_schema_is_a_compatible_superset() -> None:
    contract = build_schema(CONTRACT.read_text(encoding="utf-8"))
    served = build_schema(str(build_served_schema(Settings(demo=True))))
    # Every type and field of the contract is served (the dashboards were the last gap).
    assert [c.description for c in find_breaking_changes(contract, served)] == []


def test_committed_schema_file_is_what_is_served() -> None:
    """schema.graphql lets clients and reviewers see the served schema without running code."""
    found = SERVED_SCHEMA_FILE.is_file()
    committed = SERVED_SCHEMA_FILE.read_text(encoding="utf-8") if found else ""
    assert committed == schema_sdl(), (
        "schema.graphql is not what the code serves; run `yidi schema --output schema.graphql` "
        "and commit the result"
    )
