"""What an operator sees: a request id on every response and log line, one access log line
per request without personal data, and Prometheus metrics a Prometheus parser reads."""

import asyncio
import json
import logging
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.applications import Starlette

from tests.support.clock import Clock
from tests.support.demo import LEADER, PASSWORD
from tests.support.deployment import demo_settings, running_app
from tests.support.driver import Api, in_process
from tests.support.live import CASE_EVENTS, Subscription, subscribers_reach
from tests.support.live import serving as serving_live
from tests.support.servers import serving

LOGIN = "mutation Login($u: String!, $p: String!) { login(username: $u, password: $p) { token } }"


def access_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "yidi.access"]


@pytest.mark.parametrize(
    ("given", "kept"),
    [("req-42.a:b", True), ("x" * 65, False), ("bad id\n", False), (None, False)],
    ids=["token", "too-long", "not-a-token", "absent"],
)
async def test_every_response_carries_a_request_id(api: Api, given: str | None, kept: bool) -> None:
    headers = {"x-request-id": given} if given else {}
    response = await api.client.get("/healthz", headers=headers)
    returned = response.headers["x-request-id"]
    if kept:
        assert returned == given
    else:
        assert len(returned) == 32
        assert returned != given


async def test_one_access_line_per_request_without_personal_data(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    token = await api.token(LEADER)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="yidi.access"):
        response = await api.client.post(
            "/graphql",
            json={"query": "query Mine { me { username } }", "operationName": "Mine"},
            headers={"authorization": f"Bearer {token}", "x-request-id": "trace-1"},
        )
        await api.client.post(
            "/graphql", json={"query": LOGIN, "variables": {"u": LEADER, "p": "wrong-secret"}}
        )
    assert response.status_code == 200
    mine, login = access_records(caplog)
    assert (mine.request_id, mine.operation, mine.outcome, mine.status) == (  # type: ignore[attr-defined]
        "trace-1",
        "Mine",
        "ok",
        200,
    )
    assert isinstance(mine.user_id, int)  # type: ignore[attr-defined]
    assert mine.path == "/graphql"  # type: ignore[attr-defined]
    assert login.outcome == "UNAUTHENTICATED"  # type: ignore[attr-defined]
    assert login.user_id is None  # type: ignore[attr-defined]
    everything = json.dumps([r.__dict__ for r in (mine, login)], default=str)
    for personal in [LEADER, "wrong-secret", token, "127.0.0.1", "username"]:
        assert personal not in everything


def samples(text: str) -> dict[str, list[Any]]:
    return {f.name: f.samples for f in text_string_to_metric_families(text)}


async def test_metrics_are_scraped_and_parsed(api: Api) -> None:
    await api.ok(LOGIN, {"u": LEADER, "p": PASSWORD})
    await api.raw(LOGIN, {"u": LEADER, "p": "wrong"})
    for _ in range(5):
        await api.raw(LOGIN, {"u": "someone", "p": "wrong"})  # the sixth would wait
    await api.raw(LOGIN, {"u": "someone", "p": "wrong"})
    response = await api.client.get("/metrics")
    assert response.status_code == 200
    found = samples(response.text)
    requests = {
        (s.labels["operation"], s.labels["outcome"]): s.value
        for s in found["yidi_requests"]
        if s.name == "yidi_requests_total" and s.labels["path"] == "/graphql"
    }
    assert requests[("anonymous", "ok")] >= 1  # the driver sends no operationName
    assert requests[("anonymous", "UNAUTHENTICATED")] == 6
    assert requests[("anonymous", "RATE_LIMITED")] == 1
    (refusals,) = [s for s in found["yidi_rate_limited"] if s.name.endswith("_total")]
    assert refusals.value == 1
    latency = [s for s in found["yidi_request_duration_seconds"] if s.name.endswith("_count")]
    assert sum(s.value for s in latency if s.labels["path"] == "/graphql") >= 8
    (pool,) = found["yidi_db_connections_in_use"]
    assert pool.value >= 0


async def test_operation_labels_are_bounded(api: Api) -> None:
    for i in range(210):
        await api.client.post(
            "/graphql", json={"query": f"query Q{i} {{ __typename }}", "operationName": f"Q{i}"}
        )
    await api.client.post("/graphql", json={"query": "{ __typename }", "operationName": "?!"})
    found = samples((await api.client.get("/metrics")).text)
    labels = {s.labels["operation"] for s in found["yidi_requests"]}
    assert "other" in labels
    assert len(labels - {"other", "invalid", "anonymous", "-"}) == 200


async def test_live_subscriptions_are_counted(api: Api, app: Starlette) -> None:
    token = await api.token(LEADER)
    first = await api.ok("{ cases(first: 1) { edges { node { id } } } }", user=LEADER)
    case_id = first["cases"]["edges"][0]["node"]["id"]

    async def active() -> float:
        (gauge,) = samples((await api.client.get("/metrics")).text)["yidi_subscriptions_active"]
        return float(gauge.value)

    assert await active() == 0
    async with (
        serving_live(app) as url,
        Subscription(url, token, CASE_EVENTS, {"id": case_id}),
    ):
        await subscribers_reach(app, 1)
        assert await active() == 1


async def test_sweeper_runs_are_counted(database_url: str, clock: Clock) -> None:
    settings = demo_settings(sweep_interval_seconds=0.05).model_copy(update={"run_sweeper": True})
    async with running_app(settings, database_url, clock) as app, in_process(app) as api:
        runs = 0.0
        for _ in range(200):
            found = samples((await api.client.get("/metrics")).text)["yidi_sweeper_runs"]
            runs = sum(s.value for s in found if s.labels.get("outcome") == "swept")
            if runs >= 2:
                break
            await asyncio.sleep(0.05)
        assert runs >= 2


@pytest.mark.slow
async def test_a_real_server_logs_json_lines_with_the_request_id(
    database_url: str, tmp_path: Path
) -> None:
    async with (
        serving(database_url, tmp_path, "--log-level", "info") as server,
        httpx.AsyncClient(base_url=server.url) as client,
    ):
        await client.post(
            "/graphql", json={"query": "{ __typename }"}, headers={"x-request-id": "from-test"}
        )
    lines = [json.loads(line) for line in server.output().splitlines() if line.startswith("{")]
    (access,) = [line for line in lines if line.get("request_id") == "from-test"]
    assert access["logger"] == "yidi.access"
    assert access["outcome"] == "ok"
    assert access["status"] == 200
    assert {"time", "level", "duration_ms"} <= access.keys()
