"""Password hashing (argon2id) and credential secrets (random, stored as SHA-256)."""

from __future__ import annotations

import hashlib
import secrets as _secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()

# A real hash to verify against when the username is unknown, so that a wrong username
# takes as long as a wrong password and does not reveal which accounts exist.
_DUMMY_HASH = _hasher.hash("fenghuo-timing-equaliser")

SECRET_PREFIXES = {"session": "fhs_", "access": "fha_", "api": "fht_"}


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches; always spends the time of one verification."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)


def new_secret(kind: str) -> str:
    """A new credential secret; its prefix tells what kind it is."""
    return SECRET_PREFIXES[kind] + _secrets.token_urlsafe(32)


def secret_hash(secret: str) -> str:
    """What is stored of a secret: its SHA-256 (secrets are long and random, so no salt)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()
