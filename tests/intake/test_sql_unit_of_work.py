"""Intake's commands on the real unit of work (SQLite and PostgreSQL): what the database,
not the command, guarantees."""

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import date
from functools import partial
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import select

from services.intake.adapters import tables
from services.intake.adapters.driver_statements import KeptConnections
from services.intake.adapters.repositories import InsatsCopies
from services.intake.adapters.unit_of_work import SqlUnitOfWork
from services.intake.bootstrap import REVISIONS_DIR, SERVICE
from services.intake.domain import rules
from services.intake.domain.errors import Conflict
from services.intake.domain.model import Insats, Participant
from services.intake.service_layer import commands, handlers
from services.intake.service_layer.messagebus import Audited
from services.intake.service_layer.unit_of_work import ConcurrentWrite
from shared.contract.access import ADMIN
from shared.contract.codes import Gender, Reason, Registration
from shared.contract.events import InsatsDetails, StartDetails, StopDetails
from shared.platform.service import migrated_sessions
from shared.platform.settings import Settings
from tests.intake.conftest import execute_as_admin

START = StartDetails(start_date=date(2025, 2, 3), gender=Gender.KVINNA)


@pytest.fixture
async def new_uow(database_url: str, tmp_path: Path) -> AsyncIterator[Callable[[], SqlUnitOfWork]]:
    settings = Settings(database_url=database_url, data_dir=tmp_path)
    async with migrated_sessions(settings, SERVICE, REVISIONS_DIR) as sessions:
        yield lambda: SqlUnitOfWork(sessions, lambda: None)


@pytest.fixture
async def postgres_sessions(postgres_url: str, tmp_path: Path) -> AsyncIterator:
    settings = Settings(database_url=postgres_url, data_dir=tmp_path)
    async with migrated_sessions(settings, SERVICE, REVISIONS_DIR) as sessions:
        yield sessions


def _units_of_work(
    sessions, copies: InsatsCopies | None = None, kept: KeptConnections | None = None
) -> Callable[[], SqlUnitOfWork]:
    return lambda: SqlUnitOfWork(sessions, lambda: None, copies, kept)


def _start(codes: list[str]):
    """A start's handler that draws these codes, in order."""
    draws = iter(codes)
    return partial(handlers.start_participant, new_code=lambda: next(draws))


_STARTED = commands.StartParticipant("steget", START)


async def _stored(new_uow) -> tuple[list[str], list[str], list[str]]:
    """Participants, started participants in the log, and messages in the outbox."""
    async with new_uow() as uow:
        session = uow._session
        participants = (await session.scalars(select(tables.participants.c.participant_id))).all()
        started = (
            await session.scalars(
                select(tables.events.c.participant_id).where(
                    tables.events.c.type == "ParticipantStarted"
                )
            )
        ).all()
        staged = (
            await session.scalars(select(tables.outbox.c.type).order_by(tables.outbox.c.id))
        ).all()
    return sorted(participants), sorted(started), staged


async def test_a_code_taken_even_by_a_transaction_not_yet_committed_is_drawn_again(new_uow):
    await execute_as_admin(
        new_uow,
        commands.DefineInsats(
            "steget", InsatsDetails(name="Steget", registration=Registration.INDIVID)
        ),
    )
    first = await execute_as_admin(new_uow, _STARTED, None, _start(["AAAA-AAAA"]))
    again = await execute_as_admin(new_uow, _STARTED, None, _start(["AAAA-AAAA", "BBBB-BBBB"]))
    codes = (first.body["participant_id"], again.body["participant_id"])
    assert codes == ("AAAA-AAAA", "BBBB-BBBB")

    # One transaction holds CCCC-CCCC, uncommitted, while another draws it: that one waits,
    # finds it taken once the first commits, and draws again.
    async with new_uow() as holding:
        held = await _start(["CCCC-CCCC"])(_STARTED, holding)
        racing = asyncio.create_task(
            execute_as_admin(new_uow, _STARTED, None, _start(["CCCC-CCCC", "DDDD-DDDD"]))
        )
        await asyncio.sleep(0.2)  # let it reach the database (the outcome is the same if not)
        await holding.commit()
    raced = await racing
    codes = (held.body["participant_id"], raced.body["participant_id"])
    assert codes == ("CCCC-CCCC", "DDDD-DDDD")

    codes = ["AAAA-AAAA", "BBBB-BBBB", "CCCC-CCCC", "DDDD-DDDD"]
    participants, started, staged = await _stored(new_uow)
    assert (participants, started) == (codes, codes)
    assert staged == ["InsatsDefined"] + ["ParticipantStarted"] * 4


async def test_a_code_still_taken_after_every_draw_stores_nothing(new_uow):
    await execute_as_admin(
        new_uow,
        commands.DefineInsats(
            "steget", InsatsDetails(name="Steget", registration=Registration.INDIVID)
        ),
    )
    await execute_as_admin(new_uow, _STARTED, None, _start(["AAAA-AAAA"]))
    with pytest.raises(RuntimeError, match="no unused participant code"):
        await execute_as_admin(
            new_uow, _STARTED, None, _start(["AAAA-AAAA"] * handlers.MAX_CODE_DRAWS)
        )
    assert await _stored(new_uow) == (
        ["AAAA-AAAA"],
        ["AAAA-AAAA"],
        ["InsatsDefined", "ParticipantStarted"],
    )


