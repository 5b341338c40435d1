"""Registering a case through GraphQL, and the reporter's data tests register it with."""

from typing import Any

from tests.support.driver import Api
from tests.support.lookups import category_id, unit_id

# A reporter's personal data, and how a viewer not entitled to it must read it.
PHONE, PHONE_MASKED = "13812345678", "138****5678"
ID_NUMBER, ID_MASKED = "620102199001011233", "6201**********1233"  # valid GB 11643 check digit


async def register(
    api: Api,
    user: str,
    location: str,
    *,
    category: str = "DISPUTE.NEIGHBOR",
    selection: str = "id number",
    **overrides: Any,
) -> dict[str, Any]:
    """registerCase as `user`, located at the unit `location` and in `category` (both codes,
    looked up as `user`); the case's `selection`. `overrides` replace input fields."""
    value: dict[str, Any] = {
        "title": "邻里噪音纠纷",
        "description": "楼上装修噪音扰民。",
        "categoryId": await category_id(api, category, user),
        "channel": "VISIT",
        "locationUnitId": await unit_id(api, location, user),
        "reporter": {"name": "张三", "phone": "13800001111"},
        **overrides,
    }
    data = await api.ok(
        "mutation($input: RegisterCaseInput!) { registerCase(input: $input) "
        f"{{ case {{ {selection} }} }} }}",
        {"input": value},
        user=user,
    )
    case: dict[str, Any] = data["registerCase"]["case"]
    return case


# A resident's request, as submitRequest takes it (no account, a phone to track it by).
SUBMIT = """
mutation($input: SubmitRequestInput!) { submitRequest(input: $input) { number trackingCode } }
"""
RESIDENT_NAME, RESIDENT_PHONE = "刘大爷", "13912345678"


def request_input(location_id: str, **overrides: Any) -> dict[str, Any]:
    """A resident's valid request at the unit `location_id`; `overrides` replace fields."""
    return {
        "title": "村口排水沟堵塞",
        "description": "雨后积水严重，影响出行。",
        "locationUnitId": location_id,
        "reporter": {"name": RESIDENT_NAME, "phone": RESIDENT_PHONE},
        **overrides,
    }


async def submit(api: Api, location_id: str, **overrides: Any) -> dict[str, str]:
    """submitRequest without an account; its number and trackingCode."""
    data = await api.ok(SUBMIT, {"input": request_input(location_id, **overrides)})
    payload: dict[str, str] = data["submitRequest"]
    return payload
