"""`Api`: a GraphQL client bound to the app in-process, logging demo users in on demand."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
import pytest
from starlette.types import ASGIApp

from tests.support.clock import Clock
from tests.support.demo import PASSWORD, USERS

LOGIN = "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }"

# Demo users have the same ids in every copy of the template, so a token issued at a given
# instant serves every test whose clock reads that instant: argon2 runs once per user.
_shared_tokens: dict[tuple[str, datetime], str] = {}


class GraphQLError(AssertionError):
    """An operation that had to succeed answered with errors."""


@dataclass
class Api:
    """A GraphQL client bound to the app in-process, logging in demo users on demand."""

    client: httpx.AsyncClient
    clock: Clock | None = None
    tokens: dict[str, str] = field(default_factory=dict)

    async def token(self, username: str) -> str:
        shared_key = (username, self.clock.current) if self.clock else None
        if username not in self.tokens and shared_key in _shared_tokens:
            self.tokens[username] = _shared_tokens[shared_key]  # type: ignore[index]
        if username not in self.tokens:
            data = await self.ok(LOGIN, {"u": username, "p": PASSWORD})
            self.tokens[username] = data["login"]["token"]
            if shared_key is not None and username in USERS:
                _shared_tokens[shared_key] = self.tokens[username]
        return self.tokens[username]

    async def raw(
        self, query: str, variables: dict[str, Any] | None = None, *, user: str | None = None
    ) -> dict[str, Any]:
        headers = {"authorization": f"Bearer {await self.token(user)}"} if user else {}
        response = await self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        body: dict[str, Any] = response.json()
        return body

    async def ok(
        self, query: str, variables: dict[str, Any] | None = None, *, user: str | None = None
    ) -> dict[str, Any]:
        body = await self.raw(query, variables, user=user)
        if body.get("errors"):
            raise GraphQLError(body["errors"])
        data: dict[str, Any] = body["data"]
        return data

    async def error(
        self, query: str, variables: dict[str, Any] | None = None, *, user: str | None = None
    ) -> dict[str, Any]:
        """The single error the operation must fail with."""
        body = await self.raw(query, variables, user=user)
        assert body.get("errors"), f"expected an error, got {body}"
        assert len(body["errors"]) == 1, body["errors"]
        error: dict[str, Any] = body["errors"][0]
        return error

    async def pages(
        self, query: str, variables: dict[str, Any] | None = None, *, user: str, bound: int = 200
    ) -> AsyncIterator[dict[str, Any]]:
        """Each page of the `cases` connection `query` answers, following endCursor to the
        last page; a cursor that never ends fails the test instead of hanging it."""
        paging = {**(variables or {}), "after": None}
        for _ in range(bound):
            connection: dict[str, Any] = (await self.ok(query, paging, user=user))["cases"]
            yield connection
            if not connection["pageInfo"]["hasNextPage"]:
                return
            paging["after"] = connection["pageInfo"]["endCursor"]
        pytest.fail(f"{user}: cases never reached hasNextPage=false")


@asynccontextmanager
async def in_process(
    app: ASGIApp, clock: Clock | None = None, *, address: tuple[str, int] = ("127.0.0.1", 123)
) -> AsyncIterator[Api]:
    """An `Api` on `app` without a network; `address` is the client address the app sees."""
    transport = httpx.ASGITransport(app=app, client=address)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield Api(client, clock)
