"""GraphQL over HTTP the way the spec and our contract want it, on top of strawberry's view.

- A body that is not a JSON object (null, "x", invalid UTF-8, nested deeper than
  `max_json_depth`, which is checked before the JSON is parsed) is a 400 with a JSON error
  coded BAD_USER_INPUT, never strawberry's plain-text 500.
- Every HTTP-level refusal is JSON with a contract code.
- `application/graphql-response+json` is served when the client prefers it; a request that
  fails before execution (parse, validation, variable coercion, no operation to run) then
  answers 400 without `data`, as the GraphQL-over-HTTP spec says.
- An operation that runs longer than `execution_timeout_seconds` is stopped.
- A multipart request (an upload) needs a bearer token, checked before its body is read: a
  form on another site can post multipart without a CORS preflight but cannot set that
  header, so the cross-site request strawberry's `multipart_uploads_enabled` warns of
  never runs (docs/CASE_FILE.md, "Evidence").
"""

import asyncio
import json
import logging
import re
from itertools import accumulate
from typing import Any

import orjson
from cross_web import HTTPException
from graphql import GraphQLError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.http import GraphQLHTTPResponse, process_result
from strawberry.types import ExecutionResult

from yidi.config import Settings
from yidi.http.observability import note_graphql

log = logging.getLogger(__name__)

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_DELTA = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}
# Where the scope remembers which media type and status the answer takes.
_ANSWER = "yidi.graphql_answer"


def json_depth(data: bytes) -> int:
    """How deeply the JSON text nests, counted without parsing it (strings skipped)."""
    brackets = _STRING.sub(b"", data).translate(None, _NOT_BRACKETS)
    return max(accumulate(map(_DELTA.__getitem__, brackets)), default=0)


def _may_nest_deeper(data: bytes, depth: int) -> bool:
    """False when the text has too few opening brackets, in strings or not, to nest deeper
    than `depth`: most bodies, told by two counts in C instead of `json_depth`'s scan."""
    return data.count(b"[") + data.count(b"{") > depth


def error_body(message: str, code: str) -> dict[str, Any]:
    return {"errors": [{"message": message, "extensions": {"code": code}}]}


def _quality(accept: str, media_type: str) -> float:
    """The client's preference (q) for `media_type` in an Accept header; 0 if not accepted."""
    best = 0.0
    for part in accept.split(","):
        name, *params = (p.strip() for p in part.split(";"))
        if name.lower() not in (media_type, "*/*", media_type.split("/")[0] + "/*"):
            continue
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        # An exact match outranks a wildcard of the same quality.
        best = max(best, q + (0.001 if name.lower() == media_type else 0.0))
    return best


def prefers_graphql_response(accept: str | None) -> bool:
    """GraphQL-over-HTTP: without Accept the legacy application/json is used."""
    if not accept:
        return False
    return _quality(accept, GRAPHQL_RESPONSE) > max(_quality(accept, JSON), 0.0)


def failed_before_execution(result: ExecutionResult) -> bool:
    """A request error: nothing was executed, so no error has a path into the data."""
    errors = result.errors or []
    return result.data is None and bool(errors) and all(e.path is None for e in errors)


def is_upload(request: Request) -> bool:
    return request.headers.get("content-type", "").lower().startswith("multipart/form-data")


def has_bearer(request: Request) -> bool:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and bool(token.strip())


