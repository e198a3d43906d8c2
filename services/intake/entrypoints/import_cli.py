"""`stegvis import FILE.xlsx|csv`: a förbund's spreadsheet of participants or of activities
(its header tells which: `domain.import_rows`) into intake, all rows or none, once per file.

It reads the file, shows its progress on stderr, and writes next to the file either the
participants' codes (`FILE.koder.csv`: rad, insats, participant_id; activities get none)
or the error report (`FILE.fel.csv`: rad, kolumn, fel, in the forms' Swedish). It opens
intake's database itself, as `stegvis rebuild` does, so it works whether intake runs or
not: intake's relay publishes the stored events from the outbox whenever it runs.
"""

import csv
import hashlib
import io
import sys
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import ClassVar, TextIO

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from pydantic import ValidationError

from services.intake.adapters.tables import REVISIONS_DIR, SERVICE
from services.intake.adapters.unit_of_work import SqlUnitOfWork
from services.intake.domain.errors import CommandRefused, InvalidField, NotFound
from services.intake.domain.fields import Kind, code_list, kind_of
from services.intake.domain.import_rows import (
    ACTIVITIES,
    PARTICIPANTS,
    Cell,
    Columns,
    Part,
    RowKind,
    RowRefused,
    SheetProblem,
    SheetProblemKind,
    SheetRefused,
    SheetRow,
)
from services.intake.entrypoints.form_errors import refused_field, validation_errors
from services.intake.service_layer.imports import (
    AlreadyImported,
    Imported,
    Phase,
    RowsRefused,
    Sheet,
    import_sheet,
)
from shared.contract.access import COMMAND_LINE
from shared.contract.codes import Registration
from shared.platform.safe_csv import write_rows
from shared.platform.service import migrated_sessions
from shared.platform.settings import Settings

EXIT_IMPORTED, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2
SHOWN_ERRORS = 50
"""Printed of a refusal's errors; the error report holds them all."""

ErrorLine = tuple[int, str, str]
"""Row, column (its header as written), reason."""

_YES_NO_HINT = "Ej besvarat: lämna cellen tom."
_REPORTED = "Rapporterna tar med dem så snart Stegvis körs."


@dataclass(frozen=True)
class _Said:
    """How the messages speak of a kind of sheet's rows."""

    one: str
    many: str
    examples: str
    """Swedish columns that tell the kind, for the message of an unknown column."""

    def count(self, rows: int) -> str:
        return f"{rows} {self.one if rows == 1 else self.many}"


_SAID = {
    PARTICIPANTS.name: _Said("deltagare", "deltagare", "startdatum, kön och slutdatum"),
    ACTIVITIES.name: _Said("aktivitet", "aktiviteter", "datum, aktivitet och deltagare kvinnor"),
}
_SHEET_PROBLEMS = {
    SheetProblemKind.UNKNOWN: (
        "Okänd kolumn: rätta rubriken eller ta bort kolumnen (Stegvis sparar aldrig namn "
        "eller personnummer). Kolumnerna heter {columns} eller som på svenska, till exempel "
        "{examples}."
    ),
    SheetProblemKind.REPEATED: "Kolumnen finns två gånger (kanske under ett annat namn).",
    SheetProblemKind.MISSING: "Kolumnen saknas: den behövs för varje {one}.",
    SheetProblemKind.UNNAMED: "Kolumnen har värden men ingen rubrik: ge den en rubrik.",
    SheetProblemKind.NO_ROWS: "Filen har inga {many}.",
}
_INSATS = {
    Registration.INDIVID: ("individinsats", "deltagare", "individinsatser"),
    Registration.VOLYM: ("volyminsats", "bara antal", "volyminsatser"),
    Registration.STRUKTUR: ("strukturinsats", "aktiviteter", "strukturinsatser"),
}
"""Each kind of insats: its name, what it registers, and its name in the plural."""


class UnreadableFile(Exception):
    """The file is not what its extension says; the message says what to do (Swedish)."""


async def run_import(
    settings: Settings, path: Path, out: TextIO = sys.stdout, err: TextIO = sys.stderr
) -> int:
    """Import the file into intake's database; returns the exit code."""
    read = _READERS.get(path.suffix.lower())
    if not path.is_file() or read is None:
        problem = "finns inte" if not path.is_file() else "är varken .xlsx eller .csv"
        print(f"{path} {problem}: stegvis import FIL.xlsx eller FIL.csv", file=err)
        return EXIT_USAGE
    data = path.read_bytes()
    try:
        header, rows = read(data)
    except UnreadableFile as error:
        print(f"{path}: {error} Ingenting importerades.", file=err)
        return EXIT_REFUSED
    sheet = Sheet(path.name, hashlib.sha256(data).hexdigest(), header, rows)
    async with migrated_sessions(settings, SERVICE, REVISIONS_DIR) as sessions:
        new_uow = partial(SqlUnitOfWork, sessions, _no_relay)
        try:
            imported = await import_sheet(new_uow, sheet, COMMAND_LINE, ProgressBar(err))
        except (SheetRefused, RowsRefused) as refusal:
            _report_errors(path, _error_lines(refusal), err)
            return EXIT_REFUSED
        except AlreadyImported as refusal:
            _report_already_imported(path, refusal.earlier, err)
            return EXIT_REFUSED
        except CommandRefused as refusal:  # the stored state changed since the rows' check
            print(f"Ingenting importerades: {refusal}. Försök igen.", file=err)
            return EXIT_REFUSED
    said = _SAID[imported.kind]
    print(f"{said.count(imported.rows)} importerades från {path.name}.", file=out)
    if not imported.participants:  # activities: no codes to keep
        print(_REPORTED, file=out)
        return EXIT_IMPORTED
    try:
        codes = _write_codes(_free(path, ".koder.csv"), imported)
    except OSError as error:
        print(
            f"Kodfilen kunde inte skrivas ({error}). Kör samma kommando igen när det går att "
            "skriva där: då skrivs koderna, och ingenting importeras två gånger.",
            file=err,
        )
        return EXIT_IMPORTED
    print(f"Deltagarnas koder (rad, insats, participant_id): {codes}", file=out)
    print(_REPORTED, file=out)
    return EXIT_IMPORTED


