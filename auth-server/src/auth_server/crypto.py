"""Tokens at rest: AES-256-GCM with key ids, bound to their user and column.

A stored value reads ``v1:<kid>:<urlsafe-base64(nonce || ciphertext || tag)>``. The
associated data names the column and the user, so a ciphertext copied to another
row or another column does not decrypt. The first configured key encrypts; every
configured key decrypts, which is what lets ``python -m auth_server.keys rotate``
re-encrypt old rows under a new key.
"""

from __future__ import annotations

import base64
import os
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

FORMAT_VERSION = "v1"
NONCE_BYTES = 12
KEY_BYTES = 32
_KID = re.compile(r"^[A-Za-z0-9_.\-]{1,32}$")


class KeyConfigError(ValueError):
    """The encryption key setting is malformed."""


class DecryptionError(ValueError):
    """A stored value cannot be decrypted with any configured key (or was tampered with)."""


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def generate_key() -> str:
    """A fresh ``kid:key`` entry for AUTH_ENCRYPTION_KEYS."""
    kid = f"k{datetime.now(UTC):%Y%m%d}{secrets.token_hex(2)}"
    return f"{kid}:{_b64encode(AESGCM.generate_key(bit_length=256))}"


def parse_keys(value: str) -> list[tuple[str, bytes]]:
    """Parses ``kid:key,kid:key`` (first encrypts) into (kid, key bytes) pairs."""
    keys: list[tuple[str, bytes]] = []
    for entry in (part.strip() for part in value.split(",")):
        if not entry:
            continue
        kid, sep, encoded = entry.partition(":")
        if not sep or not _KID.match(kid):
            raise KeyConfigError("each key must read kid:urlsafe-base64-key")
        try:
            key = _b64decode(encoded.strip())
        except (ValueError, TypeError) as err:
            raise KeyConfigError(f"key {kid!r} is not urlsafe base64") from err
        if len(key) != KEY_BYTES:
            raise KeyConfigError(f"key {kid!r} must be {KEY_BYTES} bytes")
        if any(kid == seen for seen, _ in keys):
            raise KeyConfigError(f"key id {kid!r} appears twice")
        keys.append((kid, key))
    if not keys:
        raise KeyConfigError("no encryption key configured")
    return keys


def development_keys(path: str) -> str:
    """The development key kept in ``path`` (created on first use, readable by the owner only)."""
    file = Path(path).expanduser()
    if file.exists():
        return file.read_text().strip()
    file.parent.mkdir(parents=True, exist_ok=True)
    entry = generate_key()
    fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(entry + "\n")
    return entry


@dataclass(frozen=True)
class Column:
    """Names the place a ciphertext lives; part of the associated data."""

    name: str


REFRESH_TOKEN = Column("google_accounts.refresh_token")
ACCESS_TOKEN = Column("google_accounts.access_token")
CODE_VERIFIER = Column("oauth_states.code_verifier")


class TokenCipher:
    """Encrypts and decrypts token columns with the configured keys."""

    def __init__(self, keys: list[tuple[str, bytes]]) -> None:
        if not keys:
            raise KeyConfigError("no encryption key configured")
        self._keys = {kid: AESGCM(key) for kid, key in keys}
        self.primary_kid = keys[0][0]

    @classmethod
    def from_setting(cls, value: str) -> TokenCipher:
        return cls(parse_keys(value))

    @staticmethod
    def _associated_data(column: Column, owner: str) -> bytes:
        return f"haru-auth|{FORMAT_VERSION}|{column.name}|{owner}".encode()

    def encrypt(self, plaintext: str, *, column: Column, owner: str) -> str:
        """Encrypts ``plaintext`` for ``column`` of the row owned by ``owner`` (a user id)."""
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._keys[self.primary_kid].encrypt(
            nonce, plaintext.encode(), self._associated_data(column, owner)
        )
        return f"{FORMAT_VERSION}:{self.primary_kid}:{_b64encode(nonce + sealed)}"

    def decrypt(self, stored: str, *, column: Column, owner: str) -> str:
        """Decrypts a value written by ``encrypt`` for the same column and owner."""
        version, kid, body = self._split(stored)
        aead = self._keys.get(kid)
        if version != FORMAT_VERSION or aead is None:
            raise DecryptionError(f"no key {kid!r} configured")
        raw = _b64decode(body)
        try:
            plain = aead.decrypt(
                raw[:NONCE_BYTES], raw[NONCE_BYTES:], self._associated_data(column, owner)
            )
        except InvalidTag as err:
            raise DecryptionError("ciphertext does not match its key, column or owner") from err
        return plain.decode()

    def key_id(self, stored: str) -> str:
        """The key id a stored value was encrypted with."""
        return self._split(stored)[1]

    def reencrypt(self, stored: str, *, column: Column, owner: str) -> str | None:
        """The value under the primary key, or None when it already is."""
        if self.key_id(stored) == self.primary_kid:
            return None
        return self.encrypt(
            self.decrypt(stored, column=column, owner=owner), column=column, owner=owner
        )

    @staticmethod
    def _split(stored: str) -> tuple[str, str, str]:
        parts = stored.split(":", 2)
        if len(parts) != 3:
            raise DecryptionError("not an encrypted value")
        return parts[0], parts[1], parts[2]


def cipher_from_settings(
    *, encryption_keys: str, environment: str, dev_key_file: str
) -> TokenCipher:
    """The cipher of the configured keys; outside production a development key file if none."""
    if not encryption_keys.strip():
        if environment == "production":
            raise KeyConfigError("AUTH_ENCRYPTION_KEYS is required in production")
        encryption_keys = development_keys(dev_key_file)
    return TokenCipher.from_setting(encryption_keys)
