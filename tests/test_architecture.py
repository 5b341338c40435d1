"""Rules about the code itself that a reviewer could miss: read from the source.

The layer rules are import-linter's (pyproject.toml, run by `.ci/run`); these are the
ones it cannot express.
"""

import ast
import re
from pathlib import Path

from yidi.domain import commands
from yidi.domain.enums import CaseAction
from yidi.services.actions import handled_commands

PACKAGE = Path(__file__).resolve().parents[1] / "yidi"


def _functions_building_case_events() -> set[tuple[str, str]]:
    """(module, function) of every place that constructs a CaseEvent row or inserts one."""
    found: set[tuple[str, str]] = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        module = path.relative_to(PACKAGE.parent).as_posix()
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.Call) and _builds_case_event(node):
                    found.add((module, function.name))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                assert "insert into case_events" not in node.value.lower(), module
    return found


def _named(node: ast.expr, name: str) -> bool:
    return (isinstance(node, ast.Name) and node.id == name) or (
        isinstance(node, ast.Attribute) and node.attr == name
    )


def _builds_case_event(call: ast.Call) -> bool:
    """`CaseEvent(...)`, or an insert naming CaseEvent anywhere in its arguments —
    `insert(CaseEvent)`, `insert(CaseEvent.__table__)` — (`select(CaseEvent)` is fine)."""
    if _named(call.func, "CaseEvent"):
        return True
    return _named(call.func, "insert") and any(
        _named(node, "CaseEvent") for a in call.args for node in ast.walk(a)
    )


def test_a_case_event_row_is_created_in_exactly_one_function() -> None:
    # `record` builds each event; `_seal_statement` is the one statement that stores
    # them, run by `seal`, which the writer's `publish` alone calls (below).
    assert _functions_building_case_events() == {
        ("yidi/services/events.py", "record"),
        ("yidi/persistence/outbox.py", "_seal_statement"),
    }


def test_only_the_event_writer_stores_events() -> None:
    callers = {
        path.relative_to(PACKAGE.parent).as_posix()
        for path in PACKAGE.rglob("*.py")
        if re.search(r"\bseal\(", path.read_text(encoding="utf-8"))  # `seal(`, not `x_seal(`
    }
    assert callers == {"yidi/services/events.py", "yidi/persistence/outbox.py"}


def test_the_check_finds_a_case_event_built_elsewhere() -> None:
    # The AST probe itself must see a constructor call and an insert of the model.
    for source in (
        "CaseEvent(case_id=1)",
        "models.CaseEvent()",
        "insert(CaseEvent)",
        "insert(cast(Table, CaseEvent.__table__))",
    ):
        call = ast.parse(source).body[0]
        assert isinstance(call, ast.Expr)
        assert isinstance(call.value, ast.Call)
        assert _builds_case_event(call.value), source


def test_only_the_synthetic_bulk_load_copies_rows_in() -> None:
    """The one exception to the single event writer: loading a synthetic county's past
    (persistence/bulk_load.py), whose events are chained as `record` chains them."""
    copying = {
        path.relative_to(PACKAGE.parent).as_posix()
        for path in PACKAGE.rglob("*.py")
        if "copy_to_table" in path.read_text(encoding="utf-8")
    }
    assert copying == {"yidi/persistence/bulk_load.py"}


def test_every_action_is_one_command_with_one_handler() -> None:
    command_types = [
        value
        for value in vars(commands).values()
        if isinstance(value, type)
        and issubclass(value, commands.CaseCommand)
        and value is not commands.CaseCommand
    ]
    actions = sorted(t.action.value for t in command_types)
    assert actions == sorted(a.value for a in CaseAction if a is not CaseAction.VIEW)
    assert handled_commands() == frozenset(command_types)


def test_past_events_are_copied_in_only_by_the_writers_batched_path() -> None:
    """Besides the synthetic seed, only the ledger import copies event rows in, and only
    through `services/events.record_past`, which chains and positions them as `record` and
    `publish` do (docs/IMPORT.md)."""
    copying_events = set()
    storing_cases = set()
    for path in PACKAGE.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        module = path.relative_to(PACKAGE.parent).as_posix()
        if re.search(r'copy_lines\(\s*\w+,\s*"case_events"', source):
            copying_events.add(module)
        if "store_cases(" in source and module != "yidi/persistence/ledger.py":
            storing_cases.add(module)
    assert copying_events == {"yidi/synthetic/county.py", "yidi/persistence/ledger.py"}
    assert storing_cases == {"yidi/services/events.py"}