def _no_relay() -> None:
    """No relay runs here to be woken: intake's, whenever it runs, finds the outbox rows."""


class ProgressBar:
    """Each phase's progress on stderr, as `stegvis rebuild --wait` shows it: redrawn in
    place on a terminal; elsewhere (a log, a pipe) only as it begins and ends."""

    WIDTH = 40
    LABELS: ClassVar[dict[Phase, str]] = {Phase.CHECK: "Kontrollerar", Phase.WRITE: "Sparar"}

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._live = stream.isatty()
        self._percent = -1

    def __call__(self, phase: Phase, done: int, total: int) -> None:
        if done == 0:
            print(f"{self.LABELS[phase]} {_rows(total)} …", file=self._stream, flush=True)
        percent = 100 * done // max(total, 1)
        if done == total or (self._live and percent != self._percent):
            bar = "#" * (self.WIDTH * done // max(total, 1))
            start = "\r" if self._live else ""  # back to the line's start, to redraw it
            end = "\n" if done == total else ""
            print(
                f"{start}[{bar:<{self.WIDTH}}] {done}/{total}",
                end=end,
                file=self._stream,
                flush=True,
            )
        self._percent = percent


def _rows(count: int) -> str:
    return f"{count} {'rad' if count == 1 else 'rader'}"


def _read_csv(data: bytes) -> tuple[list[Cell], list[SheetRow]]:
    try:
        text = data.decode("utf-8-sig")  # Excel's "CSV UTF-8" begins with a BOM
    except UnicodeDecodeError:
        raise UnreadableFile(
            "Filen är inte sparad som UTF-8. Spara den i Excel som "
            "”CSV UTF-8 (kommaavgränsad)” och försök igen."
        ) from None
    first_line = text.partition("\n")[0]
    # Swedish Excel separates with semicolons (the decimal comma takes the comma).
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    records = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[Cell] = list(next(records, []))
    return header, [SheetRow(number, cells) for number, cells in enumerate(records, 2)]


def _read_xlsx(data: bytes) -> tuple[list[Cell], list[SheetRow]]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        raise UnreadableFile("Filen går inte att läsa som en Excel-fil (.xlsx).") from None
    read: list[list[Cell]] = []
    try:
        worksheet = workbook.worksheets[0]
        worksheet.reset_dimensions()  # some programs write a wrong size: read every cell
        records = worksheet.iter_rows(values_only=True)  # empty rows too, so rows number right
        read.extend(list(cells) for cells in records)
    except ValueError:  # openpyxl converts a number cell, and Python no more than 4,300 digits
        raise UnreadableFile(
            f"Rad {len(read) + 1} har ett tal med fler siffror än något fält tar: rätta cellen."
        ) from None
    finally:
        workbook.close()
    header = read[0] if read else []
    return header, [SheetRow(number, cells) for number, cells in enumerate(read[1:], 2)]


_READERS: dict[str, Callable[[bytes], tuple[list[Cell], list[SheetRow]]]] = {
    ".csv": _read_csv,
    ".xlsx": _read_xlsx,
}


def _error_lines(refusal: SheetRefused | RowsRefused) -> list[ErrorLine]:
    if isinstance(refusal, SheetRefused):
        return [_sheet_problem(problem, refusal.kind) for problem in refusal.problems]
    return [
        line
        for refused in refusal.refused
        for line in _row_errors(refused, refusal.columns, refusal.insatser)
    ]


def _sheet_problem(problem: SheetProblem, kind: RowKind) -> ErrorLine:
    said = _SAID[kind.name]
    message = _SHEET_PROBLEMS[problem.kind].format(
        columns=", ".join(kind.columns), examples=said.examples, one=said.one, many=said.many
    )
    if problem.kind is SheetProblemKind.NO_ROWS:
        return 2, "", message
    if problem.kind in (SheetProblemKind.UNKNOWN, SheetProblemKind.UNNAMED):
        return 1, f"kolumn {problem.column}", message
    swedish = {column: name for name, column in kind.swedish_names.items()}
    if problem.kind is SheetProblemKind.MISSING and problem.column in swedish:
        message += f" På svenska heter den {swedish[problem.column]}."
    return 1, problem.column, message


def _row_errors(
    refused: RowRefused, columns: Columns, insatser: Mapping[str, Registration]
) -> list[ErrorLine]:
    kind = columns.kind
    messages: dict[str, str] = {}
    for part, error in refused.refusals:
        if isinstance(error, ValidationError):  # a model's: never the insats's
            for field, message in validation_errors(error).items():
                messages[kind.column_of(part, field)] = message
        elif part is Part.INSATS:
            messages["insats"] = _insats_message(error, kind, insatser.get(refused.insats_id))
            messages["insats"] += _insatser_of(kind, insatser)
        elif isinstance(error, InvalidField):
            end = refused.end_date if part is Part.FOLLOWUP else None
            for field, message in refused_field(error, refused.start_date, end).items():
                messages[kind.column_of(part, field)] = message
    order = sorted(messages, key=lambda column: columns.positions.get(column, len(kind.columns)))
    return [
        (refused.number, columns.header(column), _with_hint(kind, column, messages[column]))
        for column in order
    ]


def _insats_message(error: CommandRefused, kind: RowKind, named: Registration | None) -> str:
    if isinstance(error, InvalidField):
        return "Ange insatsens kod, som i Stegvis."
    if isinstance(error, NotFound) or named is None:
        return "Det finns ingen insats med den koden."
    name, registers, _ = _INSATS[named]
    return f"Insatsen är en {name}: där registreras {registers}, inga {_SAID[kind.name].many}."


def _insatser_of(kind: RowKind, insatser: Mapping[str, Registration]) -> str:
    """The insatser the kind's rows may name, to choose from."""
    chosen = sorted(i for i, registration in insatser.items() if registration is kind.registration)
    _, _, plural = _INSATS[kind.registration]
    if not chosen:
        return f" Inga {plural} finns ännu: lägg upp dem först."
    return f" {plural.capitalize()}: {', '.join(chosen)}."


def _with_hint(kind: RowKind, column: str, message: str) -> str:
    """The forms' message and what a spreadsheet, having no choices to pick, must say."""
    if (field := kind.field_of(column)) is None:
        return message
    if kind_of(*field) is Kind.YES_NO:
        return f"{message} {_YES_NO_HINT}"
    if (codes := code_list(*field)) is None:
        return message
    several = " (flera skiljs med komma)" if kind_of(*field) is Kind.CODES else ""
    return f"{message} Koder{several}: {', '.join(codes)}."


def _report_errors(path: Path, lines: list[ErrorLine], err: TextIO) -> None:
    rows = len({row for row, _, _ in lines})
    print(
        f"Ingenting importerades: {len(lines)} fel på {_rows(rows)} i {path.name}.",
        file=err,
    )
    for row, column, message in lines[:SHOWN_ERRORS]:
        print(f"Rad {row}, {column or '–'}: {message}", file=err)
    if len(lines) > SHOWN_ERRORS:
        print(f"… och {len(lines) - SHOWN_ERRORS} fel till.", file=err)
    report = path.with_suffix(".fel.csv")
    try:
        _write_csv(report, ("rad", "kolumn", "fel"), lines)
    except OSError as error:
        print(f"Felrapporten kunde inte skrivas: {error}", file=err)
        return
    print(f"Alla fel (rad, kolumn, fel): {report.resolve()}", file=err)


def _report_already_imported(path: Path, earlier: Imported, err: TextIO) -> None:
    when = earlier.imported_at.astimezone().strftime("%Y-%m-%d %H:%M")
    named = "" if earlier.file == path.name else f" (som {earlier.file})"
    print(
        f"{path.name} importerades redan {when}{named}: samma fil importeras aldrig två "
        "gånger. Ingenting ändrades.",
        file=err,
    )
    codes = path.with_suffix(".koder.csv")
    if earlier.participants and not codes.exists():
        # Lost, or never written: the import's answer still has them.
        try:
            _write_codes(codes, earlier)
        except OSError as error:
            print(f"Kodfilen kunde inte skrivas: {error}", file=err)
            return
        print(f"Deltagarnas koder från den importen: {codes.resolve()}", file=err)


def _write_codes(path: Path, imported: Imported) -> Path:
    _write_csv(
        path,
        ("rad", "insats", "participant_id"),
        [(p.row, p.insats_id, p.participant_id) for p in imported.participants],
    )
    return path.resolve()


def _free(path: Path, suffix: str) -> Path:
    """`FILE<suffix>`, or `FILE-2<suffix>` and so on: the codes of an earlier import of
    another version of the file are never overwritten."""
    candidate, number = path.with_suffix(suffix), 1
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.stem}-{number}{suffix}")
    return candidate


def _write_csv(path: Path, header: Iterable[str], rows: Iterable[Iterable[object]]) -> None:
    # Semicolons and a BOM: what Swedish Excel opens as columns, å, ä and ö intact.
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        write_rows(file, (header, *rows), delimiter=";")
