"""What an operator sees of each request: one JSON log line and Prometheus metrics.

Every HTTP request gets a request id (the client's `X-Request-ID` when it is a short token,
a new one otherwise), returned in the response's `X-Request-ID` and written in its log
line with the method, path, status, duration, the GraphQL operation name and outcome
(`ok` or the first error's contract code) and the user id when a token was valid. Never
personal data: no variables, no usernames, no client addresses, no query text.

Metrics (`/metrics`, prometheus-client, one registry per app): requests by operation and
outcome, request latency, database connections in use, rate-limit refusals, live
subscriptions, deadline sweeper runs.
"""

import logging
import os
import re
import time
from collections.abc import Callable
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("yidi.access")

# Logging for `yidi serve` and each of its workers (uvicorn applies it in every process):
# one JSON object per line on stderr; the access log is ours, uvicorn's own is off.
LOG_CONFIG: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }
    },
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stderr",
        }
    },
    "root": {"handlers": ["stderr"], "level": "INFO"},
    "loggers": {"uvicorn.access": {"level": "WARNING"}},
}

REQUEST_ID = "x-request-id"
_REQUEST_ID_RAW = REQUEST_ID.encode()
_TOKEN = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
_OPERATION = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
# Operation names come from clients: beyond this many distinct ones, the rest are "other",
# so a client cannot grow the metrics without bound.
MAX_OPERATION_LABELS = 200
# Where the GraphQL view leaves what it learnt about the request (see `note_graphql`).
_GRAPHQL = "yidi.graphql"


def note_graphql(scope: Scope, *, operation: str | None, outcome: str, user_id: int | None) -> None:
    """Called by the GraphQL view once it has answered."""
    scope[_GRAPHQL] = {"operation": operation, "outcome": outcome, "user_id": user_id}


class Metrics:
    def __init__(
        self, *, pool_in_use: Callable[[], float], subscriptions: Callable[[], float]
    ) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "yidi_requests",
            "HTTP requests by path, GraphQL operation and outcome",
            ["path", "operation", "outcome"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "yidi_request_duration_seconds",
            "HTTP request latency by path and GraphQL operation",
            ["path", "operation"],
            registry=self.registry,
        )
        self.sweeper_runs = Counter(
            "yidi_sweeper_runs",
            "Deadline sweep tries by outcome (swept, skipped: another process sweeps, failed)",
            ["outcome"],
            registry=self.registry,
        )
        self.writes_alone = Counter(
            "yidi_writes_alone",
            "Tries of a lifecycle action without a transaction (docs/DESIGN.md) by outcome:"
            " sealed; rerun (a concurrent writer moved the case first); transaction (run in"
            " one instead, as it writes more than its seal or kept meeting moved cases)",
            ["outcome"],
            registry=self.registry,
        )
        self.rate_limited = Counter(
            "yidi_rate_limited",
            "Requests refused with RATE_LIMITED (login throttling, residents' limits)",
            registry=self.registry,
        )
        pool = Gauge(
            "yidi_db_connections_in_use",
            "Database connections checked out of this process's pool",
            registry=self.registry,
        )
        pool.set_function(pool_in_use)
        live = Gauge(
            "yidi_subscriptions_active",
            "Live-update subscriptions this process is serving",
            registry=self.registry,
        )
        live.set_function(subscriptions)
        self._operations: set[str] = set()
        # Labelled children by their labels: prometheus-client checks and looks up the
        # labels under a lock on every `labels()` call, twice per request.
        self._counted: dict[tuple[str, str, str], Counter] = {}
        self._timed: dict[tuple[str, str], Histogram] = {}

    def observe(self, path: str, operation: str, outcome: str, seconds: float) -> None:
        """One request in the request counter and the latency histogram."""
        counted = self._counted.get((path, operation, outcome))
        if counted is None:
            counted = self._counted[(path, operation, outcome)] = self.requests.labels(
                path, operation, outcome
            )
        counted.inc()
        timed = self._timed.get((path, operation))
        if timed is None:
            timed = self._timed[(path, operation)] = self.latency.labels(path, operation)
        timed.observe(seconds)

    def sweeper_ran(self, outcome: str) -> None:
        self.sweeper_runs.labels(outcome).inc()

    def wrote_alone(self, outcome: str) -> None:
        self.writes_alone.labels(outcome).inc()

    def operation_label(self, name: str | None) -> str:
        if name is None:
            return "anonymous"
        if not _OPERATION.match(name):
            return "invalid"
        if name not in self._operations and len(self._operations) >= MAX_OPERATION_LABELS:
            return "other"
        self._operations.add(name)
        return name

    async def endpoint(self, _: Request) -> Response:
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)


def _path_label(path: str) -> str:
    """Known routes by name; anything else one label (paths are client-chosen too)."""
    if path in ("/graphql", "/healthz", "/readyz", "/metrics"):
        return path
    if path.startswith("/open311/"):
        return "/open311"
    return "/static" if path.startswith("/static/") else "other"


def _given_request_id(scope: Scope) -> str | None:
    """The client's request id when it is a short token (ASGI header names are lowercase;
    the first such header counts, as Starlette's `Headers.get` takes it)."""
    for name, value in scope["headers"]:
        if name == _REQUEST_ID_RAW:
            given = value.decode("latin-1")
            return given if _TOKEN.match(given) else None
    return None


class Observe:
    """ASGI middleware: request id, access log line, metrics."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _given_request_id(scope) or os.urandom(16).hex()
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", []),
                    (REQUEST_ID.encode(), request_id.encode()),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            self._record(scope, request_id, status, time.perf_counter() - started)

    def _record(self, scope: Scope, request_id: str, status: int, seconds: float) -> None:
        graphql: dict[str, Any] = scope.get(_GRAPHQL) or {}
        outcome = graphql.get("outcome") or ("ok" if status < 400 else f"http_{status}")
        path = _path_label(scope["path"])
        operation = self.metrics.operation_label(graphql.get("operation"))
        if path != "/graphql":
            operation = "-"
        self.metrics.observe(path, operation, outcome, seconds)
        # The endpoints beside GraphQL refuse a limit with 429 (Open311: docs/OPEN311.md).
        if outcome == "RATE_LIMITED" or status == 429:
            self.metrics.rate_limited.inc()
        log.info(
            "request",
            extra={
                "request_id": request_id,
                "method": scope["method"],
                "path": path,
                "status": status,
                "duration_ms": round(seconds * 1000, 1),
                "operation": operation,
                "outcome": outcome,
                "user_id": graphql.get("user_id"),
            },
        )
