"""Who may do what, the same in every service: roles, the caller (`Principal`), credential
secrets, and the access changes intake publishes on its access stream so that every service
authenticates the same users from tables of its own.

Intake owns users and credentials. Each change is published as the whole new state of one
user or credential with its `version`; a consumer keeps the highest version it has seen, so
redelivery, reordering and a republish of everything (`stegvis rebuild`) are all harmless.
Only a credential's SHA-256 leaves intake, never the secret (a random 256-bit value, so the
hash cannot be reversed) and never a password.
"""

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    StringConstraints,
    TypeAdapter,
)
from sqlalchemy import Boolean, Column, DateTime, Integer, MetaData, String, Table, Text, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contract.events import InsatsId
from shared.contract.identity import NoIdentityNumber


class Role(StrEnum):
    FORBUNDSADMIN = "forbundsadmin"
    """Insatser, users, tokens, every report, dead letters."""
    INSATSANSVARIG = "insatsansvarig"
    """Registers in, and reads reports of, the insatser granted; nothing else."""
    LASARE = "lasare"
    """Reads every report; registers nothing."""


class CredentialKind(StrEnum):
    TOKEN = "token"
    """An API token, made by an admin or its owner, valid until it expires or is revoked."""
    SESSION = "session"
    """A login's session, valid for hours."""


@dataclass(frozen=True)
class Principal:
    """Who is calling: as the audit log names them, their role and their grants."""

    name: str
    """A username, or `admin` for the admin token."""
    role: Role
    insatser: frozenset[str] = frozenset()
    """The insatser granted (what an insatsansvarig may touch)."""
    credential_id: str | None = None
    """The token or session used (None: the admin token)."""

    @property
    def is_admin(self) -> bool:
        return self.role is Role.FORBUNDSADMIN

    def may_register(self, insats_id: str) -> bool:
        """Log events in, and read the participants of, the insats."""
        return self.is_admin or (self.role is Role.INSATSANSVARIG and insats_id in self.insatser)

    def may_read_report(self, insats_id: str | None) -> bool:
        """Read the report of the insats (None: of the whole förbund)."""
        if self.role is Role.INSATSANSVARIG:
            return insats_id is not None and insats_id in self.insatser
        return True


ADMIN = Principal(name="admin", role=Role.FORBUNDSADMIN)
"""The caller holding `STEGVIS_ADMIN_TOKEN`."""
COMMAND_LINE = Principal(name="cli", role=Role.FORBUNDSADMIN)
"""Whoever runs a command on intake's database (`stegvis import`): who can open it can do all."""
RESERVED_USERNAMES = {ADMIN.name: "the admin token", COMMAND_LINE.name: "the command line"}
"""The audit log's names of callers that are not users (no user may take one), and whom
each names."""

SECRET_PREFIX = "stv_"
"""Marks Stegvis's secrets, so secret scanners and people recognise a leaked one."""


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def secret_hash(secret: str) -> str:
    """What is stored and published of a secret. A plain SHA-256 suffices: the secret is
    random, so there is nothing to guess (passwords, which are not, use argon2 in intake)."""
    return hashlib.sha256(secret.encode()).hexdigest()


USERNAME_PATTERN = r"^[a-z0-9][a-z0-9._-]{1,63}$"
Username = Annotated[str, StringConstraints(pattern=USERNAME_PATTERN), NoIdentityNumber]


def _not_reserved(username: str) -> str:
    if username in RESERVED_USERNAMES:
        raise ValueError(f"is reserved: the audit log's name for {RESERVED_USERNAMES[username]}")
    return username


NewUsername = Annotated[Username, AfterValidator(_not_reserved)]
"""The name of a user being created: not one the audit log gives to non-users."""


class _Change(BaseModel):
    # Errors name the field and why, never the input: they reach logs and dead letters.
    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    version: int
    """Counts the changes of this one user or credential; the highest wins."""


class UserChanged(_Change):
    type: Literal["UserChanged"] = "UserChanged"
    username: Username
    role: Role
    insatser: tuple[InsatsId, ...] = ()
    active: bool


class CredentialChanged(_Change):
    type: Literal["CredentialChanged"] = "CredentialChanged"
    credential_id: str
    username: Username
    kind: CredentialKind
    secret_hash: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
    expires_at: datetime
    revoked_at: datetime | None = None


AccessChange = Annotated[UserChanged | CredentialChanged, Discriminator("type")]
access_change_adapter: TypeAdapter[AccessChange] = TypeAdapter(AccessChange)


def parse_access_change(data: str | bytes) -> AccessChange:
    """Validate one serialised change; raises `pydantic.ValidationError` when it is not one."""
    return access_change_adapter.validate_json(data)


@dataclass(frozen=True)
class AccessTables:
    users: Table
    credentials: Table


def access_columns() -> tuple[list[Column], list[Column]]:
    """New column objects of the users and credentials tables every service keeps (for the
    tables and for their migrations)."""
    users: list[Column] = [
        Column("username", String(64), primary_key=True),
        Column("role", String(16), nullable=False),
        Column("insatser", Text, nullable=False),  # a JSON list
        Column("active", Boolean, nullable=False),
        Column("version", Integer, nullable=False),
    ]
    credentials: list[Column] = [
        Column("credential_id", String(32), primary_key=True),
        Column("secret_hash", String(64), nullable=False, unique=True),
        Column("username", String(64), nullable=False, index=True),
        Column("kind", String(16), nullable=False),
        Column("expires_at", DateTime(timezone=True), nullable=False),
        Column("revoked_at", DateTime(timezone=True), nullable=True),
        Column("version", Integer, nullable=False),
    ]
    return users, credentials


def access_tables(
    metadata: MetaData,
    prefix: str,
    user_extras: tuple[Column, ...] = (),
    credential_extras: tuple[Column, ...] = (),
) -> AccessTables:
    users, credentials = access_columns()
    return AccessTables(
        Table(f"{prefix}_users", metadata, *users, *user_extras),
        Table(f"{prefix}_credentials", metadata, *credentials, *credential_extras),
    )


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored one is UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def insatser_json(insatser: tuple[str, ...] | frozenset[str]) -> str:
    return json.dumps(sorted(insatser))


async def find_principal(
    session: AsyncSession, tables: AccessTables, secret: str, now: datetime
) -> Principal | None:
    """The principal a secret stands for, or None: unknown, expired, revoked, or its user
    deactivated. Grants are read now, so a change of role or grants applies at once."""
    return await _principal_of(
        session, tables, tables.credentials.c.secret_hash, secret_hash(secret), now
    )


async def principal_of_credential(
    session: AsyncSession, tables: AccessTables, credential_id: str, now: datetime
) -> Principal | None:
    """As `find_principal`, for the credential of that id (a page session made with it)."""
    return await _principal_of(
        session, tables, tables.credentials.c.credential_id, credential_id, now
    )


async def _principal_of(
    session: AsyncSession, tables: AccessTables, key: Column, value: str, now: datetime
) -> Principal | None:
    users, credentials = tables.users, tables.credentials
    row = (
        await session.execute(
            select(
                users.c.username,
                users.c.role,
                users.c.insatser,
                credentials.c.credential_id,
                credentials.c.expires_at,
            )
            .join(credentials, credentials.c.username == users.c.username)
            .where(key == value, credentials.c.revoked_at.is_(None), users.c.active.is_(True))
        )
    ).first()
    if row is None or as_utc(row.expires_at) <= now:
        return None
    return Principal(
        name=row.username,
        role=Role(row.role),
        insatser=frozenset(json.loads(row.insatser)),
        credential_id=row.credential_id,
    )
