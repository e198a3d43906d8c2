"""A spreadsheet of participants (`stegvis import`) read as intake's commands: which column
holds which field, and each row as the start and, when it has an end, the stop it
registers, and a follow-up after that stop when it has one (`followup_*` columns),
checked by the models and rules that check the API's and the forms' commands.
Pure: the entry point reads the file, the service layer stores the rows.

The columns are the API's field names (the stop's `vas` is `vas_end`) or their Swedish
names, in any case, with spaces or hyphens for underscores. An empty cell is a question
left unanswered. A cell that does not convert (a letter in a number) is passed on as
written, so that the model refuses it and the error report says why, as the forms do.
"""

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from services.intake.domain import rules
from services.intake.domain.errors import CommandRefused, InvalidField, NotFound
from services.intake.domain.fields import FIELDS, Kind, kind_of
from services.intake.domain.model import Insats, Participant
from shared.contract.events import (
    FollowupDetails,
    ParticipantEvent,
    ParticipantStarted,
    ParticipantStopped,
    StartDetails,
    StopDetails,
)
from shared.contract.swedish_time import today
from shared.contract.typed_numbers import typed_decimal, typed_integer

Cell = str | int | float | bool | date | datetime | time | None
"""A cell as read: typed in XLSX (numbers, dates, booleans), text in CSV."""

INSATS = "insats"
START_COLUMNS = {name: name for name in StartDetails.model_fields}
"""Column → field of `StartDetails`."""
STOP_COLUMNS = {("vas_end" if name == "vas" else name): name for name in StopDetails.model_fields}
"""Column → field of `StopDetails` (its VAS is the one at the end)."""
FOLLOWUP_COLUMNS = {f"followup_{name}": name for name in FollowupDetails.model_fields}
"""Column → field of `FollowupDetails` (one follow-up after the row's stop)."""
COLUMNS = (INSATS, *START_COLUMNS, *STOP_COLUMNS, *FOLLOWUP_COLUMNS)
REQUIRED = (INSATS, "start_date", "gender")
"""Without these columns no row can be imported."""
_FIELD_OF = (
    {column: (StartDetails, name) for column, name in START_COLUMNS.items()}
    | {column: (StopDetails, name) for column, name in STOP_COLUMNS.items()}
    | {column: (FollowupDetails, name) for column, name in FOLLOWUP_COLUMNS.items()}
)
"""The model and field of each column but the insats."""
_YES_NO = {"ja": True, "nej": False, "true": True, "false": False, "1": True, "0": False}

_SEPARATOR = re.compile(r"[\s-]+")
_LIST_ITEM = re.compile(r"[;,]")


def _normalised(header: str) -> str:
    # NFC: a header's å may arrive as "a" and a combining ring.
    return _SEPARATOR.sub("_", unicodedata.normalize("NFC", header).lower())


SWEDISH_NAMES = {
    _normalised(FIELDS[model][name].column or FIELDS[model][name].label): column
    for column, (model, name) in _FIELD_OF.items()
}
"""Each column by its Swedish name (`domain.fields`)."""
_NAMES = {name: name for name in COLUMNS} | SWEDISH_NAMES

CHECKED_CODE = "0000-0000"
"""Stands in for the participant's code while a row is checked: the code is drawn when the
row is stored."""


@dataclass(frozen=True)
class SheetRow:
    number: int
    """As the spreadsheet shows it: the header is row 1."""
    cells: Sequence[Cell]

    @property
    def blank(self) -> bool:
        """No cell holds anything (spreadsheets end in such rows)."""
        return all(_blank(cell) for cell in self.cells)


class SheetProblemKind(StrEnum):
    UNKNOWN = "unknown"
    """A header that names no column (a typo must not silently drop data). The problem
    names the column by its letter, never by the header: that is anyone's text, a name or
    a personnummer as likely as a typo."""
    REPEATED = "repeated"
    """A second column for the same field."""
    MISSING = "missing"
    """A column no row can do without."""
    UNNAMED = "unnamed"
    """Values in a column without a header."""
    NO_ROWS = "no_rows"


@dataclass(frozen=True)
class SheetProblem:
    kind: SheetProblemKind
    column: str = ""
    """The header as written (it names a known column); for a missing column its name, for
    an unknown or unnamed one its letter."""