@pytest.mark.parametrize(
    ("copies", "kept"),
    [(None, None), (InsatsCopies(), None), (InsatsCopies(), KeptConnections())],
    ids=["insats read", "insats copied", "insats copied, connections kept"],
)
async def test_a_command_meeting_connections_the_database_closed_runs_once_on_a_new_one(
    postgres_url: str,
    postgres_sessions,
    copies: InsatsCopies | None,
    kept: KeptConnections | None,
) -> None:
    # What a database restart leaves in the pool: connections whose backends are gone. No
    # pre-ping finds them; the first statement fails, and the command runs again. With the
    # insats copied, the start's first statement is its write, on the driver's connection;
    # with connections kept, on the connection the first start gave back.
    new_uow = _units_of_work(postgres_sessions, copies, kept)
    define = commands.DefineInsats(
        "steget", InsatsDetails(name="Steget", registration=Registration.INDIVID)
    )
    await execute_as_admin(new_uow, define)
    await execute_as_admin(new_uow, _STARTED, None, _start(["AAAA-AAAA"]))
    admin = await asyncpg.connect(postgres_url)
    try:
        closed = await admin.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    finally:
        await admin.close()
    assert closed >= 1

    # With the insats copied, the code is drawn before the write fails: drawn again.
    again = await execute_as_admin(new_uow, _STARTED, None, _start(["BBBB-BBBB"] * 2))

    assert again.body["participant_id"] == "BBBB-BBBB"
    participants, started, staged = await _stored(new_uow)
    assert (participants, started) == (["AAAA-AAAA", "BBBB-BBBB"],) * 2
    assert staged == ["InsatsDefined", "ParticipantStarted", "ParticipantStarted"]
    async with new_uow() as uow:
        actions = [entry.action for entry in await uow.audit.newest(10)]
    assert actions == [_STARTED.ACTION, _STARTED.ACTION, define.ACTION]
    if kept is not None:  # what is kept now is the new connection, not one the restart closed
        lent = kept.lend()
        assert lent is not None and not lent.driver_connection.is_closed()
        assert kept.lend() is None
        lent.close()


@pytest.mark.parametrize("one_statement", [True, False], ids=["one statement", "transaction"])
async def test_a_start_checked_against_an_insats_since_changed_stores_nothing(
    new_uow, one_statement: bool
) -> None:
    # A start checked the insats as individ; meanwhile it became a volume insats (it had no
    # registrations). The append's own check refuses it, with or without a transaction.
    define = commands.DefineInsats(
        "steget", InsatsDetails(name="Steget", registration=Registration.VOLYM)
    )
    await execute_as_admin(new_uow, define)
    as_checked = Insats("steget", "Steget", Registration.INDIVID)
    event = rules.start_participant(as_checked, "AAAA-AAAA", START)
    uow = new_uow().in_one_statement() if one_statement else new_uow()
    with pytest.raises(ConcurrentWrite, match="insats steget changed"):
        async with uow:
            await uow.audit.record(Audited(ADMIN, "test").entry(_STARTED))
            participant = Participant("AAAA-AAAA", "steget", START.start_date)
            await uow.events.append_with_participant(event, participant, as_checked)
            await uow.commit()

    assert await _stored(new_uow) == ([], [], ["InsatsDefined"])
    async with new_uow() as reading:
        actions = [entry.action for entry in await reading.audit.newest(10)]
    assert actions == [define.ACTION]


async def test_a_start_on_a_copy_of_an_insats_since_changed_is_answered_as_stored(
    postgres_sessions,
) -> None:
    # This process copied the insats as individ; another changed it to volume since (it had
    # no registrations). The start's write finds it changed, the copy is forgotten, and the
    # start runs again on the stored insats: refused, with nothing stored.
    copies = InsatsCopies()
    new_uow = _units_of_work(postgres_sessions, copies)
    define = commands.DefineInsats(
        "steget", InsatsDetails(name="Steget", registration=Registration.VOLYM)
    )
    await execute_as_admin(new_uow, define)
    copies.keep(Insats("steget", "Steget", Registration.INDIVID))

    with pytest.raises(Conflict, match="registered as volym"):
        await execute_as_admin(new_uow, _STARTED, None, _start(["AAAA-AAAA"] * 2))

    assert copies.get("steget") is None
    assert await _stored(new_uow) == ([], [], ["InsatsDefined"])


async def test_a_stop_checked_against_a_participant_since_changed_stores_nothing(
    postgres_sessions,
) -> None:
    # Outside a transaction a stop holds nothing from its read to its write: the write
    # checks the participant again (held for update) and stores nothing when it changed.
    new_uow = _units_of_work(postgres_sessions)
    define = commands.DefineInsats(
        "steget", InsatsDetails(name="Steget", registration=Registration.INDIVID)
    )
    await execute_as_admin(new_uow, define)
    await execute_as_admin(new_uow, _STARTED, None, _start(["AAAA-AAAA"]))
    as_read = Participant("AAAA-AAAA", "steget", START.start_date)
    details = StopDetails(end_date=date(2025, 3, 1), reason=Reason.ARBETE)
    stop = commands.StopParticipant("steget", "AAAA-AAAA", details)
    await execute_as_admin(new_uow, stop)  # meanwhile, by another

    stale = rules.stop_participant(as_read, details)
    uow = new_uow().in_one_statement()
    with pytest.raises(ConcurrentWrite, match="participant AAAA-AAAA changed"):
        async with uow:
            await uow.audit.record(Audited(ADMIN, "test").entry(stop))
            await uow.events.append_for(stale, as_read, as_read.stopped_on(date(2025, 3, 1)))
            await uow.commit()

    async with new_uow() as reading:
        stops = [
            event
            for event in await reading.events.of_participant("steget", "AAAA-AAAA")
            if event.type == "ParticipantStopped"
        ]
        actions = [entry.action for entry in await reading.audit.newest(10)]
    assert len(stops) == 1
    assert actions == [stop.ACTION, _STARTED.ACTION, define.ACTION]
