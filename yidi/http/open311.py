"""Open311 GeoReport v2 over HTTP (docs/OPEN311.md): JSON only, form-encoded POST,
refusals in the spec's `[{"code", "description"}]` shape."""

import asyncio
import time

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from yidi.domain import open311 as rules
from yidi.domain.errors import BadInput, DomainError, NotFound
from yidi.http.dossier_labels import EVENT
from yidi.http.refusals import open311_refusal
from yidi.resolvers.context import AppState, client_address
from yidi.resolvers.public import limits_of
from yidi.services import open311

PREFIX = "/open311/v2"
FORM = "application/x-www-form-urlencoded"


def _param(request: Request, name: str, form: dict[str, str] | None = None) -> str | None:
    """A parameter from the form (POST) or the query string."""
    if form is not None and name in form:
        return form[name]
    return request.query_params.get(name)


async def _form(request: Request) -> dict[str, str]:
    """The POST's form fields; the spec's POST is form-encoded and carries no files."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != FORM:
        raise BadInput("Content-Type", f"Send the request as {FORM}.")
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


def open311_routes(state: AppState) -> list[Route]:
    uow, settings = state.uow, state.settings

    async def services(request: Request) -> Response:
        try:
            body = await open311.services(uow, request.query_params.get("jurisdiction_id"))
        except DomainError as error:
            return open311_refusal(error)
        return JSONResponse(body)

    async def definition(request: Request) -> Response:
        try:
            body = await open311.service_definition(
                uow,
                request.query_params.get("jurisdiction_id"),
                request.path_params["service_code"],
            )
        except DomainError as error:
            return open311_refusal(error)
        return JSONResponse(body)

    async def file(request: Request) -> Response:
        try:
            form = await _form(request)
            filed = await open311.file_request(
                uow,
                limits_of(settings).submit,
                client_address(request),
                _param(request, "api_key", form),
                _param(request, "jurisdiction_id", form),
                form,
            )
        except DomainError as error:
            return open311_refusal(error)
        return JSONResponse([rules.filed_entry(filed.tracking_code, filed.case_number)])

    async def follow(request: Request, ids: list[str]) -> list[dict[str, object]]:
        """Answered no sooner than trackCase's floor, so a hit and a miss take as long."""
        started = time.monotonic()
        views = await open311.follow(
            uow,
            limits_of(settings),
            client_address(request),
            request.query_params.get("jurisdiction_id"),
            ids,
            request.query_params.get("phone_last4"),
        )
        remaining = settings.track_min_seconds - (time.monotonic() - started)
        if remaining > 0:
            await asyncio.sleep(remaining)
        return [rules.request_entry(view, EVENT) for view in views]

    async def requests(request: Request) -> Response:
        try:
            ids = rules.request_ids(request.query_params.get("service_request_id"))
            return JSONResponse(await follow(request, ids))
        except DomainError as error:
            return open311_refusal(error)

    async def one_request(request: Request) -> Response:
        try:
            found = await follow(request, [request.path_params["service_request_id"]])
            if not found:
                # The same answer for an unknown id and a known one with the wrong proof.
                raise NotFound("service_request_id was not found.")
        except DomainError as error:
            return open311_refusal(error)
        return JSONResponse(found)

    async def not_served(_: Request) -> Response:
        return open311_refusal(
            NotFound(
                "Not served: the GeoReport v2 JSON resources are services.json, "
                "services/{service_code}.json, requests.json and "
                "requests/{service_request_id}.json (XML is not served)."
            )
        )

    return [
        Route(f"{PREFIX}/services.json", services, methods=["GET"]),
        Route(f"{PREFIX}/services/{{service_code}}.json", definition, methods=["GET"]),
        Route(f"{PREFIX}/requests.json", file, methods=["POST"]),
        Route(f"{PREFIX}/requests.json", requests, methods=["GET"]),
        Route(f"{PREFIX}/requests/{{service_request_id}}.json", one_request, methods=["GET"]),
        Route("/open311/{rest:path}", not_served),
    ]
