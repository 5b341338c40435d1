"""Text no database can store never reaches a use case.

JSON can carry a lone UTF-16 surrogate ("\\ud800"), which decodes to a Python string that
cannot be encoded as UTF-8: PostgreSQL, hashing and every text rule would fail on it deep
inside a request. It is refused at the door instead, naming where it was found. (In the
document itself graphql-core already refuses it as a syntax error.)
"""

from collections.abc import Iterator
from typing import Any

from graphql import ExecutionResult, GraphQLError
from strawberry.extensions import SchemaExtension

from yidi.domain.errors import BadInput


def _unencodable(value: Any, path: str) -> Iterator[str]:
    """Paths of the strings in `value` that are not valid Unicode text."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _unencodable(key, path)
            yield from _unencodable(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _unencodable(item, f"{path}.{index}")


class RejectUnencodableText(SchemaExtension):
    # Checked as execution starts. The refusal is set as the operation's result (which
    # strawberry then does not execute), so ContractErrors words it like any other error.
    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        found = next(_unencodable(context.variables or {}, "variables"), None)
        if found is None and context.operation_name is not None:
            found = next(_unencodable(context.operation_name, "operationName"), None)
        if found is not None:
            refusal = BadInput(found, f"{found} holds text that is not valid Unicode.")
            context.result = ExecutionResult(
                data=None, errors=[GraphQLError(refusal.message, original_error=refusal)]
            )
        yield
