"""The load generator's HTTP client: one keep-alive HTTP/1.1 connection per simulated
client, requests written as bytes, responses parsed by httptools (uvicorn's C parser).

httpx spends about 4 ms of CPU per request on this machine; driving 32 clients at a few
hundred requests a second, the benchmark's own process took a whole core and became the
bottleneck it was meant to measure (docs/BENCHMARKS.md). This client does the same
exchange for a small fraction of that, so the server is what gets measured.
"""

import asyncio
from typing import Any

import httptools
import orjson


class LightClient:
    """POSTs JSON on one connection, one request at a time, as a browser tab would."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str):
        self._reader, self._writer, self._host = reader, writer, host
        self._body = bytearray()
        self._done = False
        self._parser = httptools.HttpResponseParser(self)

    @classmethod
    async def connect(cls, address: str) -> "LightClient":
        host, port = address.removeprefix("http://").rsplit(":", 1)
        reader, writer = await asyncio.open_connection(host, int(port))
        return cls(reader, writer, address)

    # httptools' callbacks
    def on_body(self, body: bytes) -> None:
        self._body += body

    def on_message_complete(self) -> None:
        self._done = True

    async def post_json(self, path: str, payload: Any, headers: dict[str, str]) -> Any:
        """The decoded JSON answer of one POST; raises on a status other than 200."""
        body = orjson.dumps(payload)
        head = [f"POST {path} HTTP/1.1", f"Host: {self._host}", "Content-Type: application/json"]
        head += [f"{k}: {v}" for k, v in headers.items()]
        head.append(f"Content-Length: {len(body)}")
        self._writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        self._body.clear()
        self._done = False
        while not self._done:
            chunk = await self._reader.read(65536)
            if not chunk:
                raise ConnectionError("the server closed the connection")
            self._parser.feed_data(chunk)
        status = self._parser.get_status_code()
        if status != 200:
            raise SystemExit(f"HTTP {status}: {bytes(self._body)[:300]!r}")
        return orjson.loads(self._body)

    async def graphql(self, query: str, variables: dict[str, Any], token: str) -> dict[str, Any]:
        answer = await self.post_json(
            "/graphql",
            {"query": query, "variables": variables},
            {"Authorization": f"Bearer {token}"},
        )
        if answer.get("errors"):
            raise SystemExit(f"GraphQL error: {answer['errors']}")
        data: dict[str, Any] = answer["data"]
        return data

    async def close(self) -> None:
        self._writer.close()
        await self._writer.wait_closed()
