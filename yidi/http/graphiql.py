"""GraphiQL that works without internet access.

Strawberry's built-in GraphiQL page loads React, GraphiQL and the explorer plugin from
unpkg.com. Government intranets have no internet access, so there the page would stay blank.
This module serves the same page with every asset rewritten to a local copy vendored under
``yidi/http/static/graphiql`` (see ``LICENSES.md`` there), served by the app itself under
``STATIC_PREFIX``.

The page is strawberry's own template (via ``strawberry.http.ides.get_graphql_ide_html``), so
behaviour stays identical to upstream; only the ``<script src>`` / ``<link href>`` URLs change.
If a strawberry upgrade pins asset versions we have not vendored, ``graphiql_html()`` raises
``OfflineGraphiQLError`` instead of quietly sending browsers to the internet.

Usage (the GraphQL view overrides ``render_graphql_ide``)::

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(graphiql_html())

    Mount(STATIC_PREFIX, app=static_app())
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Final

from starlette.staticfiles import StaticFiles
from strawberry.http.ides import get_graphql_ide_html

__all__ = [
    "STATIC_DIR",
    "STATIC_PREFIX",
    "VENDORED_ASSETS",
    "OfflineGraphiQLError",
    "graphiql_html",
    "localize_ide_html",
    "static_app",
]

STATIC_DIR: Final[Path] = Path(__file__).resolve().parent / "static" / "graphiql"
"""Folder holding the vendored GraphiQL assets (shipped as package data)."""

STATIC_PREFIX: Final = "/static/graphiql"
"""URL path under which ``static_app()`` must be mounted."""

VENDORED_ASSETS: Final[Mapping[str, str]] = {
    "https://unpkg.com/react@18.2.0/umd/react.production.min.js": "react.production.min.js",
    "https://unpkg.com/react-dom@18.2.0/umd/react-dom.production.min.js": (
        "react-dom.production.min.js"
    ),
    "https://unpkg.com/js-cookie@3.0.5/dist/js.cookie.min.js": "js.cookie.min.js",
    "https://unpkg.com/graphiql@3.8.3/graphiql.min.css": "graphiql.min.css",
    "https://unpkg.com/graphiql@3.8.3/graphiql.min.js": "graphiql.min.js",
    "https://unpkg.com/@graphiql/plugin-explorer@1.0.2/dist/style.css": (
        "plugin-explorer.style.css"
    ),
    "https://unpkg.com/@graphiql/plugin-explorer@1.0.2/dist/index.umd.js": (
        "plugin-explorer.index.umd.js"
    ),
}
"""CDN URL used by strawberry's ``graphiql.html`` -> file name in ``STATIC_DIR``."""

# An opening <script> or <link> tag; quoted attribute values may contain ">" (the favicon
# <link> holds an inline SVG data URL), so quoted strings are consumed as a whole.
_TAG_RE: Final = re.compile(
    r"""(?P<name><(?:script|link))\b(?:[^>"']|"[^"]*"|'[^']*')*>""", re.IGNORECASE
)
_URL_ATTR_RE: Final = re.compile(
    r"""(?<![\w-])(?:src|href)\s*=\s*(["'])(?P<url>.*?)\1""", re.IGNORECASE
)
_INTEGRITY_RE: Final = re.compile(
    r"""\s+integrity\s*=\s*(["'])(?P<value>.*?)\1""", re.IGNORECASE | re.DOTALL
)
_ABSOLUTE_URL_RE: Final = re.compile(r"""https?://[^\s"'`()<>]+""", re.IGNORECASE)
_CROSSORIGIN_RE: Final = re.compile(
    r"""\s+crossorigin(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?(?=[\s/>])""", re.IGNORECASE
)


class OfflineGraphiQLError(RuntimeError):
    """The GraphiQL page would load something from the network, or a vendored file is bad."""


def static_app() -> StaticFiles:
    """ASGI app serving the vendored GraphiQL assets; mount it at ``STATIC_PREFIX``."""
    return StaticFiles(directory=STATIC_DIR)


