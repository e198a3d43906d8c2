"""Accounts' use cases: users and their grants, API tokens, logins and logouts.

Passwords are hashed (slow on purpose) before any transaction opens, so no row stays locked
while argon2 works. Secrets are answered once and stored only hashed, so these commands take
no Idempotency-Key: its stored answer would hold the secret (a retried issue makes a second
token, which can be revoked).
"""

import asyncio
import secrets
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Annotated, Protocol

from prometheus_client import Counter
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from services.intake.domain.accounts import User, may_manage_credentials_of
from services.intake.domain.errors import (
    Conflict,
    Forbidden,
    InvalidField,
    NotAuthenticated,
    Throttled,
)
from services.intake.domain.login_throttle import LoginThrottle
from services.intake.service_layer.answers import (
    Answer,
    IdempotencyKey,
    credential_body,
    user_body,
)
from services.intake.service_layer.commands import IssueToken, OpenSession, PutUser, RevokeToken
from services.intake.service_layer.messagebus import Audited, dispatch
from services.intake.service_layer.unit_of_work import AuditEntry, UnitOfWork
from shared.contract.access import CredentialKind, Principal, Role, Username
from shared.contract.events import InsatsId, no_control_characters

LOGINS = Counter("stegvis_intake_logins_total", "Login attempts, by outcome.", ["outcome"])

MIN_PASSWORD_LENGTH = 12


class PasswordHasher(Protocol):
    async def hash(self, password: str) -> str: ...

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """Whether the password matches; None (no such user, or no password set) takes as
        long as a real check and answers False, so timing does not tell who exists."""


def _unique(values: list[str]) -> list[str]:
    if len(set(values)) != len(values):
        raise ValueError("each insats may be given once")
    return values


Password = Annotated[str, StringConstraints(min_length=MIN_PASSWORD_LENGTH, max_length=256)]


