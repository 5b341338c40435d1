"""Headers every HTML page carries: a Content-Security-Policy that GraphiQL's page and its
vendored local assets satisfy and nothing else does, no framing, no sniffing, no referrer
leaking a URL elsewhere."""

import base64
import hashlib
import re
from functools import cache

from starlette.responses import HTMLResponse

_INLINE = re.compile(r"<(script|style)>(.*?)</\1>", re.DOTALL | re.IGNORECASE)


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


@cache
def content_security_policy(html: str) -> str:
    """Scripts and styles from this origin, plus the page's own inline ones by hash; the
    favicon is a data: URL; GraphiQL talks to /graphql on this origin only."""
    inline = {"script": [], "style": []}  # type: dict[str, list[str]]
    for kind, body in _INLINE.findall(html):
        inline[kind.lower()].append(_sha256(body))
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self' " + " ".join(inline["script"]),
            # GraphiQL and CodeMirror set element styles from script at run time.
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def html_response(html: str) -> HTMLResponse:
    return HTMLResponse(
        html,
        headers={
            "content-security-policy": content_security_policy(html),
            "x-frame-options": "DENY",
            "x-content-type-options": "nosniff",
            "referrer-policy": "no-referrer",
        },
    )