def graphiql_html(static_url: str = STATIC_PREFIX) -> str:
    """Strawberry's GraphiQL page with all assets served from ``static_url``.

    ``static_url`` is the URL path where ``static_app()`` is mounted; pass
    ``request.scope["root_path"] + STATIC_PREFIX`` if the app runs below a path prefix.

    Raises ``OfflineGraphiQLError`` if the page still references a remote script or stylesheet
    (e.g. after a strawberry upgrade changed the pinned versions) or a vendored file is missing.
    The result is cached after the first successful call; call it at startup to fail fast.
    """
    return _cached_graphiql_html(static_url.rstrip("/"))


@cache
def _cached_graphiql_html(static_url: str) -> str:
    return localize_ide_html(get_graphql_ide_html(graphql_ide="graphiql"), static_url)


def localize_ide_html(html: str, static_url: str = STATIC_PREFIX) -> str:
    """Rewrite the known CDN assets in ``html`` to local URLs and verify nothing remote is left.

    Each rewritten tag loses its ``crossorigin`` attribute (same-origin now) and gets an
    ``integrity`` hash computed from the vendored file. If the template's own ``integrity``
    differs, the vendored file is not the one strawberry pinned and an error is raised.
    """

    def localize_tag(match: re.Match[str]) -> str:
        return _localize_tag(match, static_url.rstrip("/"))

    localized = _TAG_RE.sub(localize_tag, html)
    remote = [url for url in _resource_urls(localized) if _is_remote(url)]
    if remote:
        raise OfflineGraphiQLError(
            "GraphiQL page still loads assets from the network: "
            + ", ".join(remote)
            + ". Vendor them into yidi/http/static/graphiql and add them to "
            "yidi.http.graphiql.VENDORED_ASSETS (strawberry-graphql upgrade?)."
        )
    return localized


def _localize_tag(match: re.Match[str], static_url: str) -> str:
    tag = match.group(0)
    url_match = _URL_ATTR_RE.search(tag)
    if url_match is None or url_match.group("url") not in VENDORED_ASSETS:
        return tag
    url = url_match.group("url")
    file_name = VENDORED_ASSETS[url]
    local_sri = _sri_sha384(file_name)

    tag = tag[: url_match.start("url")] + f"{static_url}/{file_name}" + tag[url_match.end("url") :]

    integrity_match = _INTEGRITY_RE.search(tag)
    if integrity_match is not None:
        upstream = set(integrity_match.group("value").split())
        if upstream and local_sri not in upstream:
            raise OfflineGraphiQLError(
                f"Vendored {STATIC_DIR / file_name} does not match the integrity hash "
                f"{sorted(upstream)} that strawberry's GraphiQL template pins for {url}."
            )
        tag = tag[: integrity_match.start()] + tag[integrity_match.end() :]
    tag = _CROSSORIGIN_RE.sub("", tag)

    # Put integrity back, computed from the local file, right after the tag name.
    name_end = len(match.group("name"))
    return f'{tag[:name_end]} integrity="{local_sri}"{tag[name_end:]}'


@cache
def _sri_sha384(file_name: str) -> str:
    path = STATIC_DIR / file_name
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise OfflineGraphiQLError(
            f"Vendored GraphiQL asset {path} is missing (package data not installed?)."
        ) from exc
    digest = base64.b64encode(hashlib.sha384(data).digest()).decode("ascii")
    return f"sha384-{digest}"


def _is_remote(url: str) -> bool:
    lowered = url.strip().lower()
    return lowered.startswith(("http://", "https://", "//"))


def _resource_urls(html: str) -> list[str]:
    collector = _ResourceUrlCollector()
    collector.feed(html)
    collector.close()
    return collector.urls


class _ResourceUrlCollector(HTMLParser):
    """Collects URLs a browser may fetch: any ``src``, ``<link href>`` and absolute http(s) URLs
    inside inline ``<script>`` / ``<style>`` (import maps, ``import`` statements, ``@import``)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self._inline: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is not None and (name == "src" or (tag == "link" and name == "href")):
                self.urls.append(value)
        if tag in ("script", "style"):
            self._inline = tag

    def handle_endtag(self, tag: str) -> None:
        if tag == self._inline:
            self._inline = None

    def handle_data(self, data: str) -> None:
        if self._inline is not None:
            self.urls.extend(_ABSOLUTE_URL_RE.findall(data))
