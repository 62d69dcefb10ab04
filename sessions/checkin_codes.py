"""Personal check-in codes: a confirmed seat's (session, registration) signed with Ed25519.

The text in the QR code is ``TO1:<payload>.<signature>`` where ``<payload>`` is the base64url (no
padding) of the compact JSON ``{"s":<session id>,"r":<registration id>}`` and ``<signature>`` the
base64url (no padding) of the Ed25519 signature of the payload's ASCII. A scanner verifies it with the
public key alone, offline (see /work/notes/checkin-contract.md). Whether the seat is still confirmed
is not in the code: the check-in service asks the database, so a cancelled seat's code stops working.
"""

import base64
import binascii
import json
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings

PREFIX = "TO1:"
# Longer texts are refused before decoding anything: a real code is under 150 characters.
MAX_CODE_LENGTH = 300


class InvalidCode(Exception):
    """A text that is not one of our codes: ``reason`` is "malformed" or "bad_signature"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class CodePayload:
    session_id: int
    registration_id: int


@lru_cache(maxsize=4)
def _private_key(seed: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(base64.b64decode(seed, validate=True))


def private_key() -> Ed25519PrivateKey:
    return _private_key(settings.CHECKIN_SIGNING_KEY)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def public_key() -> str:
    """The raw 32-byte public key, base64url without padding: what a scanner verifies codes with."""
    raw = private_key().public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return _b64url(raw)


def sign_code(*, registration) -> str:
    """The code text of ``registration`` (its session and id), signed with the site's key."""
    payload = _b64url(json.dumps({"s": registration.session_id, "r": registration.pk}, separators=(",", ":")).encode())
    return f"{PREFIX}{payload}.{_b64url(private_key().sign(payload.encode('ascii')))}"


def read_code(text) -> CodePayload:
    """The session and registration a code names, once its signature is verified; else ``InvalidCode``."""
    if not isinstance(text, str) or len(text) > MAX_CODE_LENGTH or not text.startswith(PREFIX):
        raise InvalidCode("malformed")
    payload, _dot, signature = text[len(PREFIX) :].partition(".")
    try:
        payload.encode("ascii")
        signature_bytes = _unb64url(signature)
    except (UnicodeEncodeError, binascii.Error, ValueError):
        raise InvalidCode("malformed") from None
    if not payload or len(signature_bytes) != 64:
        raise InvalidCode("malformed")
    try:
        private_key().public_key().verify(signature_bytes, payload.encode("ascii"))
    except InvalidSignature:
        raise InvalidCode("bad_signature") from None
    try:
        data = json.loads(_unb64url(payload))
        session_id, registration_id = data["s"], data["r"]
    except (binascii.Error, ValueError, TypeError, KeyError):
        raise InvalidCode("malformed") from None
    if not all(type(value) is int and 0 < value < 2**63 for value in (session_id, registration_id)):
        raise InvalidCode("malformed")
    return CodePayload(session_id=session_id, registration_id=registration_id)
