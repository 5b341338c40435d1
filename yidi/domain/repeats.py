"""Repeat petitions (重复信访, docs/INTAKE.md): how a reporter is recognised without keeping
their number comparable in the clear, and how strongly a candidate looks like a repeat.

A reporter's phone and ID number are compared through keyed hashes: HMAC-SHA256 under a key
derived from the deployment's secret *and the county*, so the same phone gives unrelated
keys in two counties (nothing is comparable across counties) and a stolen table of keys
cannot be reversed by hashing every phone number without the secret.
"""

import hashlib
import hmac
from dataclasses import dataclass

REASON_SAME_ID_NUMBER = "SAME_ID_NUMBER"
REASON_SAME_PHONE = "SAME_PHONE"
REASON_SIMILAR_TEXT = "SIMILAR_TEXT_AT_SAME_PLACE"

# How much each kind of evidence alone says (an ID number is one person; a phone may be a
# family's); they combine as independent evidence.
_ID_WEIGHT = 0.9
_PHONE_WEIGHT = 0.8
MAX_CANDIDATES = 10


def normalized_phone(phone: str) -> str:
    """Digits only, without the country code: 138 1234 5678, +86-13812345678 and
    13812345678 are one number."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits


def normalized_id_number(id_number: str) -> str:
    return id_number.strip().upper()


def _county_key(secret: str, county_id: int) -> bytes:
    return hmac.new(secret.encode(), f"yidi/reporter/{county_id}".encode(), hashlib.sha256).digest()


def reporter_key(secret: str, county_id: int, kind: str, value: str) -> str:
    """The keyed hash stored on a case for one of its reporter's identifiers (hex)."""
    return hmac.new(
        _county_key(secret, county_id), f"{kind}:{value}".encode(), hashlib.sha256
    ).hexdigest()


def phone_key(secret: str, county_id: int, phone: str | None) -> str | None:
    if not phone:
        return None
    return reporter_key(secret, county_id, "phone", normalized_phone(phone))


def id_number_key(secret: str, county_id: int, id_number: str | None) -> str | None:
    if not id_number:
        return None
    return reporter_key(secret, county_id, "id", normalized_id_number(id_number))


@dataclass(frozen=True)
class Evidence:
    same_id_number: bool
    same_phone: bool
    # pg_trgm similarity of title or description (the higher), at the same place; else 0.
    text_similarity: float

    @property
    def reasons(self) -> list[str]:
        found = []
        if self.same_id_number:
            found.append(REASON_SAME_ID_NUMBER)
        if self.same_phone:
            found.append(REASON_SAME_PHONE)
        if self.text_similarity > 0:
            found.append(REASON_SIMILAR_TEXT)
        return found

    @property
    def score(self) -> float:
        """1 − Π(1 − wᵢ): each reason adds what the others leave unexplained."""
        doubt = 1.0
        if self.same_id_number:
            doubt *= 1 - _ID_WEIGHT
        if self.same_phone:
            doubt *= 1 - _PHONE_WEIGHT
        doubt *= 1 - min(max(self.text_similarity, 0.0), 1.0)
        return round(1 - doubt, 4)
