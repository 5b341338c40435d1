"""A request body is read only up to its size limit, and only as fast as the limit allows.

Without this a 200 MB body was read whole and parsed (8 parallel ones took the process to
1.5 GB), and a client trickling its body held a connection and a task for as long as it
liked. This middleware answers 413 when the declared length is over the limit without
reading a byte of the body, stops reading (413) as soon as a body without a declared
length passes it, and answers 408 when the body is not complete in time.

A multipart request (an evidence upload, docs/CASE_FILE.md) has limits of its own: the
largest file plus room for the operation beside it, and more time to arrive.
"""

import asyncio
import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class _BodyRefused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


# Open311 clients read GeoReport v2's error shape (docs/OPEN311.md), not GraphQL's.
OPEN311_PREFIX = "/open311/"


async def refuse(send: Send, status: int, message: str, code: str, path: str = "") -> None:
    """A contract error as JSON, closing the connection: the rest of the body is not read."""
    error: object = {"errors": [{"message": message, "extensions": {"code": code}}]}
    if path.startswith(OPEN311_PREFIX):
        error = [{"code": status, "description": message}]
    body = json.dumps(error).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodyLimits:
    def __init__(
        self,
        app: ASGIApp,
        *,
        max_bytes: int,
        timeout_seconds: float,
        upload_max_bytes: int,
        upload_timeout_seconds: float,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout_seconds = timeout_seconds
        # The file, and the operation and map parts that come with it.
        self.upload_max_bytes = upload_max_bytes + max_bytes
        self.upload_timeout_seconds = upload_timeout_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        upload = headers.get(b"content-type", b"").lower().startswith(b"multipart/form-data")
        max_bytes = self.upload_max_bytes if upload else self.max_bytes
        too_large = f"The request body is larger than {max_bytes} bytes."
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > max_bytes):
            await refuse(send, 413, too_large, "QUERY_TOO_COMPLEX", scope["path"])
            return
        loop = asyncio.get_running_loop()
        timeout = self.upload_timeout_seconds if upload else self.timeout_seconds
        deadline = loop.time() + timeout
        received = 0
        complete = False
        started = False

        async def limited_receive() -> Message:
            nonlocal received, complete
            if complete:  # the body is in; what follows is a disconnect, wait for it freely
                return await receive()
            try:
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                raise _BodyRefused(408, "The request body did not arrive in time.") from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_bytes:
                    raise _BodyRefused(413, too_large)
                complete = not message.get("more_body", False)
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, watched_send)
        except _BodyRefused as refusal:
            if started:
                raise
            code = "QUERY_TOO_COMPLEX" if refusal.status == 413 else "BAD_USER_INPUT"
            await refuse(send, refusal.status, refusal.message, code, scope["path"])
