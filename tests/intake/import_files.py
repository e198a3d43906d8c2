"""For the tests of `stegvis import`: spreadsheets written as Excel writes them, the command
run as the CLI runs it, and intake's tables read straight from its database."""

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import select

from services.intake.adapters import tables
from services.intake.adapters.unit_of_work import SqlUnitOfWork
from services.intake.bootstrap import REVISIONS_DIR, SERVICE
from services.intake.entrypoints.import_cli import run_import
from services.intake.service_layer import commands
from services.intake.service_layer.messagebus import Audited, dispatch
from shared.contract.access import ADMIN
from shared.contract.codes import Registration
from shared.contract.events import InsatsDetails, IntakeEvent, parse_intake_event
from shared.platform.db import create_engine
from shared.platform.service import migrated_sessions
from shared.platform.settings import Settings


def write_csv(path: Path, rows: Sequence[Sequence[object]], delimiter: str = ";") -> Path:
    """UTF-8 with a BOM, as Excel's "CSV UTF-8" is."""
    text = io.StringIO()
    csv.writer(text, delimiter=delimiter).writerows(rows)
    path.write_bytes(text.getvalue().encode("utf-8-sig"))
    return path


def write_xlsx(path: Path, rows: Sequence[Sequence[object]]) -> Path:
    """Cells typed as given: dates as date cells, numbers as numbers."""
    workbook = Workbook()
    for row in rows:
        workbook.active.append(list(row))
    workbook.save(path)
    return path


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as file:
        return list(csv.reader(file, delimiter=";"))


@dataclass(frozen=True)
class Ran:
    code: int
    out: str
    err: str


async def run(settings: Settings, path: Path) -> Ran:
    """`stegvis import PATH` (stderr is no terminal, as under a test runner or in a log)."""
    out, err = io.StringIO(), io.StringIO()
    code = await run_import(settings, path, out, err)
    return Ran(code, out.getvalue(), err.getvalue())


async def define_insatser(settings: Settings, **registrations: Registration) -> None:
    async with migrated_sessions(settings, SERVICE, REVISIONS_DIR) as sessions:
        new_uow = partial(SqlUnitOfWork, sessions, lambda: None)
        for insats_id, registration in registrations.items():
            details = InsatsDetails(name=insats_id.title(), registration=registration)
            command = commands.DefineInsats(insats_id, details)
            await dispatch(new_uow, command, Audited(ADMIN, insats_id))


@dataclass(frozen=True)
class Stored:
    """Intake's tables as they are."""

    events: list[IntakeEvent]
    """The event log in order."""
    outbox: list[str]
    """The ids of the events staged for publication."""
    audit: list[tuple[str, str]]
    """(action, target) of every audit row."""
    idempotency_keys: list[str]

    @property
    def registered(self) -> list[IntakeEvent]:
        return [event for event in self.events if event.type != "InsatsDefined"]


async def stored(settings: Settings) -> Stored:
    engine = create_engine(settings.service_database_url("intake"))
    try:
        async with engine.connect() as connection:
            events = await connection.scalars(
                select(tables.events.c.body).order_by(tables.events.c.position)
            )
            outbox = await connection.scalars(
                select(tables.outbox.c.message_id).order_by(tables.outbox.c.id)
            )
            audit = await connection.execute(
                select(tables.audit.c.action, tables.audit.c.target).order_by(tables.audit.c.id)
            )
            keys = await connection.scalars(select(tables.idempotency.c.key))
            return Stored(
                [parse_intake_event(body) for body in events],
                list(outbox),
                [tuple(row) for row in audit],
                list(keys),
            )
    finally:
        await engine.dispose()
