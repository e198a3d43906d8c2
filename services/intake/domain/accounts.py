"""Users and their credentials (API tokens and login sessions): the rules of who may be
given what, and the access change each new state publishes."""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from services.intake.domain.errors import InvalidField, NotFound
from shared.contract.access import (
    CredentialChanged,
    CredentialKind,
    Principal,
    Role,
    UserChanged,
    new_secret,
    secret_hash,
)


@dataclass(frozen=True)
class User:
    username: str
    role: Role
    insatser: frozenset[str]
    active: bool
    password_hash: str | None
    version: int

    def change(self) -> UserChanged:
        return UserChanged(
            version=self.version,
            username=self.username,
            role=self.role,
            insatser=tuple(sorted(self.insatser)),
            active=self.active,
        )


@dataclass(frozen=True)
class Credential:
    credential_id: str
    username: str
    kind: CredentialKind
    secret_hash: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    version: int

    def valid_at(self, moment: datetime) -> bool:
        return self.revoked_at is None and moment < self.expires_at

    def revoked(self, moment: datetime) -> "Credential":
        return replace(self, revoked_at=moment, version=self.version + 1)

    def change(self) -> CredentialChanged:
        return CredentialChanged(
            version=self.version,
            credential_id=self.credential_id,
            username=self.username,
            kind=self.kind,
            secret_hash=self.secret_hash,
            expires_at=self.expires_at,
            revoked_at=self.revoked_at,
        )


def saved_user(
    current: User | None,
    username: str,
    role: Role,
    insatser: frozenset[str],
    active: bool,
    password_hash: str | None,
    unknown_insatser: frozenset[str],
) -> User:
    """The user as saved: a new password hash replaces the old one, None keeps it."""
    if unknown_insatser:
        raise InvalidField("insatser", f"no such insats: {', '.join(sorted(unknown_insatser))}")
    if insatser and role is not Role.INSATSANSVARIG:
        raise InvalidField(
            "insatser", "only an insatsansvarig is granted insatser (the other roles see all)"
        )
    return User(
        username=username,
        role=role,
        insatser=insatser,
        active=active,
        password_hash=password_hash or (current.password_hash if current else None),
        version=current.version + 1 if current else 1,
    )


def sessions_to_end(
    before: User | None, after: User, credentials: list[Credential]
) -> list[Credential]:
    """The user's live sessions a change ends: a new password or a deactivation ends them
    all (whoever held one may not know the new password, or may no longer log in)."""
    if before is None or (before.password_hash == after.password_hash and after.active):
        return []
    return [c for c in credentials if c.kind is CredentialKind.SESSION and c.revoked_at is None]


def issued_credential(
    credential_id: str, user: User | None, kind: CredentialKind, now: datetime, lifetime: timedelta
) -> tuple[Credential, str]:
    """A new credential of the user and its secret (shown once, stored only hashed)."""
    if user is None:
        raise NotFound("no such user")
    if not user.active:
        raise InvalidField("username", "the user is deactivated")
    secret = new_secret()
    credential = Credential(
        credential_id=credential_id,
        username=user.username,
        kind=kind,
        secret_hash=secret_hash(secret),
        created_at=now,
        expires_at=now + lifetime,
        revoked_at=None,
        version=1,
    )
    return credential, secret


def may_manage_credentials_of(caller: Principal, username: str) -> bool:
    """An admin manages everyone's tokens; a user their own."""
    return caller.is_admin or caller.name == username
