"""Passwords hashed with argon2id (argon2-cffi's defaults, RFC 9106's low-memory profile),
in a worker thread: a hash takes tens of milliseconds the event loop must not wait for."""

import asyncio
from functools import cached_property

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError


class Argon2Passwords:
    def __init__(self) -> None:
        self._hasher = PasswordHasher()

    @cached_property
    def _absent(self) -> str:
        # Made at the first login, not at start-up (a hash costs tens of milliseconds).
        return self._hasher.hash("no user has this password")

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        return await asyncio.to_thread(self._verify, password_hash, password)

    def _verify(self, password_hash: str | None, password: str) -> bool:
        try:
            # Without a hash, check against one no password matches: the same time spent.
            matched = self._hasher.verify(password_hash or self._absent, password)
        except (VerificationError, InvalidHashError):
            return False
        return matched and password_hash is not None
