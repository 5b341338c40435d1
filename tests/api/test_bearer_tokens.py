"""Bearer tokens are verified once per process and remembered (services/auth.py): what a
valid signature vouches for is kept, never a refusal, and expiry is judged on every use."""

from datetime import UTC, datetime, timedelta

import jwt
import pytest

from yidi.domain.errors import Unauthenticated
from yidi.services.auth import ISSUER, _signed_claims, verify_token

KEY = "k" * 32
NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


def token(user_id: int, expires_at: datetime, key: str = KEY) -> str:
    claims = {"sub": str(user_id), "iss": ISSUER, "iat": NOW, "exp": expires_at}
    return jwt.encode(claims, key, algorithm="HS256")


def test_a_token_is_decoded_once_and_still_expires() -> None:
    expires_at = NOW + timedelta(hours=1)
    signed = token(7, expires_at)
    assert verify_token(signed, key=KEY, now=NOW) == (7, expires_at)
    decoded = _signed_claims.cache_info().misses
    assert verify_token(signed, key=KEY, now=NOW + timedelta(minutes=59)) == (7, expires_at)
    assert _signed_claims.cache_info().misses == decoded  # remembered, not decoded again
    with pytest.raises(Unauthenticated):
        verify_token(signed, key=KEY, now=expires_at)


def test_a_remembered_token_is_not_valid_under_another_key() -> None:
    signed = token(8, NOW + timedelta(hours=1))
    assert verify_token(signed, key=KEY, now=NOW)[0] == 8
    with pytest.raises(Unauthenticated):
        verify_token(signed, key="another-key-" + "x" * 20, now=NOW)


def test_a_refusal_is_never_remembered() -> None:
    signed = token(9, NOW + timedelta(hours=1))
    header, payload, signature = signed.split(".")
    forged = f"{header}.{payload}.{signature[:-2]}AA"
    for _ in range(2):
        with pytest.raises(Unauthenticated):
            verify_token(forged, key=KEY, now=NOW)
    # A token first refused (wrong key) and then presented with its own key is judged anew.
    other = token(10, NOW + timedelta(hours=1), key="the-other-key-" + "y" * 20)
    with pytest.raises(Unauthenticated):
        verify_token(other, key=KEY, now=NOW)
    assert verify_token(other, key="the-other-key-" + "y" * 20, now=NOW)[0] == 10
