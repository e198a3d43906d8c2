"""Users, credentials and the audit log on SQLAlchemy Core. Every new state of a user or
credential is staged in the access outbox in the same transaction, so what reporting
authenticates never differs from what intake stored for longer than the relay takes."""

import json
import uuid

from sqlalchemy import Table, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.adapters import tables
from services.intake.adapters.repositories import locked
from services.intake.domain.accounts import Credential, User
from services.intake.service_layer.unit_of_work import AuditEntry, Lock
from shared.contract.access import CredentialKind, Role, as_utc, insatser_json
from shared.platform.outbox import OutboxMessage, add_to_outbox

_users, _credentials = tables.access.users, tables.access.credentials


class AccessOutbox:
    """What this transaction staged for the access stream."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self.staged = 0

    async def stage(self, change_type: str, version: int, body: str) -> None:
        message = OutboxMessage(str(uuid.uuid4()), change_type, version, body)
        await add_to_outbox(self._session, tables.access_outbox, [message])
        self.staged += 1


class SqlUsers:
    def __init__(self, session: AsyncSession, outbox: AccessOutbox) -> None:
        self._session = session
        self._outbox = outbox

    async def get(self, username: str, *, lock: Lock = Lock.NONE) -> User | None:
        query = locked(select(_users).where(_users.c.username == username), lock)
        row = (await self._session.execute(query)).first()
        return _user(row) if row else None

    async def save(self, user: User) -> None:
        values = {
            "role": user.role.value,
            "insatser": insatser_json(user.insatser),
            "active": user.active,
            "version": user.version,
            "password_hash": user.password_hash,
        }
        await _upsert(self._session, _users, _users.c.username, user.username, user.version, values)
        change = user.change()
        await self._outbox.stage(change.type, change.version, change.model_dump_json())

    async def list(self) -> list[User]:
        rows = await self._session.execute(select(_users).order_by(_users.c.username))
        return [_user(row) for row in rows]


class SqlCredentials:
    def __init__(self, session: AsyncSession, outbox: AccessOutbox) -> None:
        self._session = session
        self._outbox = outbox

    async def get(self, credential_id: str, *, lock: Lock = Lock.NONE) -> Credential | None:
        query = locked(
            select(_credentials).where(_credentials.c.credential_id == credential_id), lock
        )
        row = (await self._session.execute(query)).first()
        return _credential(row) if row else None

    async def save(self, credential: Credential) -> None:
        values = {
            "secret_hash": credential.secret_hash,
            "username": credential.username,
            "kind": credential.kind.value,
            "created_at": credential.created_at,
            "expires_at": credential.expires_at,
            "revoked_at": credential.revoked_at,
            "version": credential.version,
        }
        await _upsert(
            self._session,
            _credentials,
            _credentials.c.credential_id,
            credential.credential_id,
            credential.version,
            values,
        )
        change = credential.change()
        await self._outbox.stage(change.type, change.version, change.model_dump_json())

    async def list(self, username: str | None) -> list[Credential]:
        query = select(_credentials).order_by(_credentials.c.created_at.desc())
        if username is not None:
            query = query.where(_credentials.c.username == username)
        return [_credential(row) for row in await self._session.execute(query)]


async def _upsert(
    session: AsyncSession, table: Table, key, key_value: str, version: int, values: dict
) -> None:
    # Version 1 is new; any later one replaces the row the caller read under lock.
    if version == 1:
        await session.execute(insert(table).values({key.name: key_value, **values}))
    else:
        await session.execute(update(table).where(key == key_value).values(values))


class SqlAuditLog:
    """Entries are staged, then written with the transaction's next event (in the event's
    own statement on PostgreSQL, `SqlEventLog`) or at commit (`flush`)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._staged: list[AuditEntry] = []

    async def record(self, entry: AuditEntry) -> None:
        self._staged.append(entry)

    @property
    def staged(self) -> list[AuditEntry]:
        """The entries not written yet."""
        return list(self._staged)

    def take_staged(self) -> list[AuditEntry]:
        """The entries not written yet, for a statement that writes them."""
        staged, self._staged = self._staged, []
        return staged

    async def flush(self) -> None:
        if staged := self.take_staged():
            await self._session.execute(insert(tables.audit), [vars(entry) for entry in staged])

    async def newest(self, limit: int) -> list[AuditEntry]:
        await self.flush()
        audit = tables.audit
        rows = await self._session.execute(select(audit).order_by(audit.c.id.desc()).limit(limit))
        return [
            AuditEntry(as_utc(row.at), row.actor, row.credential_id, row.action, row.target)
            for row in rows
        ]


async def requeue_access(session: AsyncSession) -> int:
    """Stage the current state of every user and credential for publication again (a
    consumer keeps the highest version, so what it has is unharmed); returns how many."""
    outbox = AccessOutbox(session)
    users = [_user(row) for row in await session.execute(select(_users))]
    credentials = [_credential(row) for row in await session.execute(select(_credentials))]
    for change in [user.change() for user in users] + [c.change() for c in credentials]:
        await outbox.stage(change.type, change.version, change.model_dump_json())
    return outbox.staged


def _user(row) -> User:
    return User(
        username=row.username,
        role=Role(row.role),
        insatser=frozenset(json.loads(row.insatser)),
        active=row.active,
        password_hash=row.password_hash,
        version=row.version,
    )


def _credential(row) -> Credential:
    return Credential(
        credential_id=row.credential_id,
        username=row.username,
        kind=CredentialKind(row.kind),
        secret_hash=row.secret_hash,
        created_at=as_utc(row.created_at),
        expires_at=as_utc(row.expires_at),
        revoked_at=as_utc(row.revoked_at) if row.revoked_at else None,
        version=row.version,
    )
