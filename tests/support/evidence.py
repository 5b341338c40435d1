"""Evidence uploads as a client sends them: the GraphQL multipart request spec over real
HTTP (httpx builds the multipart body), sample files whose bytes are what they claim (or
not), and the blob store read straight from disk."""

import io
import json
import re
from pathlib import Path
from typing import Any

import httpx
from pypdf import PdfReader
from reportlab.pdfgen import canvas

from tests.support.driver import Api

ATTACH = """
mutation($input: AttachEvidenceInput!) { attachEvidence(input: $input) { case {
  id version
  attachments { id fileName contentType size sha256 description uploadedAt
    uploadedBy { username } downloadPath }
} } }
"""

# A 1×1 PNG, whole and valid.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d4944415478da63f8cfc0f01f0005000201b1e3dd6e0000000049454e44ae426082"
)
# The start of a JPEG (SOI, APP0 JFIF): what a magic-number check reads.
JPEG = bytes.fromhex("ffd8ffe000104a46494600010100000100010000") + bytes(200)
# A Windows executable and an HTML page: what must not pass for a photo or a PDF.
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(200)
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


def pdf(text: str = "调解协议") -> bytes:
    """A real one-page PDF, as a scanner or a word processor would export it."""
    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 720, text.encode("unicode_escape").decode())
    page.save()
    return out.getvalue()


def multipart(case_id: str, description: str | None = None, **more: Any) -> dict[str, str]:
    """The `operations` and `map` parts: the file goes to variables.input.file."""
    variables: dict[str, Any] = {"input": {"caseId": case_id, "file": None, **more}}
    if description is not None:
        variables["input"]["description"] = description
    return {
        "operations": json.dumps({"query": ATTACH, "variables": variables}),
        "map": json.dumps({"0": ["variables.input.file"]}),
    }


async def upload_response(
    api: Api,
    user: str | None,
    case_id: str,
    content: bytes,
    *,
    name: str = "photo.png",
    declared: str = "image/png",
    description: str | None = "现场照片",
    **more: Any,
) -> httpx.Response:
    """`more`: other input fields (expectedVersion)."""
    headers = {"authorization": f"Bearer {await api.token(user)}"} if user else {}
    return await api.client.post(
        "/graphql",
        data=multipart(case_id, description, **more),
        files={"0": (name, content, declared)},
        headers=headers,
    )


async def upload(api: Api, user: str | None, case_id: str, content: bytes, **kw: Any) -> Any:
    """The GraphQL answer (data and errors) of one upload."""
    return (await upload_response(api, user, case_id, content, **kw)).json()


async def download(
    api: Api, path: str, user: str | None, *, token: str | None = None
) -> httpx.Response:
    bearer = token if token is not None else (await api.token(user) if user else None)
    headers = {"authorization": f"Bearer {bearer}"} if bearer else {}
    return await api.client.get(path, headers=headers)


def blobs(root: Path) -> list[Path]:
    """Every file in the store (temporary ones included: none may be left behind)."""
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def pdf_text(content: bytes) -> str:
    """A dossier's text as pypdf reads it back, whitespace and page footers removed: table
    cells wrap long values (a hash, a transcript) anywhere and across pages, so needles are
    looked for without them (`has_text`)."""
    reader = PdfReader(io.BytesIO(content))
    text = re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))
    # Each page's footer is read back first on its page, inside text that runs across.
    return re.sub(r"民事办理书\d{6}-\d{4}-\d{6}第\d+页", "", text)


def has_text(text: str, needle: str) -> bool:
    return re.sub(r"\s+", "", needle) in text