class StrictHTTP:
    """Mixed in before strawberry's `GraphQL` view (see the module docstring)."""

    settings: Settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)  # type: ignore[misc]
            return
        request = Request(scope=scope, receive=receive)
        response: Response
        try:
            if is_upload(request) and not has_bearer(request):
                response = JSONResponse(
                    error_body("An upload needs a bearer token.", "UNAUTHENTICATED"), 401
                )
            else:
                response = await self.run(request)  # type: ignore[attr-defined]
        except (HTTPException, StarletteHTTPException) as refusal:
            # Starlette's own refusals come from parsing a multipart body ("Missing
            # boundary", "Too many files"): JSON like every other refusal.
            reason = refusal.reason if isinstance(refusal, HTTPException) else refusal.detail
            response = JSONResponse(
                error_body(reason, "BAD_USER_INPUT"), status_code=refusal.status_code
            )
            if prefers_graphql_response(request.headers.get("accept")):
                scope[_ANSWER] = (GRAPHQL_RESPONSE, None)
        answer = scope.get(_ANSWER)
        if answer is not None and response.media_type != "text/html":
            media_type, status = answer
            response.headers["content-type"] = media_type
            if status is not None:
                response.status_code = status
        await response(scope, receive, send)

    def create_response(
        self, response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse], sub_response: Response
    ) -> Response:
        # orjson: several times faster than the standard encoder on a page of cases, and
        # UTF-8 rather than \u escapes for Chinese text. HTTP only; WebSocket messages stay
        # text frames through strawberry's own encode_json.
        response = Response(orjson.dumps(response_data), media_type=JSON)
        response.headers.raw.extend(sub_response.headers.raw)
        if sub_response.background:
            response.background = sub_response.background
        if sub_response.status_code:
            response.status_code = sub_response.status_code
        return response

    def decode_json(self, data: str | bytes) -> object:
        if isinstance(data, bytes):
            # A request body (GET parameters arrive as str): it must be a JSON object.
            if _may_nest_deeper(data, self.settings.max_json_depth) and (
                json_depth(data) > self.settings.max_json_depth
            ):
                raise HTTPException(
                    400, f"The JSON body nests deeper than {self.settings.max_json_depth}."
                )
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                raise HTTPException(400, "The body is not valid UTF-8.") from None
            value = self._loads(text)
            if not isinstance(value, dict):
                raise HTTPException(400, "The body must be a JSON object.")
            if not isinstance(value.get("operationName"), str | None):
                # strawberry would look it up by its Python text ("Unknown operation True").
                raise HTTPException(
                    400, "The GraphQL operation's `operationName` must be a string or null."
                )
            return value
        if len(data) > self.settings.max_body_bytes or json_depth(data.encode()) > (
            self.settings.max_json_depth
        ):
            raise HTTPException(400, "A JSON parameter is too large or nests too deeply.")
        return self._loads(data)

    @staticmethod
    def _loads(text: str) -> object:
        try:
            return json.loads(text)
        except (ValueError, RecursionError):
            raise HTTPException(400, "Unable to parse request body as JSON") from None

    async def process_result(
        self, request: Request | WebSocket, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        response = process_result(result)
        if isinstance(request, Request) and prefers_graphql_response(request.headers.get("accept")):
            refused = failed_before_execution(result)
            request.scope[_ANSWER] = (GRAPHQL_RESPONSE, 400 if refused else None)
            if refused:
                response.pop("data", None)
        return response

    async def execute_single(self, *args: Any, **kwargs: Any) -> ExecutionResult:
        """strawberry's, stopped after `execution_timeout_seconds`, noted for the access log."""
        result = await self._execute_in_time(*args, **kwargs)
        request, data, context = kwargs["request"], kwargs["request_data"], kwargs["context"]
        codes = [(e.extensions or {}).get("code") for e in result.errors or []]
        actor = getattr(context, "known_actor", None)
        note_graphql(
            request.scope,
            operation=data.operation_name,
            outcome=str(codes[0]) if codes else "ok",
            user_id=actor.user_id if actor is not None else None,
        )
        return result

    async def _execute_in_time(self, *args: Any, **kwargs: Any) -> ExecutionResult:
        try:
            async with asyncio.timeout(self.settings.execution_timeout_seconds):
                result: ExecutionResult = await super().execute_single(  # type: ignore[misc]
                    *args, **kwargs
                )
                return result
        except TimeoutError:
            context = kwargs.get("context")
            close = getattr(context, "close", None)
            if close is not None:
                try:
                    await close()  # the cancelled operation's session goes back to the pool
                except Exception:  # a connection cut mid-statement: the pool discards it
                    log.warning("closing a timed-out operation's session failed", exc_info=True)
            limit = self.settings.execution_timeout_seconds
            error = GraphQLError(
                f"The operation took longer than {limit} s and was stopped.",
                extensions={"code": "QUERY_TOO_COMPLEX"},
            )
            return ExecutionResult(data=None, errors=[error])
