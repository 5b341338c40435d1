"""The Schema object with its guards: contract errors and query-complexity limits."""

from typing import Any

import strawberry
from graphql import GraphQLError, NoSchemaIntrospectionCustomRule
from strawberry.extensions import AddValidationRules, SchemaExtension
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from yidi.config import Settings
from yidi.resolvers.document_cache import CachedDocuments, DocumentCache
from yidi.resolvers.errors import ContractErrors
from yidi.resolvers.lifecycle import CloseRequestSession
from yidi.resolvers.query_budget import QueryBudget
from yidi.resolvers.text_guard import RejectUnencodableText
from yidi.schema.direct_fields import resolve_directly
from yidi.schema.enum_output import serialize_enums_by_lookup
from yidi.schema.extension_hooks import KnownHooksRunner
from yidi.schema.mutation import Mutation
from yidi.schema.nodes import NODE_KINDS
from yidi.schema.query import Query
from yidi.schema.shared_execution import SharedSubscriptionExecution
from yidi.schema.subscription import Subscription


class YidiSchema(strawberry.Schema):
    def create_extensions_runner(
        self, execution_context: ExecutionContext, extensions: list[SchemaExtension]
    ) -> SchemaExtensionsRunner:
        return KnownHooksRunner(execution_context=execution_context, extensions=extensions)

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # ContractErrors has already logged what is unexpected; a caller's bad input or a
        # denied action is an answer, not a server fault, and would only flood the log.
        return None


def build_schema(settings: Settings) -> strawberry.Schema:
    # Outside demo mode the schema is not handed to strangers: no introspection, and no
    # "did you mean" that would spell out the fields one guess at a time.
    exposed = settings.schema_exposed()
    hidden: list[Any] = (
        [] if exposed else [lambda: AddValidationRules([NoSchemaIntrospectionCustomRule])]
    )
    documents = DocumentCache()  # this schema's and these settings' parses and verdicts
    schema = YidiSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[kind.graphql_type for kind in NODE_KINDS.values()],
        execution_context_class=SharedSubscriptionExecution,
        extensions=[
            CloseRequestSession,
            RejectUnencodableText,
            lambda: QueryBudget(settings, documents),
            # After QueryBudget: a cached verdict must never replace the budget's refusal.
            lambda: CachedDocuments(documents, settings),
            *hidden,
            ContractErrors,
        ],
        config=StrawberryConfig(disable_field_suggestions=not exposed),
    )
    resolve_directly(schema)
    serialize_enums_by_lookup(schema)
    return schema
