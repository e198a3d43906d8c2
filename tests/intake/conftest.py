"""Fixtures of intake's tests: an in-memory unit of work for the service layer, and the
app itself against a real database and Redis for the HTTP contract."""

import copy
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import httpx
import pytest
from redis.asyncio import Redis
from sqlalchemy import select

from services.intake.adapters import tables
from services.intake.bootstrap import create_app
from services.intake.domain.accounts import Credential, User
from services.intake.domain.model import Insats, Participant
from services.intake.service_layer.answers import Answer, IdempotencyKey, StoredAnswer
from services.intake.service_layer.commands import Command
from services.intake.service_layer.messagebus import HANDLERS, Audited, dispatch
from services.intake.service_layer.unit_of_work import AuditEntry, ConcurrentWrite, Lock
from shared.contract.access import ADMIN
from shared.contract.events import IntakeEvent, parse_intake_event
from shared.platform.db import create_engine
from shared.platform.settings import Settings
from shared.platform.streams import Topology
from tests.intake.forms_support import PASSWORD, Staff, ok

ADMIN_TOKEN = "intake-admin-token-0123456789"


async def execute_as_admin(
    new_uow: Callable[[], Any], command: Command, key: IdempotencyKey | None = None, handler=None
) -> Answer:
    """`messagebus.dispatch` as the admin token's holder (the service-layer tests' caller);
    `handler`: instead of the command's own."""
    handlers = HANDLERS if handler is None else {type(command): handler}
    return await dispatch(new_uow, command, Audited(ADMIN, "test"), key, handlers=handlers)


@dataclass
class FakeState:
    insatser: dict[str, Insats] = field(default_factory=dict)
    participants: dict[tuple[str, str], Participant] = field(default_factory=dict)
    """By insats and code."""
    events: list[IntakeEvent] = field(default_factory=list)
    answers: dict[str, StoredAnswer] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    credentials: dict[str, Credential] = field(default_factory=dict)
    audit: list[AuditEntry] = field(default_factory=list)


class FakeInsatser:
    def __init__(self, state: FakeState) -> None:
        self._state = state

    async def get(self, insats_id: str, *, lock: Lock = Lock.NONE) -> Insats | None:
        return self._state.insatser.get(insats_id)

    async def add(self, insats: Insats) -> None:
        assert insats.insats_id not in self._state.insatser
        self._state.insatser[insats.insats_id] = insats

    async def update(self, insats: Insats) -> None:
        self._state.insatser[insats.insats_id] = insats

    async def list(self) -> list[Insats]:
        return sorted(self._state.insatser.values(), key=lambda i: i.insats_id)


class FakeParticipants:
    def __init__(self, state: FakeState) -> None:
        self._state = state

    async def get(
        self, insats_id: str, participant_id: str, *, lock: Lock = Lock.NONE
    ) -> Participant | None:
        return self._state.participants.get((insats_id, participant_id))

    async def add(self, participant: Participant) -> bool:
        key = (participant.insats_id, participant.participant_id)
        first_taken = participant.moved_from is None and any(
            code == participant.participant_id and p.moved_from is None
            for (_, code), p in self._state.participants.items()
        )
        if key in self._state.participants or first_taken:
            return False
        self._state.participants[key] = participant
        return True

    async def update(self, participant: Participant) -> None:
        self._state.participants[(participant.insats_id, participant.participant_id)] = participant

    async def list(self, insats_id: str, *, active_only: bool) -> list[Participant]:
        return [
            p
            for p in self._state.participants.values()
            if p.insats_id == insats_id and not (active_only and p.stopped)
        ]


class FakeEventLog:
    def __init__(self, state: FakeState) -> None:
        self._state = state
        self.appended: list[IntakeEvent] = []

    async def append(self, event: IntakeEvent) -> int:
        self._state.events.append(event)
        self.appended.append(event)
        return len(self._state.events)

    async def append_with_participant(
        self, event: IntakeEvent, participant: Participant, insats: Insats
    ) -> int | None:
        if self._state.insatser[insats.insats_id].registration != insats.registration:
            raise ConcurrentWrite(f"insats {insats.insats_id} changed meanwhile")
        if not await FakeParticipants(self._state).add(participant):
            return None
        return await self.append(event)

    async def append_for(
        self, event: IntakeEvent, participant: Participant, changed: Participant | None = None
    ) -> int:
        key = (participant.insats_id, participant.participant_id)
        if self._state.participants.get(key) != participant:
            raise ConcurrentWrite(f"participant {participant.participant_id} changed meanwhile")
        if changed is not None:
            await FakeParticipants(self._state).update(changed)
        return await self.append(event)

    async def of_participant(self, insats_id: str, participant_id: str) -> list[IntakeEvent]:
        return [
            e
            for e in self._state.events
            if getattr(e, "participant_id", None) == participant_id and e.insats_id == insats_id
        ]

    async def has_registrations(self, insats_id: str) -> bool:
        return any(
            e.insats_id == insats_id and e.type != "InsatsDefined" for e in self._state.events
        )


class FakeAnswers:
    def __init__(self, state: FakeState) -> None:
        self._state = state

    async def get(self, key: str) -> StoredAnswer | None:
        return self._state.answers.get(key)

    async def add(self, key: IdempotencyKey, answer: Answer) -> None:
        self._state.answers[key.key] = StoredAnswer(key.fingerprint, answer)