class _Details(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class UserDetails(_Details):
    role: Role
    insatser: Annotated[list[InsatsId], AfterValidator(_unique), Field(max_length=500)] = []
    password: Password | None = None
    """Set or replace the password (omitted: keep it; a user without one logs in never,
    and uses tokens only)."""
    active: bool = True


class TokenDetails(_Details):
    username: Username
    expires_in_days: Annotated[int, Field(strict=True, ge=1)] = 90
    """At most the `token_max_days` of `Accounts` (`STEGVIS_TOKEN_MAX_DAYS`); omitted, 90
    or that cap if shorter."""
    password: Annotated[str, StringConstraints(max_length=256)] | None = None
    """The caller's password: required when the caller is a login session, so a session
    taken over (a browser left logged in) does not make a long-lived token."""


class LoginDetails(_Details):
    # Any text a person may type as a username (an unknown one is refused like a wrong
    # password), but no control character: PostgreSQL stores no NUL.
    username: Annotated[
        str, StringConstraints(max_length=64), AfterValidator(no_control_characters)
    ]
    password: Annotated[str, StringConstraints(max_length=256)]


@dataclass(frozen=True)
class Accounts:
    """What the account use cases need besides a unit of work."""

    new_uow: Callable[[], UnitOfWork]
    hasher: PasswordHasher
    throttle_by_user: LoginThrottle
    throttle_by_client: LoginThrottle
    """Looser than by user: a förbund's staff may share one address (a proxy, an office)."""
    session_lifetime: timedelta
    token_max_days: int = 365
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    new_credential_id: Callable[[], str] = lambda: secrets.token_hex(8)
    _in_line: "_OneAtATime" = field(default_factory=lambda: _OneAtATime())

    async def save_user(
        self,
        caller: Principal,
        username: str,
        details: UserDetails,
        key: IdempotencyKey | None = None,
    ) -> Answer:
        """`key`: the admin page's one-off form key (a form sent twice saves once); its
        fingerprint must not hold the password."""
        _require_admin(caller)
        password_hash = await self.hasher.hash(details.password) if details.password else None
        command = PutUser(
            username,
            details.role,
            frozenset(details.insatser),
            details.active,
            password_hash,
            self.clock(),
        )
        return await dispatch(self.new_uow, command, Audited(caller, username), key)

    async def users(self, caller: Principal) -> list[dict]:
        _require_admin(caller)
        async with self.new_uow() as uow:
            return [user_body(user) for user in await uow.users.list()]

    async def issue_token(self, caller: Principal, details: TokenDetails) -> Answer:
        if not may_manage_credentials_of(caller, details.username):
            raise Forbidden("only a förbundsadmin issues tokens for others")
        days = details.expires_in_days
        if "expires_in_days" not in details.model_fields_set:
            days = min(days, self.token_max_days)  # the default, within a shorter cap
        if days > self.token_max_days:
            raise InvalidField("expires_in_days", f"at most {self.token_max_days} days")
        if await self._is_session(caller):
            if details.password is None:
                raise InvalidField(
                    "password", "a login session must give its password again to issue a token"
                )
            if not await self._verified(caller.name, details.password):
                raise NotAuthenticated("wrong password")
        lifetime = timedelta(days=days)
        command = IssueToken(details.username, self.new_credential_id(), self.clock(), lifetime)
        return await self._issue(caller, command)

    async def _issue(self, caller: Principal, command: IssueToken) -> Answer:
        audited = Audited(caller, f"{command.username} {command.credential_id}")
        return await dispatch(self.new_uow, command, audited)

    async def credentials(self, caller: Principal, username: str | None) -> list[dict]:
        if username is None and not caller.is_admin:
            username = caller.name
        if username is not None and not may_manage_credentials_of(caller, username):
            raise Forbidden("only a förbundsadmin sees others' tokens")
        async with self.new_uow() as uow:
            return [credential_body(c) for c in await uow.credentials.list(username)]

    async def revoke(self, caller: Principal, credential_id: str) -> Answer:
        command = RevokeToken(credential_id, caller, self.clock())
        return await dispatch(self.new_uow, command, Audited(caller, credential_id))

    async def log_out(self, caller: Principal) -> Answer:
        if caller.credential_id is None:
            raise Conflict("the admin token is set in the environment; it cannot be revoked here")
        return await self.revoke(caller, caller.credential_id)

    async def log_in(self, details: LoginDetails, client: str) -> Answer:
        """A new session for the user, or `NotAuthenticated` (wrong username or password,
        alike) or `Throttled` (too many failures lately: of the username, whatever the
        password; of the client address, a wrong password only)."""
        now = self.clock()
        if self.throttle_by_client.retry_after(client, now) is None:
            user = await self._verified(details.username, details.password)
        else:
            # An address over its limit is slowed, not shut: one verification at a time,
            # and only a wrong password refused (staff behind one proxy share an address).
            async with self._in_line.turn(client):
                user = await self._verified(details.username, details.password)
            if user is None:
                self.throttle_by_client.failed(client, now)
                raise _throttled(self.throttle_by_client.retry_after(client, now))
        if user is None:
            self.throttle_by_client.failed(client, now)
            raise NotAuthenticated("wrong username or password")
        caller = Principal(user.username, user.role, user.insatser)
        session = OpenSession(
            user.username, self.new_credential_id(), self.clock(), self.session_lifetime
        )
        return await self._issue(caller, session)

    async def _verified(self, username: str, password: str) -> User | None:
        """The active user whose password this is, or None; `Throttled` past the username's
        limit. The attempt counts as failed before it is verified, so a burst sent at once
        verifies at most the limit; a right password forgets the failures."""
        key, now = username.lower(), self.clock()
        if wait := self.throttle_by_user.retry_after(key, now):
            raise _throttled(wait)
        self.throttle_by_user.failed(key, now)
        async with self.new_uow() as uow:
            user = await uow.users.get(username)
        known = user if user is not None and user.active else None
        if not await self.hasher.verify(known.password_hash if known else None, password):
            LOGINS.labels("refused").inc()
            return None
        self.throttle_by_user.succeeded(key)
        LOGINS.labels("accepted").inc()
        return known

    async def _is_session(self, caller: Principal) -> bool:
        if caller.credential_id is None:
            return False
        async with self.new_uow() as uow:
            credential = await uow.credentials.get(caller.credential_id)
        return credential is not None and credential.kind is CredentialKind.SESSION

    async def audit_log(self, caller: Principal, limit: int) -> list[dict]:
        _require_admin(caller)
        async with self.new_uow() as uow:
            return [audit_body(entry) for entry in await uow.audit.newest(limit)]


def _throttled(wait: timedelta | None) -> Throttled:
    LOGINS.labels("throttled").inc()
    seconds = int(wait.total_seconds()) + 1 if wait else 1
    return Throttled("too many failed logins; try again later", seconds)


class _OneAtATime:
    """A line per key: whoever holds its turn runs alone."""

    def __init__(self) -> None:
        self._lines: dict[str, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def turn(self, key: str) -> AsyncIterator[None]:
        lock, waiting = self._lines.get(key, (asyncio.Lock(), 0))
        self._lines[key] = (lock, waiting + 1)
        try:
            async with lock:
                yield
        finally:
            lock, waiting = self._lines[key]
            if waiting == 1:
                del self._lines[key]  # no one in line: forgotten, so keys do not pile up
            else:
                self._lines[key] = (lock, waiting - 1)


def _require_admin(caller: Principal) -> None:
    if not caller.is_admin:
        raise Forbidden("only a förbundsadmin may")


def audit_body(entry: AuditEntry) -> dict:
    return {
        "at": entry.at.isoformat(),
        "actor": entry.actor,
        "token_id": entry.credential_id,
        "action": entry.action,
        "target": entry.target,
    }
