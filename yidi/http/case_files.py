"""The case file outside GraphQL: an attachment's bytes and the dossier PDF (民事办理书).

Both are plain GETs with the bearer token in `Authorization`, authorized afresh on every
request by the same rules as `case(id:)` (docs/CASE_FILE.md). Residents have no token:
whatever else is sent (a tracking code, nothing) is 401. Refusals are JSON with the
contract's codes; a case the caller may not see is 404, like one that does not exist.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from yidi.authz.actor import Actor
from yidi.domain.errors import DomainError, NotFound, Unauthenticated
from yidi.http.dossier_pdf import render
from yidi.http.refusals import refusal
from yidi.http.strict_view import error_body
from yidi.resolvers.context import AppState
from yidi.resolvers.ids import pk_or_none
from yidi.services import dossier, evidence
from yidi.services.auth import load_actor, verify_token

log = logging.getLogger(__name__)

# Never cached by a shared proxy, never sniffed into something executable by a browser.
_PRIVATE = {"cache-control": "private, no-store", "x-content-type-options": "nosniff"}

Endpoint = Callable[[Request], Awaitable[Response]]


async def authenticate(state: AppState, request: Request) -> Actor:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("A bearer token is required.")
    user_id, _ = verify_token(
        token.strip(), key=state.settings.signing_key(), now=state.uow.clock()
    )
    async with state.uow.read() as session:
        return await load_actor(session, user_id)


def case_id_of(request: Request) -> int:
    pk = pk_or_none(request.path_params["case_id"], "Case")
    if pk is None:
        raise NotFound("No such case.")
    return pk


def refusing(endpoint: Endpoint) -> Endpoint:
    """Domain errors become their contract code and HTTP status; anything else is logged
    in full and answered with a bare INTERNAL_SERVER_ERROR, as GraphQL answers it."""

    async def guarded(request: Request) -> Response:
        try:
            return await endpoint(request)
        except DomainError as error:
            return refusal(error)
        except Exception:
            log.exception("unexpected error at %s", request.url.path)
            return internal_error()

    return guarded


def internal_error() -> Response:
    return JSONResponse(error_body("Internal server error.", "INTERNAL_SERVER_ERROR"), 500)


def attachment_disposition(file_name: str | None, sha256: str, content_type: str) -> str:
    """Always a download, never displayed inline in our origin; the name as uploaded."""
    extension = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}
    fallback = f"{sha256[:16]}.{extension.get(content_type, 'bin')}"
    name = file_name or fallback
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"


def case_file_routes(state: AppState) -> list[Route]:
    store = evidence.blob_store(state.settings)

    @refusing
    async def download(request: Request) -> Response:
        actor = await authenticate(state, request)
        case_id = case_id_of(request)
        attachment_id = pk_or_none(request.path_params["attachment_id"], "Attachment")
        if attachment_id is None:
            raise NotFound("No such attachment.")
        enforcer = await state.uow.registry.enforcer(actor.county_id)
        async with state.uow.read() as session:
            row = await evidence.evidence_to_download(
                session, enforcer, actor, case_id, attachment_id
            )
        if not await store.has(row.sha256):
            log.error("attachment %s: blob %s is missing from the store", row.id, row.sha256)
            return internal_error()
        headers = {
            **_PRIVATE,
            "content-length": str(row.size),
            "content-disposition": attachment_disposition(
                row.file_name, row.sha256, row.content_type
            ),
            "etag": f'"{row.sha256}"',
        }
        return StreamingResponse(
            store.read(row.sha256), media_type=row.content_type, headers=headers
        )

    @refusing
    async def dossier_pdf(request: Request) -> Response:
        actor = await authenticate(state, request)
        case_id = case_id_of(request)
        enforcer = await state.uow.registry.enforcer(actor.county_id)
        async with state.uow.read() as session:
            gathered = await dossier.gather(session, enforcer, actor, case_id, state.uow.clock())
        # Laying out pages takes CPU time: off the event loop, like password hashing.
        pdf = await asyncio.to_thread(render, gathered)
        disposition = f'inline; filename="{gathered.case.number}.pdf"'
        headers = {**_PRIVATE, "content-disposition": disposition}
        return Response(pdf, media_type="application/pdf", headers=headers)

    return [
        Route("/cases/{case_id}/attachments/{attachment_id}", download, methods=["GET"]),
        Route("/cases/{case_id}/dossier.pdf", dossier_pdf, methods=["GET"]),
    ]
