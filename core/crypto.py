"""Encryption of secrets the database must keep but must not show: a copy of the database
(a backup, a dump, a stolen disk) without the key reveals nothing.

The key comes from ``LAVTERSKEL_ENCRYPTION_KEY`` or ``<data>/encryption_key``, never from the
database. Fernet (AES-128-CBC with HMAC-SHA256, from ``cryptography``) both hides and seals
the value: a changed ciphertext fails to decrypt instead of yielding another secret.
"""
from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_PURPOSE = b"lavterskel secrets at rest v1"


@lru_cache(maxsize=8)
def _fernet(key: str) -> Fernet:
    # Any string an operator sets becomes a proper 256-bit Fernet key through HKDF.
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_PURPOSE).derive(key.encode())
    return Fernet(base64.urlsafe_b64encode(raw))


def encrypt(key: str, plaintext: str) -> str:
    return _fernet(key).encrypt(plaintext.encode()).decode("ascii")


def decrypt(key: str, ciphertext: str) -> str | None:
    """The plaintext, or None when the ciphertext was made with another key or was altered."""
    try:
        return _fernet(key).decrypt(ciphertext.encode("ascii")).decode()
    except (InvalidToken, ValueError, UnicodeError):
        return None


__all__ = ["decrypt", "encrypt"]
