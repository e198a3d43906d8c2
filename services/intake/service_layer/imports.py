"""Importing a förbund's spreadsheet (`stegvis import`) of participants or activities: every
row checked
first, outside any transaction, then all rows stored by intake's own commands in one unit
of work (the events and their outbox rows, the answer and the audit row), or none.

A file is imported once: its SHA-256 is the Idempotency-Key of the import, so importing the
same bytes again replays the first import's answer, which is refused as `AlreadyImported`.
"""

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import partial

from services.intake.domain import import_rows
from services.intake.domain.errors import CommandRefused
from services.intake.domain.import_rows import Cell, Columns, ImportRow, RowRefused, SheetRow
from services.intake.domain.model import Insats
from services.intake.service_layer.answers import IdempotencyKey, Imported
from services.intake.service_layer.commands import ImportRows
from services.intake.service_layer.messagebus import Audited, dispatch
from services.intake.service_layer.unit_of_work import UnitOfWork
from shared.contract.access import Principal
from shared.contract.codes import Registration
from shared.contract.identity import contains_identity_number

_KEY_PREFIX = "import:"
_MAX_TARGET = 300
"""The audit log's target column holds this many characters."""


@dataclass(frozen=True)
class Sheet:
    """The file to import, as read."""

    name: str
    sha256: str
    header: Sequence[Cell]
    rows: Sequence[SheetRow]


class Phase(StrEnum):
    CHECK = "check"
    WRITE = "write"


Progress = Callable[[Phase, int, int], None]
"""Told (phase, rows done, rows in all): 0 done when a phase begins, then after each row."""


class AlreadyImported(CommandRefused):
    """The same file was imported before; nothing changed."""

    def __init__(self, earlier: Imported) -> None:
        super().__init__(f"{earlier.file} was imported at {earlier.imported_at.isoformat()}")
        self.earlier = earlier


class FileNameRefused(CommandRefused):
    """The file's name holds what looks like an identity number, which the import's answer
    and audit row would store."""

    def __init__(self) -> None:
        super().__init__(
            "filens namn ser ut att innehålla ett personnummer, och Stegvis sparar aldrig "
            "personnummer: byt namn på filen"
        )


class RowsRefused(CommandRefused):
    """Some rows cannot be imported, so none was."""

    def __init__(
        self, refused: list[RowRefused], columns: Columns, insatser: Mapping[str, Registration]
    ) -> None:
        super().__init__(f"{len(refused)} rows refused")
        self.refused = refused
        self.columns = columns
        self.insatser = insatser
        """Every insats's registration, for the report to say which a row may name."""


async def import_sheet(
    new_uow: Callable[[], UnitOfWork], sheet: Sheet, caller: Principal, progress: Progress
) -> Imported:
    """Store what every row registers, or raise `SheetRefused`, `RowsRefused` or
    `AlreadyImported` (or `FileNameRefused`) having stored nothing."""
    if contains_identity_number(sheet.name):
        raise FileNameRefused
    columns = import_rows.read_columns(sheet.header, sheet.rows)
    key = IdempotencyKey(_KEY_PREFIX + sheet.sha256, sheet.sha256)
    async with new_uow() as uow:  # a short look, so the long check holds no transaction
        stored = await uow.answers.get(key.key)
        insatser = {insats.insats_id: insats for insats in await uow.insatser.list()}
    if stored is not None:
        raise AlreadyImported(Imported.from_body(stored.answer.body))
    rows = _checked(columns, [row for row in sheet.rows if not row.blank], insatser, progress)
    command = ImportRows(
        uuid.uuid4().hex, sheet.name, columns.kind.name, tuple(rows), partial(progress, Phase.WRITE)
    )
    target = f"sha256:{sheet.sha256} {sheet.name}"[:_MAX_TARGET]
    answer = await dispatch(new_uow, command, Audited(caller, target), key)
    imported = Imported.from_body(answer.body)
    if imported.import_id != command.import_id:  # the same file, imported meanwhile
        raise AlreadyImported(imported)
    return imported


def _checked(
    columns: Columns, rows: list[SheetRow], insatser: Mapping[str, Insats], progress: Progress
) -> list[ImportRow]:
    checked, refused = [], []
    progress(Phase.CHECK, 0, len(rows))
    for done, row in enumerate(rows, 1):
        try:
            checked.append(import_rows.check_row(columns, row, insatser))
        except RowRefused as refusal:
            refused.append(refusal)
        progress(Phase.CHECK, done, len(rows))
    if refused:
        registrations = {insats.insats_id: insats.registration for insats in insatser.values()}
        raise RowsRefused(refused, columns, registrations)
    return checked