class FakeUsers:
    def __init__(self, state: FakeState) -> None:
        self._state = state

    async def get(self, username: str, *, lock: Lock = Lock.NONE) -> User | None:
        return self._state.users.get(username)

    async def save(self, user: User) -> None:
        self._state.users[user.username] = user

    async def list(self) -> list[User]:
        return sorted(self._state.users.values(), key=lambda user: user.username)


class FakeCredentials:
    def __init__(self, state: FakeState) -> None:
        self._state = state

    async def get(self, credential_id: str, *, lock: Lock = Lock.NONE) -> Credential | None:
        return self._state.credentials.get(credential_id)

    async def save(self, credential: Credential) -> None:
        self._state.credentials[credential.credential_id] = credential

    async def list(self, username: str | None) -> list[Credential]:
        return sorted(
            (c for c in self._state.credentials.values() if username in (None, c.username)),
            key=lambda c: c.created_at,
            reverse=True,
        )


class FakeAuditLog:
    def __init__(self, state: FakeState) -> None:
        self._state = state

    async def record(self, entry: AuditEntry) -> None:
        self._state.audit.append(entry)

    async def newest(self, limit: int) -> list[AuditEntry]:
        return self._state.audit[::-1][:limit]


class FakeDatabase:
    """Committed state; each unit of work changes a copy and commits it whole."""

    def __init__(self) -> None:
        self.state = FakeState()
        self.commits = 0

    def unit_of_work(self) -> "FakeUnitOfWork":
        return FakeUnitOfWork(self)


class FakeUnitOfWork:
    def __init__(self, database: FakeDatabase) -> None:
        self._database = database

    def in_one_statement(self) -> Self:
        return self

    async def __aenter__(self) -> Self:
        self._work = copy.deepcopy(self._database.state)
        self._keys_before = set(self._work.answers)
        self.insatser = FakeInsatser(self._work)
        self.participants = FakeParticipants(self._work)
        self.events = FakeEventLog(self._work)
        self.answers = FakeAnswers(self._work)
        self.users = FakeUsers(self._work)
        self.credentials = FakeCredentials(self._work)
        self.audit = FakeAuditLog(self._work)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._work = None

    async def commit(self) -> None:
        # Like a unique key: a key another unit committed since this one began wins.
        if (set(self._work.answers) - self._keys_before) & set(self._database.state.answers):
            raise ConcurrentWrite("idempotency key taken")
        self._database.state = self._work
        self._database.commits += 1


@pytest.fixture
def new_database() -> type[FakeDatabase]:
    """For tests that need a fresh database per example (hypothesis)."""
    return FakeDatabase


@pytest.fixture
def database() -> FakeDatabase:
    return FakeDatabase()


@dataclass
class RunningIntake:
    client: httpx.AsyncClient
    redis: Redis
    settings: Settings

    @property
    def stream(self) -> str:
        return Topology(self.settings.stream_prefix).intake_events

    async def logged_events(self) -> list[tuple[int, IntakeEvent]]:
        """The event log, read straight from intake's table."""
        engine = create_engine(self.settings.service_database_url("intake"))
        try:
            async with engine.connect() as connection:
                rows = await connection.execute(
                    select(tables.events.c.position, tables.events.c.body).order_by(
                        tables.events.c.position
                    )
                )
                return [(row.position, parse_intake_event(row.body)) for row in rows]
        finally:
            await engine.dispose()


@pytest.fixture
def intake_settings() -> dict:
    """Settings of the `intake` fixture's app beyond where its data lives (a module may
    override this fixture)."""
    return {}


@pytest.fixture
async def intake(
    database_url: str,
    redis_url: str,
    stream_prefix: str,
    tmp_path: Path,
    intake_settings: dict,
) -> AsyncIterator[RunningIntake]:
    settings = Settings(
        database_url=database_url,
        redis_url=redis_url,
        stream_prefix=stream_prefix,
        admin_token=ADMIN_TOKEN,
        data_dir=tmp_path,
        **intake_settings,
    )
    app = create_app(settings)
    redis = Redis.from_url(redis_url)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app),
            base_url="http://intake",
            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        ) as client,
    ):
        yield RunningIntake(client, redis, settings)
    await redis.aclose()


@pytest.fixture
def new_uow(database: FakeDatabase) -> Callable[[], FakeUnitOfWork]:
    return database.unit_of_work


@pytest.fixture
async def staff(intake) -> Staff:
    """Insatser a and b (individ) and va (volym); ivan may register in a and va only, and is
    logged in."""
    client = intake.client
    for insats_id, registration in (("a", "individ"), ("b", "individ"), ("va", "volym")):
        await ok(
            await client.put(
                f"/api/v1/insatser/{insats_id}",
                json={"name": f"Insats {insats_id.upper()}", "registration": registration},
            )
        )
    await ok(
        await client.put(
            "/api/v1/users/ivan",
            json={"role": "insatsansvarig", "insatser": ["a", "va"], "password": PASSWORD},
        )
    )
    staff = Staff(client)
    assert (await staff.log_in("ivan")).status_code == 303
    return staff
