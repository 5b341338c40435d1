"""The Schema object with its guards: contract errors and query-complexity limits."""

import strawberry
from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter

from yidi.config import Settings
from yidi.resolvers.errors import ContractErrors
from yidi.resolvers.lifecycle import CloseRequestSession
from yidi.schema.mutation import Mutation
from yidi.schema.query import Query
from yidi.schema.types import Case, CaseEvent, Category, Unit, User


def build_schema(settings: Settings) -> strawberry.Schema:
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        types=[Unit, User, Category, Case, CaseEvent],
        extensions=[
            CloseRequestSession,
            QueryDepthLimiter(max_depth=settings.max_query_depth),
            MaxAliasesLimiter(max_alias_count=settings.max_aliases),
            MaxTokensLimiter(max_token_count=settings.max_tokens),
            ContractErrors(),
        ],
    )
