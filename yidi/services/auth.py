"""Login and bearer tokens.

Passwords are hashed with Argon2id (argon2-cffi, the OWASP-recommended KDF); tokens
are HS256 JWTs (PyJWT) signed with the configured secret and expiring after a TTL.
"""

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from functools import lru_cache

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from yidi.authz.actor import Actor
from yidi.authz.vocabulary import actor_level
from yidi.domain.enums import UnitKind, UnitLevel
from yidi.domain.errors import Unauthenticated
from yidi.persistence.models import User
from yidi.persistence.session import Session
from yidi.persistence.units import user_by_username, user_with_unit

_hasher = PasswordHasher()
# Argon2 takes 64 MiB and a core per check: two at a time, however many logins arrive, so
# a burst neither exhausts memory nor starves the event loop of CPU; the rest queue here.
_hashing = ThreadPoolExecutor(max_workers=2, thread_name_prefix="argon2")
# Verifying against this keeps unknown usernames as slow as wrong passwords.
_DUMMY_HASH = _hasher.hash("not-a-real-password")
ISSUER = "yidi"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


async def login(
    session: Session, username: str, password: str, *, key: str, ttl: timedelta, now: datetime
) -> tuple[str, datetime, User]:
    """A signed token for valid credentials; UNAUTHENTICATED otherwise, same for both causes."""
    # NUL cannot be stored in PostgreSQL text, so no username contains one.
    user = None if "\x00" in username else await user_by_username(session, username.strip())
    try:
        # Argon2 is meant to be slow: off the event loop, or every other request waits too.
        await asyncio.get_running_loop().run_in_executor(
            _hashing, _hasher.verify, user.password_hash if user else _DUMMY_HASH, password
        )
    except (VerificationError, InvalidHashError):
        user = None
    if user is None or not user.active:
        raise Unauthenticated("Wrong username or password.")
    expires_at = now + ttl
    token = jwt.encode(
        {"sub": str(user.id), "iss": ISSUER, "iat": now, "exp": expires_at}, key, algorithm="HS256"
    )
    return token, expires_at, user


def user_id_from_token(token: str, *, key: str, now: datetime) -> int:
    """The user a valid, unexpired token speaks for; expiry is judged by the service clock."""
    return verify_token(token, key=key, now=now)[0]


def verify_token(token: str, *, key: str, now: datetime) -> tuple[int, datetime]:
    """The user a valid, unexpired token speaks for, and when it expires (a live
    connection signed in with it is closed then)."""
    try:
        user_id, expires_at = _signed_claims(token, key)
    except (jwt.PyJWTError, ValueError, TypeError, OverflowError, OSError) as exc:
        raise Unauthenticated("The bearer token is invalid or has expired.") from exc
    # A signed token is still only as good as its claims: no such user id could exist.
    if expires_at <= now or not 0 < user_id < 2**63:
        raise Unauthenticated("The bearer token is invalid or has expired.")
    return user_id, expires_at


# A client sends the same token with every request until it expires; checking its
# signature and decoding it each time was a sixth of a comment's CPU. Only what a valid
# signature vouches for is remembered (a refusal raises, and lru_cache keeps no
# exceptions), keyed by the exact token text and the key; expiry is judged on every use.
@lru_cache(maxsize=4096)
def _signed_claims(token: str, key: str) -> tuple[int, datetime]:
    claims = jwt.decode(
        token,
        key,
        algorithms=["HS256"],
        issuer=ISSUER,
        options={"require": ["exp", "sub"], "verify_exp": False, "verify_iat": False},
    )
    return int(claims["sub"]), datetime.fromtimestamp(int(claims["exp"]), UTC)


async def load_actor(session: Session, user_id: int) -> Actor:
    found = await user_with_unit(session, user_id)
    if found is None or not found[0].active:
        raise Unauthenticated("The bearer token is invalid or has expired.")
    user, unit, has_subunits = found
    return Actor(
        user_id=user.id,
        username=user.username,
        county_id=user.county_id,
        unit_id=unit.id,
        unit_path=tuple(unit.path),
        level=actor_level(UnitKind(unit.kind), UnitLevel(unit.level)),
        roles=frozenset(user.roles),
        has_subunits=has_subunits,
    )
