"""Applying intake's access changes: reporting keeps each user's and credential's newest
state, so it authenticates the same people as intake, from tables of its own.

Every change carries the whole state with a version, so keeping the highest version makes a
batch idempotent and independent of order: a redelivery, a change overtaken by a newer one,
or a credential arriving before its user (it admits no one until the user is there) all end
in the same tables.
"""

import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Protocol, TypeVar

from services.reporting.service_layer.unit_of_work import AccessUnitOfWork
from shared.contract.access import AccessChange, CredentialChanged, Principal, UserChanged

log = logging.getLogger(__name__)

Change = TypeVar("Change", UserChanged, CredentialChanged)


class PageSessions(Protocol):
    """Logins at the report pages: server-side, so a logout (or the end of what they were
    made with) ends them at once."""

    async def start(self, principal: Principal) -> tuple[str, datetime]:
        """A new session of the principal: its secret (for the cookie) and its expiry."""
        ...

    async def principal_of(self, secret: str) -> Principal | None:
        """Whom the session stands for now: None once it expired or was ended, or the
        credential it was made with was revoked, or its user deactivated."""
        ...

    async def end(self, secret: str) -> None: ...


async def apply_access_changes(uow: AccessUnitOfWork, batch: Sequence[AccessChange]) -> None:
    users = _newest(
        (change for change in batch if isinstance(change, UserChanged)),
        key=lambda user: user.username,
    )
    credentials = _newest(
        (change for change in batch if isinstance(change, CredentialChanged)),
        key=lambda credential: credential.credential_id,
    )
    async with uow:
        await uow.access.store_users(users)
        await uow.access.store_credentials(credentials)
        await uow.commit()
    for change in batch:
        log.info(
            "%s of %s, version %d, applied unless a newer one was",
            change.type,
            change.username,
            change.version,
        )


def _newest(changes: Iterable[Change], key: Callable[[Change], str]) -> list[Change]:
    # One row each: PostgreSQL refuses a statement that upserts the same row twice.
    newest: dict[str, Change] = {}
    for change in changes:
        known = newest.get(key(change))
        if known is None or known.version < change.version:
            newest[key(change)] = change
    return list(newest.values())
