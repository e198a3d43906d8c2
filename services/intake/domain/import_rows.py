"""A spreadsheet to import (`stegvis import`) read as intake's commands: which kind of rows
it holds (`KINDS`: participants, activities), which column holds which field, and each row
as what it registers (a participant's start, and its stop and a follow-up after it when the
row has them; or an activity), checked by the models and rules that check the API's and the forms'
commands. Pure: the entry point reads the file, the service layer stores the rows.

The columns are the API's field names (a field of a part, `participants.kvinna`, as
`participants_kvinna`; the stop's `vas` is `vas_end`) or their Swedish names
(`domain.fields`), in any case, with spaces, hyphens or dots for underscores. The header
row tells the kind: the one whose columns it names most (participants, on a tie). An empty
cell is a question left unanswered. A cell that does not convert (a letter in a number) is
passed on as written, so that the model refuses it and the error report says why, as the
forms do.
"""

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum
from functools import cached_property
from typing import Any

from pydantic import BaseModel, ValidationError

from services.intake.domain import rules
from services.intake.domain.errors import CommandRefused, InvalidField, NotFound
from services.intake.domain.fields import FIELDS, PART, Kind, kind_of, part_of
from services.intake.domain.model import Insats, Participant
from shared.contract.codes import Registration
from shared.contract.events import (
    ActivityDetails,
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
"""Every kind's first column: the insats a row registers in."""
_YES_NO = {"ja": True, "nej": False, "true": True, "false": False, "1": True, "0": False}

_SEPARATOR = re.compile(r"[\s.-]+")
_LIST_ITEM = re.compile(r"[;,]")


def _normalised(header: str) -> str:
    # NFC: a header's å may arrive as "a" and a combining ring.
    return _SEPARATOR.sub("_", unicodedata.normalize("NFC", header).lower())


class Part(StrEnum):
    """What of a row a refusal concerns: the insats, or the model a section fills."""

    INSATS = "insats"
    START = "start"
    STOP = "stop"
    FOLLOWUP = "followup"
    ACTIVITY = "activity"


@dataclass(frozen=True)
class Section:
    """The columns of a row that fill one model: a column for each of its fields as
    `domain.fields` declares them (a part's field `participants.kvinna` too)."""

    part: Part
    model: type[BaseModel]
    renamed: Mapping[str, str] = field(default_factory=dict)
    """Field → its column, where the field's name would be another section's column."""
    optional: bool = False
    """Filled only when one of its cells is (a participant's stop, its follow-up)."""

    @cached_property
    def columns(self) -> dict[str, str]:
        """Column → field (`field.part` for a field of a part)."""
        return {
            self.renamed.get(name, name.replace(PART, "_")): name for name in FIELDS[self.model]
        }

    def required(self) -> list[str]:
        """The columns of the fields the model cannot do without (those of a part it
        requires that its part requires)."""
        return [
            column
            for column, name in self.columns.items()
            if all(_is_required(model, f) for model, f in _path(self.model, name))
        ]


def _path(model: type[BaseModel], name: str) -> list[tuple[type[BaseModel], str]]:
    """The field and, for a field of a part, the part's field in its model."""
    outer, _, part = name.partition(PART)
    return [(model, outer), part_of(model, name)] if part else [(model, name)]


def _is_required(model: type[BaseModel], name: str) -> bool:
    return model.model_fields[name].is_required()


Details = Mapping[Part, BaseModel]
"""A row's sections' models, each as checked."""
Refusal = tuple[Part, ValidationError | CommandRefused]
"""The model's or the rules' refusal of a part of a row."""


@dataclass(frozen=True)
class ParticipantRow:
    """A row that registers a participant: its start and, when it has ended, its stop and
    a follow-up after it."""

    number: int
    insats_id: str
    start: StartDetails
    stop: StopDetails | None
    followup: FollowupDetails | None = None


@dataclass(frozen=True)
class ActivityRow:
    """A row that registers an activity of a structural insats."""

    number: int
    insats_id: str
    activity: ActivityDetails


ImportRow = ParticipantRow | ActivityRow


@dataclass(frozen=True)
class RowKind:
    """What a sheet's rows register: the sections each row fills beside its insats, the
    rules its command checks, and the row it makes."""

    name: str
    sections: tuple[Section, ...]
    registration: Registration
    """The insatser its rows may name register so."""
    rules: Callable[[Insats, Details], list[Refusal]]
    """The refusals of the domain's rules, as the command would run them in the insats."""
    row: Callable[[int, str, Details], ImportRow]

    @cached_property
    def columns(self) -> tuple[str, ...]:
        return (INSATS, *(column for s in self.sections for column in s.columns))

    @cached_property
    def required(self) -> tuple[str, ...]:
        """Without these columns no row can be imported."""
        return (INSATS, *(c for s in self.sections if not s.optional for c in s.required()))

    @cached_property
    def swedish_names(self) -> dict[str, str]:
        """Each column but the insats by its Swedish name (`domain.fields`), normalised."""
        names = {}
        for section in self.sections:
            for column, name in section.columns.items():
                asked = FIELDS[section.model][name]
                names[_normalised(asked.column or asked.label)] = column
        return names

    def column(self, header: str) -> str | None:
        """The column a header names, in the API's words or in Swedish."""
        written = _normalised(header)
        return written if written in self.columns else self.swedish_names.get(written)

    def field_of(self, column: str) -> tuple[type[BaseModel], str] | None:
        """The model that declares the column's field, and the field's name there (None
        for the insats)."""
        return next(
            (
                part_of(section.model, section.columns[column])
                for section in self.sections
                if column in section.columns
            ),
            None,
        )

    def column_of(self, part: Part, field: str) -> str:
        """The column of a field of the part's model (`field.part` for a part's field), as
        a refusal names it."""
        section = next((s for s in self.sections if s.part is part), None)
        columns = section.columns if section else {}
        return next((column for column, name in columns.items() if name == field), field)


CHECKED_CODE = "0000-0000"
"""Stands in for the participant's code while a row is checked: the code is drawn when the
row is stored."""


def _participant_rules(insats: Insats, details: Details) -> list[Refusal]:
    start, stop = details[Part.START], details.get(Part.STOP)
    assert isinstance(start, StartDetails) and isinstance(stop, StopDetails | None)
    try:
        rules.start_participant(insats, CHECKED_CODE, start)
        if stop is not None:
            started = Participant(CHECKED_CODE, insats.insats_id, start.start_date)
            rules.stop_participant(started, stop)
    except InvalidField as refusal:  # the only field the rules check: the stop's date
        return [(Part.STOP, refusal)]
    except CommandRefused as refusal:  # the insats does not register participants
        return [(Part.INSATS, refusal)]
    followup = details.get(Part.FOLLOWUP)
    assert isinstance(followup, FollowupDetails | None)
    if followup is not None:
        return _followup_refusals(insats.insats_id, start, stop, followup)
    return []


def _followup_refusals(
    insats_id: str, start: StartDetails, stop: StopDetails | None, followup: FollowupDetails
) -> list[Refusal]:
    """The follow-up as the API would check it after the row's start and stop."""
    if stop is None:
        return [(Part.FOLLOWUP, InvalidField("date", "a follow-up needs an end"))]
    code = {"insats_id": insats_id, "participant_id": CHECKED_CODE}
    history: list[ParticipantEvent] = [
        ParticipantStarted(**code, **start.model_dump()),
        ParticipantStopped(**code, **stop.model_dump()),
    ]
    participant = Participant(CHECKED_CODE, insats_id, start.start_date, stop.end_date)
    try:
        rules.follow_up(participant, history, followup, today())
    except InvalidField as refusal:
        return [(Part.FOLLOWUP, refusal)]
    return []


def _participant_row(number: int, insats_id: str, details: Details) -> ParticipantRow:
    start, stop = details[Part.START], details.get(Part.STOP)
    followup = details.get(Part.FOLLOWUP)
    assert isinstance(start, StartDetails) and isinstance(stop, StopDetails | None)
    assert isinstance(followup, FollowupDetails | None)
    return ParticipantRow(number, insats_id, start, stop, followup)


def _activity_rules(insats: Insats, details: Details) -> list[Refusal]:
    activity = details[Part.ACTIVITY]
    assert isinstance(activity, ActivityDetails)
    try:
        rules.register_activity(insats, activity)
    except CommandRefused as refusal:  # the insats is not a structural one
        return [(Part.INSATS, refusal)]
    return []


def _activity_row(number: int, insats_id: str, details: Details) -> ActivityRow:
    activity = details[Part.ACTIVITY]
    assert isinstance(activity, ActivityDetails)
    return ActivityRow(number, insats_id, activity)


PARTICIPANTS = RowKind(
    "participants",
    (
        Section(Part.START, StartDetails),
        Section(Part.STOP, StopDetails, renamed={"vas": "vas_end"}, optional=True),
        Section(
            Part.FOLLOWUP,
            FollowupDetails,
            renamed={name: f"followup_{name}" for name in FollowupDetails.model_fields},
            optional=True,
        ),
    ),
    Registration.INDIVID,
    _participant_rules,
    _participant_row,
)
ACTIVITIES = RowKind(
    "activities",
    (Section(Part.ACTIVITY, ActivityDetails),),
    Registration.STRUKTUR,
    _activity_rules,
    _activity_row,
)
KINDS = (PARTICIPANTS, ACTIVITIES)
"""The kinds of sheet; on a tie of the header, the first."""


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

    def __init__(self, problems: list[SheetProblem], kind: RowKind) -> None:
        super().__init__(", ".join(f"{p.kind}: {p.column}" for p in problems))
        self.problems = problems
        self.kind = kind
        """The kind its header names most."""


@dataclass(frozen=True)
class Columns:
    """The sheet's kind, where each of its columns is, and its header as written there."""

    kind: RowKind
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
    """The sheet's kind and columns from its header row; raises `SheetRefused` with every
    problem."""
    written = ["" if _blank(cell) else str(cell).strip() for cell in header]
    kind = max(KINDS, key=lambda kind: sum(kind.column(h) is not None for h in written if h))
    problems: list[SheetProblem] = []
    positions: dict[str, int] = {}
    headers: dict[str, str] = {}
    unnamed: list[int] = []
    for position, text in enumerate(written):
        column = kind.column(text)
        if not text:
            unnamed.append(position)
        elif column is None:
            problems.append(SheetProblem(SheetProblemKind.UNKNOWN, column_letter(position)))
        elif column in positions:
            problems.append(SheetProblem(SheetProblemKind.REPEATED, text))
        else:
            positions[column] = position
            headers[column] = text
    width = max((len(row.cells) for row in rows), default=0)
    unnamed += range(len(header), width)
    problems += [
        SheetProblem(SheetProblemKind.UNNAMED, column_letter(position))
        for position in unnamed
        if any(position < len(row.cells) and not _blank(row.cells[position]) for row in rows)
    ]
    problems += [
        SheetProblem(SheetProblemKind.MISSING, column)
        for column in kind.required
        if column not in positions
    ]
    if not any(not row.blank for row in rows):
        problems.append(SheetProblem(SheetProblemKind.NO_ROWS))
    if problems:
        raise SheetRefused(problems, kind)
    return Columns(kind, positions, headers)


def column_letter(position: int) -> str:
    """The spreadsheet's name of the column at `position` (0: A, 26: AA)."""
    letters = ""
    position += 1
    while position:
        position, remainder = divmod(position - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


class RowRefused(CommandRefused):
    """The row cannot be imported: each refusal of it."""

    def __init__(
        self,
        number: int,
        refusals: list[Refusal],
        insats_id: str,
        start_date: date | None,
        end_date: date | None = None,
    ) -> None:
        super().__init__(f"row {number}: " + "; ".join(str(e) for _, e in refusals))
        self.number = number
        self.refusals = refusals
        self.insats_id = insats_id
        self.start_date = start_date
        """The row's start, when valid (the stop's date is checked against it)."""
        self.end_date = end_date
        """The row's end, when valid (the follow-up's date is checked against it)."""


def check_row(columns: Columns, row: SheetRow, insatser: Mapping[str, Insats]) -> ImportRow:
    """The row as its kind registers it, checked as the API would check its commands in
    the insats (one of `insatser`); raises `RowRefused` with every refusal of the row."""
    kind = columns.kind
    cells = {
        column: _converted(kind.field_of(column), cell)
        for column, cell in columns.cells(row).items()
    }
    refusals: list[Refusal] = []
    insats_id = str(cells.get(INSATS, ""))
    insats = insatser.get(insats_id)
    if not insats_id:
        refusals.append((Part.INSATS, InvalidField(INSATS, "required")))
    elif insats is None:
        refusals.append((Part.INSATS, NotFound(f"no insats {insats_id}")))
    details: dict[Part, BaseModel] = {}
    for section in kind.sections:
        if not section.optional or any(column in cells for column in section.columns):
            try:
                details[section.part] = section.model.model_validate(_payload(section, cells))
            except ValidationError as error:
                refusals.append((section.part, error))
    if insats is not None and all(s.part in details for s in kind.sections if not s.optional):
        refusals += kind.rules(insats, details)  # an optional section refused is left out
    if refusals:
        start = details.get(Part.START)
        start_date = start.start_date if isinstance(start, StartDetails) else None
        stop = details.get(Part.STOP)
        end_date = stop.end_date if isinstance(stop, StopDetails) else None
        raise RowRefused(row.number, refusals, insats_id, start_date, end_date)
    return kind.row(row.number, insats_id, details)


def _payload(section: Section, cells: Mapping[str, object]) -> dict[str, Any]:
    """The section's cells as its model's input: a part's fields nested under the part."""
    payload: dict[str, Any] = {}
    for column, name in section.columns.items():
        outer, _, part = name.partition(PART)
        if part and _is_required(section.model, outer):
            # Given even when none of its cells is, so that each of its columns says why
            # (as the forms do).
            payload.setdefault(outer, {})
        if column in cells and part:
            payload.setdefault(outer, {})[part] = cells[column]
        elif column in cells:
            payload[name] = cells[column]
    return payload


def _converted(field: tuple[type[BaseModel], str] | None, cell: Cell) -> object:
    """The cell as the column's `field` takes it (or as written, for the model to refuse).
    The code lists are lower case; a capital typed in a sheet is no mistake."""
    if isinstance(cell, str):
        cell = cell.strip()
    kind = Kind.CODE if field is None else kind_of(*field)  # None: the insats
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
