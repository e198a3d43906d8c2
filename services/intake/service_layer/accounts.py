"""Accounts' use cases: users and their grants, API tokens, logins and logouts.

Passwords are hashed (slow on purpose) before any transaction opens, so no row stays locked
while argon2 works. Secrets are answered once and stored only hashed, so these commands take
no Idempotency-Key: its stored answer would hold the secret (a retried issue makes a second
token, which can be revoked).
"""

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Protocol

from prometheus_client import Counter
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from services.intake.domain.accounts import may_manage_credentials_of
from services.intake.domain.errors import Conflict, Forbidden, NotAuthenticated, Throttled
from services.intake.domain.login_throttle import LoginThrottle
from services.intake.service_layer.answers import Answer, credential_body, user_body
from services.intake.service_layer.commands import IssueToken, OpenSession, PutUser, RevokeToken
from services.intake.service_layer.messagebus import Audited, dispatch
from services.intake.service_layer.unit_of_work import AuditEntry, UnitOfWork
from shared.contract.access import Principal, Role, Username
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
    expires_in_days: Annotated[int, Field(strict=True, ge=1, le=365)] = 90


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
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    new_credential_id: Callable[[], str] = lambda: secrets.token_hex(8)

    async def save_user(self, caller: Principal, username: str, details: UserDetails) -> Answer:
        _require_admin(caller)
        password_hash = await self.hasher.hash(details.password) if details.password else None
        command = PutUser(
            username, details.role, frozenset(details.insatser), details.active, password_hash
        )
        return await dispatch(self.new_uow, command, Audited(caller, username))

    async def users(self, caller: Principal) -> list[dict]:
        _require_admin(caller)
        async with self.new_uow() as uow:
            return [user_body(user) for user in await uow.users.list()]

    async def issue_token(self, caller: Principal, details: TokenDetails) -> Answer:
        if not may_manage_credentials_of(caller, details.username):
            raise Forbidden("only a förbundsadmin issues tokens for others")
        lifetime = timedelta(days=details.expires_in_days)
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
        alike) or `Throttled` (too many failures lately, by username or by client)."""
        now = self.clock()
        throttles = [
            (self.throttle_by_user, details.username.lower()),
            (self.throttle_by_client, client),
        ]
        waits = [wait for throttle, key in throttles if (wait := throttle.retry_after(key, now))]
        if waits:
            LOGINS.labels("throttled").inc()
            seconds = int(max(waits).total_seconds()) + 1
            raise Throttled("too many failed logins; try again later", seconds)
        async with self.new_uow() as uow:
            user = await uow.users.get(details.username)
        known = user is not None and user.active
        password_hash = user.password_hash if user is not None and known else None
        if not await self.hasher.verify(password_hash, details.password):
            for throttle, key in throttles:
                throttle.failed(key, now)
            LOGINS.labels("refused").inc()
            raise NotAuthenticated("wrong username or password")
        self.throttle_by_user.succeeded(details.username.lower())
        LOGINS.labels("accepted").inc()
        assert user is not None
        caller = Principal(user.username, user.role, user.insatser)
        session = OpenSession(
            user.username, self.new_credential_id(), self.clock(), self.session_lifetime
        )
        return await self._issue(caller, session)

    async def audit_log(self, caller: Principal, limit: int) -> list[dict]:
        _require_admin(caller)
        async with self.new_uow() as uow:
            return [audit_body(entry) for entry in await uow.audit.newest(limit)]


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
