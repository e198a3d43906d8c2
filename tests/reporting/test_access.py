"""Intake's access changes into reporting's own tables, on a real database (SQLite and
PostgreSQL): the highest version of each user and credential wins, whatever the order,
however often a change comes, and whether a credential comes before its user or after."""

from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from services.reporting.adapters import tables
from services.reporting.adapters.access import principal_of_secret
from services.reporting.adapters.unit_of_work import SqlUnitOfWork
from services.reporting.service_layer.access import apply_access_changes
from shared.contract.access import AccessChange, Principal, Role, new_secret
from tests.reporting.accounts import credential, user


async def _apply(sessions: async_sessionmaker, *changes: AccessChange) -> None:
    await apply_access_changes(SqlUnitOfWork(sessions), changes)


async def _stored(sessions: async_sessionmaker) -> dict[str, list[tuple]]:
    async with sessions() as session:
        return {
            table.name: [
                tuple(row)
                for row in await session.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in (tables.access.users, tables.access.credentials)
        }


async def test_the_highest_version_wins_within_a_batch_and_across_batches(sessions) -> None:
    secret = new_secret()
    # A credential before its user: kept, but it admits no one until the user is known.
    await _apply(sessions, credential("anna", secret))
    assert await principal_of_secret(sessions, secret) is None

    # Out of order and duplicated in one batch.
    granted_b = user("anna", Role.INSATSANSVARIG, "b", version=3)
    await _apply(sessions, granted_b, user("anna", Role.LASARE, version=2), granted_b)
    anna = Principal("anna", Role.INSATSANSVARIG, frozenset({"b"}), "cred-anna")
    assert await principal_of_secret(sessions, secret) == anna

    # Older versions and a redelivery, later: nothing changes.
    await _apply(sessions, user("anna", Role.FORBUNDSADMIN, version=1), granted_b)
    assert await principal_of_secret(sessions, secret) == anna

    revoked = credential("anna", secret, version=2, revoked_at=datetime.now(UTC))
    await _apply(sessions, revoked)
    await _apply(sessions, credential("anna", secret, version=1))  # the issue, arriving late
    assert await principal_of_secret(sessions, secret) is None
    [(*_, version)] = (await _stored(sessions))["reporting_access_credentials"]
    assert version == 2


async def test_any_order_of_the_same_changes_stores_the_same(sessions) -> None:
    anna, lars = new_secret(), new_secret()
    changes = [
        user("anna", Role.INSATSANSVARIG, "a"),
        credential("anna", anna),
        user("lars", Role.LASARE),
        user("anna", Role.INSATSANSVARIG, "a", "b", version=2),
        credential("lars", lars),
        credential("anna", anna, version=2, revoked_at=datetime.now(UTC)),
        user("lars", Role.LASARE, version=2, active=False),
    ]
    stored = []
    for batches in (
        [changes],
        [[change] for change in changes],
        [changes[::-1]],
        [[change] for change in reversed(changes)],
    ):
        async with sessions() as session, session.begin():
            for table in (tables.access.credentials, tables.access.users):
                await session.execute(delete(table))
        for batch in batches:
            await _apply(sessions, *batch)
        stored.append(await _stored(sessions))
    assert all(each == stored[0] for each in stored)
    assert [row[:2] + row[3:] for row in stored[0]["reporting_access_users"]] == [
        ("anna", "insatsansvarig", True, 2),
        ("lars", "lasare", False, 2),
    ]
