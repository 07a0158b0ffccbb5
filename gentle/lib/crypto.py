"""Encryption at rest for the most private text (process notes).

Keys are Fernet keys (AES-128-CBC with HMAC-SHA256), given newest first: the first encrypts,
all decrypt, and ``rotate`` re-encrypts a token under the first.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class KeyRingError(ValueError):
    """A key is malformed or a token does not open with any key."""


class KeyRing:
    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise KeyRingError("no key given")
        try:
            self._fernet = MultiFernet([Fernet(key.encode()) for key in keys])
        except (ValueError, TypeError):
            raise KeyRingError("a key is not a Fernet key (32 url-safe base64 bytes)") from None

    def encrypt(self, text: str) -> str:
        return self._fernet.encrypt(text.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            raise KeyRingError("the text does not open with any configured key") from None

    def rotate(self, token: str) -> str:
        try:
            return self._fernet.rotate(token.encode()).decode()
        except InvalidToken:
            raise KeyRingError("the text does not open with any configured key") from None


def new_key() -> str:
    return Fernet.generate_key().decode()
