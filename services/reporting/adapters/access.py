"""The users and credentials on SQLAlchemy Core: storing intake's changes (the `Access`
port), and finding the principal a secret stands for."""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import cast

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.reporting.adapters import tables
from services.reporting.adapters.repositories import upsert
from shared.contract.access import (
    CredentialChanged,
    Principal,
    UserChanged,
    as_utc,
    find_principal,
    insatser_json,
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
