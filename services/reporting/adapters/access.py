"""The users and credentials on SQLAlchemy Core: storing intake's changes (the `Access`
port), finding the principal a secret stands for, and the pages' own sessions."""

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import cast

from sqlalchemy import Table, insert, select, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.reporting.adapters import tables
from services.reporting.adapters.repositories import upsert
from shared.contract.access import (
    ADMIN,
    SECRET_PREFIX,
    CredentialChanged,
    Principal,
    UserChanged,
    as_utc,
    find_principal,
    insatser_json,
    new_secret,
    principal_of_credential,
    secret_hash,
)


class SqlAccess:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def store_users(self, users: Sequence[UserChanged]) -> None:
        await self._store_newer(
            tables.access.users,
            [
                {
                    "username": user.username,
                    "role": str(user.role),
                    "insatser": insatser_json(user.insatser),
                    "active": user.active,
                    "version": user.version,
                }
                for user in users
            ],
        )

    async def store_credentials(self, credentials: Sequence[CredentialChanged]) -> None:
        await self._store_newer(
            tables.access.credentials,
            [
                {
                    "credential_id": credential.credential_id,
                    "secret_hash": credential.secret_hash,
                    "username": credential.username,
                    "kind": str(credential.kind),
                    "expires_at": as_utc(credential.expires_at),
                    "revoked_at": (
                        None if credential.revoked_at is None else as_utc(credential.revoked_at)
                    ),
                    "version": credential.version,
                }
                for credential in credentials
            ],
        )

    async def _store_newer(self, table: Table, rows: list[dict]) -> None:
        """Insert each row, or replace the stored one if its version is lower."""
        if not rows:
            return
        [key] = table.primary_key.columns
        # SQLite's INSERT has the same ON CONFLICT methods as PostgreSQL's.
        statement = cast(postgresql.Insert, upsert(self._session, table))
        statement = statement.on_conflict_do_update(
            index_elements=[key],
            set_={name: statement.excluded[name] for name in rows[0] if name != key.name},
            where=table.c.version < statement.excluded.version,
        )
        # In key order: replicas storing the same rows lock them in the same order.
        await self._session.execute(statement, sorted(rows, key=lambda row: row[key.name]))


async def principal_of_secret(sessions: async_sessionmaker, secret: str) -> Principal | None:
    """The principal a secret stands for now (None: unknown, expired, revoked, deactivated)."""
    async with sessions() as session, session.begin():
        return await find_principal(session, tables.access, secret, datetime.now(UTC))


class SqlPageSessions:
    """The `PageSessions` port: only the SHA-256 of a session's secret is stored."""

    def __init__(
        self, sessions: Callable[[], async_sessionmaker], admin_token: str, lifetime: timedelta
    ) -> None:
        self._sessions = sessions
        # The admin token's hash: a session made with it ends when the token is changed.
        self._admin_token_hash = secret_hash(admin_token)
        self._lifetime = lifetime

    async def start(self, principal: Principal) -> tuple[str, datetime]:
        secret, expires_at = new_secret(), datetime.now(UTC) + self._lifetime
        by_admin_token = principal.credential_id is None
        async with self._sessions()() as session, session.begin():
            await session.execute(
                insert(tables.page_sessions).values(
                    secret_hash=secret_hash(secret),
                    credential_id=principal.credential_id,
                    admin_token_hash=self._admin_token_hash if by_admin_token else None,
                    expires_at=expires_at,
                )
            )
        return secret, expires_at

    async def principal_of(self, secret: str) -> Principal | None:
        if not secret.startswith(SECRET_PREFIX):
            return None  # not one of ours: spare the database
        pages, now = tables.page_sessions, datetime.now(UTC)
        async with self._sessions()() as session, session.begin():
            row = (
                await session.execute(
                    select(pages).where(
                        pages.c.secret_hash == secret_hash(secret), pages.c.revoked_at.is_(None)
                    )
                )
            ).first()
            if row is None or as_utc(row.expires_at) <= now:
                return None
            if row.credential_id is None:
                return ADMIN if row.admin_token_hash == self._admin_token_hash else None
            return await principal_of_credential(session, tables.access, row.credential_id, now)

    async def end(self, secret: str) -> None:
        pages = tables.page_sessions
        async with self._sessions()() as session, session.begin():
            await session.execute(
                update(pages)
                .where(pages.c.secret_hash == secret_hash(secret), pages.c.revoked_at.is_(None))
                .values(revoked_at=datetime.now(UTC))
            )