class SheetRefused(CommandRefused):
    """The sheet as a whole cannot be imported; its rows were not checked."""

    def __init__(self, problems: list[SheetProblem]) -> None:
        super().__init__(", ".join(f"{p.kind}: {p.column}" for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Columns:
    """Where each column of the sheet is, and its header as written there."""

    positions: Mapping[str, int]
    headers: Mapping[str, str]

    def header(self, column: str) -> str:
        return self.headers.get(column, column)

    def cells(self, row: SheetRow) -> dict[str, Cell]:
        """The row's filled cells by column."""
        return {
            column: row.cells[position]
            for column, position in self.positions.items()
            if position < len(row.cells) and not _blank(row.cells[position])
        }


def read_columns(header: Sequence[Cell], rows: Sequence[SheetRow]) -> Columns:
    """The sheet's columns from its header row; raises `SheetRefused` with every problem."""
    problems: list[SheetProblem] = []
    positions: dict[str, int] = {}
    headers: dict[str, str] = {}
    unnamed: list[int] = []
    for position, cell in enumerate(header):
        written = "" if _blank(cell) else str(cell).strip()
        column = _NAMES.get(_normalised(written))
        if not written:
            unnamed.append(position)
        elif column is None:
            problems.append(SheetProblem(SheetProblemKind.UNKNOWN, column_letter(position)))
        elif column in positions:
            problems.append(SheetProblem(SheetProblemKind.REPEATED, written))
        else:
            positions[column] = position
            headers[column] = written
    width = max((len(row.cells) for row in rows), default=0)
    unnamed += range(len(header), width)
    problems += [
        SheetProblem(SheetProblemKind.UNNAMED, column_letter(position))
        for position in unnamed
        if any(position < len(row.cells) and not _blank(row.cells[position]) for row in rows)
    ]
    problems += [
        SheetProblem(SheetProblemKind.MISSING, column)
        for column in REQUIRED
        if column not in positions
    ]
    if not any(not row.blank for row in rows):
        problems.append(SheetProblem(SheetProblemKind.NO_ROWS))
    if problems:
        raise SheetRefused(problems)
    return Columns(positions, headers)


def column_letter(position: int) -> str:
    """The spreadsheet's name of the column at `position` (0: A, 26: AA)."""
    letters = ""
    position += 1
    while position:
        position, remainder = divmod(position - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


class Part(StrEnum):
    """What of a row a refusal concerns."""

    INSATS = "insats"
    START = "start"
    STOP = "stop"
    FOLLOWUP = "followup"


def field_of(column: str) -> tuple[type[BaseModel], str] | None:
    """The model and field of the column (None for the insats)."""
    return _FIELD_OF.get(column)


def column_of(part: Part, field: str) -> str:
    """The column of a field of the part's model (as the refusal names it)."""
    if part is Part.STOP:
        return next(column for column, name in STOP_COLUMNS.items() if name == field)
    if part is Part.FOLLOWUP:
        return next(column for column, name in FOLLOWUP_COLUMNS.items() if name == field)
    return field


@dataclass(frozen=True)
class ParticipantRow:
    """A row that registers a participant: its start and, when it has ended, its stop."""

    number: int
    insats_id: str
    start: StartDetails
    stop: StopDetails | None
    followup: FollowupDetails | None = None


Refusal = tuple[Part, ValidationError | CommandRefused]
"""The model's or the rules' refusal of a part of a row."""


class RowRefused(CommandRefused):
    """The row cannot be imported: each refusal of it."""

    def __init__(
        self,
        number: int,
        refusals: list[Refusal],
        start_date: date | None,
        end_date: date | None = None,
    ) -> None:
        super().__init__(f"row {number}: " + "; ".join(str(e) for _, e in refusals))
        self.number = number
        self.refusals = refusals
        self.start_date = start_date
        """The row's start, when valid (the stop's date is checked against it)."""
        self.end_date = end_date
        """The row's end, when valid (the follow-up's date is checked against it)."""


def check_row(columns: Columns, row: SheetRow, insatser: Mapping[str, Insats]) -> ParticipantRow:
    """The row's participant, checked as the API would check its start and stop in the
    insats (one of `insatser`); raises `RowRefused` with every refusal of the row."""
    cells = {column: _converted(column, cell) for column, cell in columns.cells(row).items()}
    refusals: list[Refusal] = []
    insats_id = str(cells.get(INSATS, ""))
    insats = insatser.get(insats_id)
    if not insats_id:
        refusals.append((Part.INSATS, InvalidField(INSATS, "required")))
    elif insats is None:
        refusals.append((Part.INSATS, NotFound(f"no insats {insats_id}")))
    start = _details(StartDetails, START_COLUMNS, cells, Part.START, refusals)
    stop = None
    if any(column in cells for column in STOP_COLUMNS):
        stop = _details(StopDetails, STOP_COLUMNS, cells, Part.STOP, refusals)
    if insats is not None and start is not None:
        try:
            rules.start_participant(insats, CHECKED_CODE, start)
            if stop is not None:
                started = Participant(CHECKED_CODE, insats_id, start.start_date)
                rules.stop_participant(started, stop)
        except InvalidField as refusal:  # the only field the rules check: the stop's date
            refusals.append((Part.STOP, refusal))
        except CommandRefused as refusal:  # the insats registers volumes, not participants
            refusals.append((Part.INSATS, refusal))
    followup = None
    if any(column in cells for column in FOLLOWUP_COLUMNS):
        followup = _details(FollowupDetails, FOLLOWUP_COLUMNS, cells, Part.FOLLOWUP, refusals)
    if followup is not None and start is not None:
        _check_followup(insats_id, start, stop, followup, refusals)
    if refusals:  # among them the model's, whenever the start or the stop is None
        raise RowRefused(
            row.number,
            refusals,
            start.start_date if start else None,
            stop.end_date if stop else None,
        )
    assert start is not None  # else the model refused it, among the refusals
    return ParticipantRow(row.number, insats_id, start, stop, followup)


def _check_followup(
    insats_id: str,
    start: StartDetails,
    stop: StopDetails | None,
    followup: FollowupDetails,
    refusals: list[Refusal],
) -> None:
    """The follow-up as the API would check it after the row's start and stop."""
    if stop is None:
        refusals.append((Part.FOLLOWUP, InvalidField("date", "a follow-up needs an end")))
        return
    code = {"insats_id": insats_id, "participant_id": CHECKED_CODE}
    history: list[ParticipantEvent] = [
        ParticipantStarted(**code, **start.model_dump()),
        ParticipantStopped(**code, **stop.model_dump()),
    ]
    participant = Participant(CHECKED_CODE, insats_id, start.start_date, stop.end_date)
    try:
        rules.follow_up(participant, history, followup, today())
    except InvalidField as refusal:
        refusals.append((Part.FOLLOWUP, refusal))


Details = TypeVar("Details", StartDetails, StopDetails, FollowupDetails)


def _details(
    model: type[Details],
    columns: Mapping[str, str],
    cells: Mapping[str, object],
    part: Part,
    refusals: list[Refusal],
) -> Details | None:
    payload = {field: cells[column] for column, field in columns.items() if column in cells}
    try:
        return model.model_validate(payload)
    except ValidationError as error:
        refusals.append((part, error))
        return None


def _converted(column: str, cell: Cell) -> object:
    """The cell as the column's field takes it (or as written, for the model to refuse).
    The code lists are lower case; a capital typed in a sheet is no mistake."""
    if isinstance(cell, str):
        cell = cell.strip()
    kind = kind_of(*_FIELD_OF[column]) if column in _FIELD_OF else Kind.CODE  # the insats
    if kind is Kind.DATE:
        return _date(cell)
    if kind is Kind.INTEGER:
        return _integer(cell)
    if kind is Kind.DECIMAL:
        return _decimal(cell)
    if kind is Kind.YES_NO:
        return _YES_NO.get(_text(cell).lower(), cell)
    if kind is Kind.CODES:
        return [item.strip().lower() for item in _LIST_ITEM.split(_text(cell)) if item.strip()]
    if kind is Kind.CODE:
        return _text(cell).lower()
    return _text(cell)


def _date(cell: Cell) -> object:
    # An XLSX date cell is read as a datetime at midnight.
    if isinstance(cell, datetime) and cell.time() == time():
        return cell.date()
    return cell


def _integer(cell: Cell) -> object:
    if isinstance(cell, float) and cell.is_integer():
        return int(cell)  # XLSX stores numbers as floats
    if isinstance(cell, str):
        return typed_integer(cell)
    return cell


def _decimal(cell: Cell) -> object:
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return float(cell)
    if isinstance(cell, str):
        return typed_decimal(cell)
    return cell


def _text(cell: Cell) -> str:
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)  # a number typed in a text column, such as a personnummer
    return str(cell)


def _blank(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())
