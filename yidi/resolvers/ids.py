"""Global object ids (Relay style): opaque base64 of "Type:pk"."""

import base64
import binascii

from yidi.domain.errors import BadInput


def to_global_id(type_name: str, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")


def parse_global_id(global_id: str) -> tuple[str, int] | None:
    """(type, pk), or None for anything that is not one of our ids."""
    try:
        raw = base64.urlsafe_b64decode((global_id + "=" * (-len(global_id) % 4)).encode())
        type_name, _, pk = raw.decode().partition(":")
        value = int(pk)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    if not type_name.isidentifier() or value <= 0 or value >= 2**63:
        return None
    # One id per object: "Case:01", "Case:+1", "Case:1_0" or other digits are not ours.
    if to_global_id(type_name, value) != global_id:
        return None
    return type_name, value


def decode_id(global_id: str, type_name: str, field: str) -> int:
    """The pk of an input id, or BAD_USER_INPUT naming the field."""
    parsed = parse_global_id(global_id)
    if parsed is None or parsed[0] != type_name:
        raise BadInput(field, f"{field} is not a valid {type_name} id.")
    return parsed[1]


def pk_or_none(global_id: str, type_name: str) -> int | None:
    """For query fields: an id of the wrong shape is simply not found."""
    parsed = parse_global_id(global_id)
    return parsed[1] if parsed and parsed[0] == type_name else None


def decode_optional_id(global_id: str | None, type_name: str, field: str) -> int | None:
    return decode_id(global_id, type_name, field) if global_id else None
