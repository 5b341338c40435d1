"""GraphiQL must work on government intranets without internet access.

The page at /graphql may only reference scripts and stylesheets served by the app itself. The
helpers ``extract_asset_urls`` and ``assert_graphiql_served_offline`` are meant to be reused by
the tests of the real application.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import AsyncIterator
from html.parser import HTMLParser
from urllib.parse import urlsplit

import httpx
import pytest
import strawberry
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from yidi.http.graphiql import (
    STATIC_DIR,
    STATIC_PREFIX,
    VENDORED_ASSETS,
    OfflineGraphiQLError,
    graphiql_html,
    localize_ide_html,
    static_app,
)

MIN_ASSET_BYTES = 500
ASSET_CONTENT_TYPES = ("text/javascript", "application/javascript", "text/css")


class _AssetUrlCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self.integrity: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        url = attributes.get("src") if tag == "script" else None
        if tag == "link":
            url = attributes.get("href")
        if url is None:
            return
        self.urls.append(url)
        integrity = attributes.get("integrity")
        if integrity:
            self.integrity[url] = integrity


def _collected(html: str) -> _AssetUrlCollector:
    collector = _AssetUrlCollector()
    collector.feed(html)
    collector.close()
    return collector


def extract_asset_urls(html: str) -> list[str]:
    """Every ``<script src>`` and ``<link href>`` in ``html``, in document order."""
    return _collected(html).urls


def is_remote_url(url: str) -> bool:
    """True for URLs a browser would fetch from another host (http, https, protocol-relative)."""
    parts = urlsplit(url.strip())
    return parts.scheme.lower() in ("http", "https") or (not parts.scheme and bool(parts.netloc))


async def assert_graphiql_served_offline(
    client: httpx.AsyncClient, path: str = "/graphql"
) -> list[str]:
    """GET the GraphiQL page like a browser and check every asset it needs is served locally.

    Returns the local asset URLs that were checked.
    """
    page = await client.get(path, headers={"Accept": "text/html"})
    assert page.status_code == 200, page.text[:500]
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    assert "unpkg.com" not in html, "GraphiQL page still points at unpkg.com"

    collected = _collected(html)
    urls = collected.urls
    remote = [url for url in urls if is_remote_url(url)]
    assert not remote, f"GraphiQL page references remote assets: {remote}"

    integrity = collected.integrity
    local = [url for url in urls if not url.startswith("data:")]
    assert local, "GraphiQL page references no local assets at all"
    for url in local:
        response = await client.get(url)
        assert response.status_code == 200, f"{url} -> {response.status_code}"
        content_type = response.headers["content-type"].split(";")[0].strip()
        assert content_type in ASSET_CONTENT_TYPES, f"{url} served as {content_type!r}"
        assert len(response.content) >= MIN_ASSET_BYTES, f"{url} is only {len(response.content)} B"
        if url in integrity:
            # The browser refuses the file if its Subresource Integrity hash does not match.
            digest = base64.b64encode(hashlib.sha384(response.content).digest()).decode()
            assert f"sha384-{digest}" in integrity[url].split(), f"SRI mismatch for {url}"
    return local


@strawberry.type
class Query:
    hello: str = "hi"


class _OfflineGraphQL(GraphQL[None, Query]):
    async def get_root_value(self, request: Request | WebSocket) -> Query:
        return Query()

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(graphiql_html())


def make_app() -> Starlette:
    """Tiny app wired the way the real one should be: GraphQL view + vendored static files."""
    graphql_app = _OfflineGraphQL(strawberry.Schema(query=Query))
    return Starlette(
        routes=[
            Route("/graphql", graphql_app, methods=["GET", "POST"]),
            Mount(STATIC_PREFIX, app=static_app()),
        ]
    )


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=make_app()), base_url="http://testserver"
    ) as client:
        yield client


async def test_graphiql_page_loads_only_local_assets(client: httpx.AsyncClient) -> None:
    local = await assert_graphiql_served_offline(client)
    assert sorted(local) == sorted(f"{STATIC_PREFIX}/{name}" for name in VENDORED_ASSETS.values())


async def test_graphql_still_answers_queries(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": "{ hello }"})
    assert response.status_code == 200
    assert response.json() == {"data": {"hello": "hi"}}


async def test_unknown_static_file_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{STATIC_PREFIX}/graphiql.min.js.map")
    assert response.status_code == 404


def test_every_vendored_asset_has_a_license_entry() -> None:
    licenses = (STATIC_DIR / "LICENSES.md").read_text(encoding="utf-8")
    for name in VENDORED_ASSETS.values():
        assert f"`{name}`" in licenses
    for package in ("react", "react-dom", "js-cookie", "graphiql", "graphiql-plugin-explorer"):
        assert (
            (STATIC_DIR / f"{package}.LICENSE.txt")
            .read_text(encoding="utf-8")
            .startswith("MIT License")
        )


def test_static_url_can_carry_a_root_path() -> None:
    html = graphiql_html(static_url=f"/yidi{STATIC_PREFIX}/")
    urls = [url for url in extract_asset_urls(html) if not url.startswith("data:")]
    assert urls
    assert all(url.startswith(f"/yidi{STATIC_PREFIX}/") for url in urls)
    assert not any("//" in url for url in urls)


@pytest.mark.parametrize(
    ("template", "message"),
    [
        pytest.param(
            '<html><head><script crossorigin src="https://unpkg.com/react@19.0.0/umd/react.js">'
            "</script></head></html>",
            r"unpkg\.com/react@19\.0\.0",
            id="remote-asset-left-in-template",
        ),
        pytest.param(
            '<html><head><script type="importmap">'
            '{"imports": {"react": "https://esm.sh/react@19"}}</script></head></html>',
            r"esm\.sh",
            id="remote-import-in-inline-script",
        ),
        pytest.param(
            f'<script crossorigin src="{next(iter(VENDORED_ASSETS))}" integrity="sha384-bogus">'
            "</script>",
            "does not match the integrity hash",
            id="vendored-file-not-matching-pinned-integrity",
        ),
    ],
)
def test_a_template_that_would_not_work_offline_fails_loudly(template: str, message: str) -> None:
    with pytest.raises(OfflineGraphiQLError, match=message):
        localize_ide_html(template)
