"""The 12345 hotline bridge over HTTP (docs/HOTLINE.md): the endpoint the platform pushes
work orders to, and the client that delivers status callbacks back."""

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from yidi.domain.errors import DomainError
from yidi.http.refusals import refusal
from yidi.resolvers.context import AppState
from yidi.services import hotline
from yidi.services.hotline_delivery import Post

ORDERS_PATH = "/hotline/12345/orders"
CALLBACK_TIMEOUT_SECONDS = 10.0


def hotline_routes(state: AppState) -> list[Route]:
    async def receive(request: Request) -> JSONResponse:
        headers = request.headers
        signed = hotline.SignedRequest(
            county_code=headers.get("x-hotline-county", ""),
            timestamp=headers.get("x-hotline-timestamp", ""),
            nonce=headers.get("x-hotline-nonce", ""),
            signature=headers.get("x-hotline-signature", ""),
        )
        try:
            received = await hotline.receive_order(state.uow, signed, await request.body())
        except DomainError as error:
            # Signed by a secret, not a bearer token: no Bearer challenge on a 401.
            return refusal(error, bearer=False)
        return JSONResponse(
            {"orderId": received.order_id, "caseNumber": received.case_number},
            status_code=200 if received.duplicate else 201,
        )

    return [Route(ORDERS_PATH, receive, methods=["POST"])]


def callback_poster(client: httpx.AsyncClient) -> Post:
    """POST a callback; its HTTP status (redirects are not followed: a moved platform is
    reconfigured, not guessed)."""

    async def post(url: str, body: bytes, headers: dict[str, str]) -> int:
        response = await client.post(url, content=body, headers=headers)
        return response.status_code

    return post


def callback_client() -> httpx.AsyncClient:
    return httpx.AsyncClient(timeout=CALLBACK_TIMEOUT_SECONDS, follow_redirects=False)
