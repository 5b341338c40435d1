"""Case numbers and tracking codes.

A case number reads `COUNTYCODE-YEAR-SEQUENCE` (990100-2026-000123): the county's
division code, the registration year in Asia/Shanghai, and a per-county, per-year
sequence that persistence allocates without gaps. A tracking code is what a
resident keeps to follow the case without an account: long and random enough
that guessing one is hopeless, written without look-alike characters.
"""

import hashlib
import hmac
import re
import secrets

SEQUENCE_DIGITS = 6
# Crockford-like alphabet: no 0/O, 1/I/L, so codes survive being read aloud or on paper.
TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
TRACKING_LENGTH = 12  # 31**12 ≈ 7.9e17 codes

_NUMBER = re.compile(r"^(\d{6})-(\d{4})-(\d{6,})$")


def format_case_number(county_code: str, year: int, sequence: int) -> str:
    if sequence < 1:
        raise ValueError("case sequences start at 1")
    return f"{case_number_prefix(county_code, year)}{sequence:0{SEQUENCE_DIGITS}d}"


def case_number_prefix(county_code: str, year: int) -> str:
    """A case number but its sequence's digits (the event writer's seal adds them in SQL,
    padded to SEQUENCE_DIGITS as `format_case_number` pads them)."""
    return f"{county_code}-{year:04d}-"


def provisional_case_number() -> str:
    """What a new case's row carries until its number is taken, as the last statement
    before commit (services/events.publish): unique, and never committed."""
    return "pending-" + secrets.token_hex(12)


def parse_case_number(number: str) -> tuple[str, int, int] | None:
    """Split a case number into (county code, year, sequence); None if malformed."""
    match = _NUMBER.match(number.strip())
    if match is None:
        return None
    return match.group(1), int(match.group(2)), int(match.group(3))


def new_tracking_code() -> str:
    return "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(TRACKING_LENGTH))


def derived_tracking_code(secret: str, seed: str) -> str:
    """A tracking code recomputable from a secret: an idempotent retry must hand back the
    same code, and storing the code itself would defeat storing only its hash."""
    digest = int.from_bytes(hmac.new(secret.encode(), seed.encode(), hashlib.sha256).digest())
    chars = []
    for _ in range(TRACKING_LENGTH):
        digest, index = divmod(digest, len(TRACKING_ALPHABET))
        chars.append(TRACKING_ALPHABET[index])
    return "".join(chars)


def normalize_tracking_code(code: str) -> str:
    """Residents type codes in any case and with spaces or dashes; compare canonically."""
    return re.sub(r"[\s-]", "", code).upper()


def hash_tracking_code(code: str) -> str:
    """Only the hash is stored, so a database dump does not hand out access to cases."""
    return hashlib.sha256(normalize_tracking_code(code).encode()).hexdigest()
