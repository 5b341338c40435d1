"""What the server tells a stranger: outside demo mode no introspection and no field
suggestions; the default policy only to a county administrator; the GraphiQL page with
security headers whose CSP its own local assets satisfy."""

import base64
import hashlib
import re
from collections.abc import AsyncIterator

import pytest
from starlette.applications import Starlette

from tests.support.clock import Clock
from tests.support.demo import LEADER
from tests.support.deployment import demo_settings, running_app
from tests.support.driver import Api, in_process
from yidi.config import Settings

INTROSPECTION = [
    "{ __schema { types { name } } }",
    '{ __type(name: "Case") { fields { name } } }',
]
MISSPELT = "{ cass(first: 1) { totalCount } }"


@pytest.fixture
async def hidden(database_url: str, clock: Clock) -> AsyncIterator[Api]:
    """The app as production runs it: the schema not exposed."""
    async with (
        running_app(demo_settings(expose_schema=False), database_url, clock) as app,
        in_process(app, clock) as api,
    ):
        yield api


def test_the_schema_is_exposed_in_demo_mode_only() -> None:
    assert Settings(demo=True).schema_exposed()
    assert not Settings(demo=False).schema_exposed()
    assert Settings(demo=False, expose_schema=True).schema_exposed()
    assert not Settings(demo=True, expose_schema=False).schema_exposed()


@pytest.mark.parametrize("query", INTROSPECTION)
@pytest.mark.parametrize("user", [None, LEADER], ids=["anonymous", "signed-in"])
async def test_no_introspection_when_hidden(hidden: Api, query: str, user: str | None) -> None:
    body = await hidden.raw(query, user=user)
    assert body.get("data") is None
    # One error per introspection field the document selects.
    assert {e["extensions"]["code"] for e in body["errors"]} == {"BAD_USER_INPUT"}


async def test_typename_still_answers_when_hidden(hidden: Api) -> None:
    assert await hidden.ok("{ __typename }") == {"__typename": "Query"}


async def test_no_field_suggestions_when_hidden(hidden: Api, api: Api) -> None:
    (refused,) = (await hidden.raw(MISSPELT))["errors"]
    assert "cases" not in refused["message"]
    # The demo still helps whoever explores it.
    (helped,) = (await api.raw(MISSPELT))["errors"]
    assert "Did you mean" in helped["message"]
    assert "'cases'" in helped["message"]


@pytest.mark.parametrize("query", INTROSPECTION)
async def test_introspection_in_demo_mode(api: Api, query: str) -> None:
    assert await api.ok(query)


@pytest.mark.parametrize(
    ("user", "code"),
    [(None, "UNAUTHENTICATED"), (LEADER, "FORBIDDEN"), ("v11.handler", "FORBIDDEN")],
    ids=["anonymous", "county-leader", "village-handler"],
)
async def test_default_policy_is_for_administrators_only(
    api: Api, user: str | None, code: str
) -> None:
    error = await api.error("{ defaultPolicy { role action } }", user=user)
    assert error["extensions"]["code"] == code
    rules = await api.ok("{ defaultPolicy { role action } }", user="county.admin")
    assert {"role": "ADMIN", "action": "MANAGE_POLICY"} in rules["defaultPolicy"]


def csp_sources(policy: str, directive: str) -> list[str]:
    for part in policy.split(";"):
        name, *sources = part.split()
        if name == directive:
            return sources
    raise AssertionError(f"no {directive} in {policy}")


async def test_graphiql_page_has_security_headers_its_assets_satisfy(
    app: Starlette, api: Api
) -> None:
    response = await api.client.get("/graphql", headers={"accept": "text/html"})
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    policy = response.headers["content-security-policy"]
    assert csp_sources(policy, "default-src") == ["'none'"]
    assert csp_sources(policy, "frame-ancestors") == ["'none'"]
    scripts = csp_sources(policy, "script-src")
    assert "'unsafe-inline'" not in scripts
    assert "'unsafe-eval'" not in scripts
    html = response.text
    # Every inline script is allowed by its hash, and by nothing broader.
    for body in re.findall(r"<script>(.*?)</script>", html, re.DOTALL):
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in scripts
    # Every script and stylesheet is served by this origin ('self'), and is there.
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
    assert len(assets) == 7
    for asset in assets:
        assert (await api.client.get(asset)).status_code == 200
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html)
