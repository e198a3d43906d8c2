"""`stegvis import`: a spreadsheet of participants into intake's real database (SQLite and
PostgreSQL), every row or none, each file once, as the API would have stored them."""

import asyncio
import hashlib
import io
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import pytest

from services.intake.entrypoints.form_errors import PERSONAL_NUMBER
from services.intake.entrypoints.import_cli import ProgressBar
from services.intake.service_layer.imports import Phase
from shared.contract.codes import Registration
from shared.contract.events import StartDetails, StopDetails
from shared.platform.settings import Settings
from tests.intake.conftest import RunningIntake
from tests.intake.import_files import (
    define_insatser,
    read_csv,
    run,
    stored,
    write_csv,
    write_xlsx,
)

INDIVID, VOLYM = Registration.INDIVID, Registration.VOLYM
BAR = "[" + "#" * 40 + "]"

API_START = {
    "start_date": "2025-02-03",
    "gender": "kvinna",
    "birth_year": 1985,
    "education": "gymnasium",
    "support_at_start": ["sjukpenning", "a_kassa"],
    "years_in_support": 3,
    "referrer": "fk",
    "municipality": "Lund",
    "activity_hours_per_week": 12.5,
    "vas": 35,
}
API_STOP = {
    "end_date": "2025-09-30",
    "reason": "arbete",
    "support_at_end": ["ingen"],
    "health_better": True,
    "activity_increased": False,
    "work_capacity": "narmat",
    "vas": 60,
    "respect": 5,
}
"""One participant's start and stop as JSON bodies of the API."""

SWEDISH_HEADER = [
    "Insats",
    "Startdatum",
    "Kön",
    "Födelseår",
    "utbildning",
    "Försörjning start",
    "År-i-försörjning",
    "REMITTENT",
    "Kommun",
    "Aktivitetstimmar",
    "VAS start",
    "Slutdatum",
    "Avslutsanledning",
    "Försörjning_avslut",
    "Mår bättre",
    "Utökad aktivitet",
    "Arbetsförmåga",
    "VAS avslut",
    "Respekt",
]
SWEDISH_SHEET = [
    SWEDISH_HEADER,
    [
        "arbetsrehab",
        "2025-02-03",
        "kvinna",
        "1985",
        "gymnasium",
        "sjukpenning; a_kassa",
        "3",
        "fk",
        "Lund",
        "12,5",
        "35",
        "2025-09-30",
        "arbete",
        "ingen",
        "ja",
        "nej",
        "narmat",
        "60",
        "5",
    ],
    ["steget", "2025-03-01", "man"] + [""] * 16,
    [""] * 19,  # an empty row in the middle: skipped, and the rows after keep their numbers
    ["Arbetsrehab", "2025-04-01", "Annan"] + [""] * 8 + ["2025-05-02", "sjukdom"] + [""] * 6,
]
"""API_START and API_STOP as a Swedish Excel user writes them, and two more participants."""


def _api_start(body: dict) -> dict:
    return StartDetails.model_validate(body).model_dump()


def _api_stop(body: dict) -> dict:
    return StopDetails.model_validate(body).model_dump()


def _details(event) -> dict:
    """An event's payload: what the API's body said, without ids and time."""
    model = StartDetails if event.type == "ParticipantStarted" else StopDetails
    return event.model_dump(include=set(model.model_fields))


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


async def test_a_csv_with_semicolons_and_swedish_headers_is_imported(
    settings: Settings, tmp_path: Path
) -> None:
    await define_insatser(settings, arbetsrehab=INDIVID, steget=INDIVID)
    before = await stored(settings)
    sheet = write_csv(tmp_path / "deltagare.csv", SWEDISH_SHEET)

    ran = await run(settings, sheet)

    assert ran.code == 0, ran.err
    codes = read_csv(tmp_path / "deltagare.koder.csv")
    assert codes[0] == ["rad", "insats", "participant_id"]
    assert [row[:2] for row in codes[1:]] == [
        ["2", "arbetsrehab"],
        ["3", "steget"],
        ["5", "arbetsrehab"],
    ]
    first, second, third = (row[2] for row in codes[1:])
    new = (await stored(settings)).registered
    assert [(e.type, e.insats_id, e.participant_id, _details(e)) for e in new] == [
        ("ParticipantStarted", "arbetsrehab", first, _api_start(API_START)),
        ("ParticipantStopped", "arbetsrehab", first, _api_stop(API_STOP)),
        (
            "ParticipantStarted",
            "steget",
            second,
            _api_start({"start_date": "2025-03-01", "gender": "man"}),
        ),
        (
            "ParticipantStarted",
            "arbetsrehab",
            third,
            _api_start({"start_date": "2025-04-01", "gender": "annan"}),
        ),
        (
            "ParticipantStopped",
            "arbetsrehab",
            third,
            _api_stop({"end_date": "2025-05-02", "reason": "sjukdom"}),
        ),
    ]
    after = await stored(settings)
    # Intake is not running: the events wait in its outbox for its relay.
    assert after.outbox == before.outbox + [event.event_id for event in new]
    assert after.audit[len(before.audit) :] == [
        ("import", f"sha256:{_sha256(sheet)} deltagare.csv")
    ]
    assert "3 deltagare importerades från deltagare.csv." in ran.out
    assert f"{tmp_path / 'deltagare.koder.csv'}" in ran.out
    assert ran.err == f"Kontrollerar 3 rader …\n{BAR} 3/3\nSparar 3 rader …\n{BAR} 3/3\n"


async def test_an_xlsx_with_date_and_number_cells_is_imported(
    settings: Settings, tmp_path: Path
) -> None:
    await define_insatser(settings, arbetsrehab=INDIVID)
    header = [
        "insats",
        "Start_Date",
        "GENDER",
        "birth_year",
        "support_at_start",
        "activity_hours_per_week",
        "vas",
        "end_date",
        "reason",
        "health_better",
        "activity_increased",
        "vas_end",
        "respect",
    ]
    sheet = write_xlsx(
        tmp_path / "deltagare.xlsx",
        [
            header,
            [
                "arbetsrehab",
                date(2025, 2, 3),
                "kvinna",
                1985,
                "sjukpenning,a_kassa",
                12.5,
                35.0,
                date(2025, 9, 30),
                "arbete",
                True,
                "Nej",
                60,
                5,
            ],
            [
                "arbetsrehab",
                date(2025, 3, 1),
                "man",
                None,
                None,
                4,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
            ],
        ],
    )

    ran = await run(settings, sheet)

    assert ran.code == 0, ran.err
    first, second = (row[2] for row in read_csv(tmp_path / "deltagare.koder.csv")[1:])
    new = (await stored(settings)).registered
    assert [(e.participant_id, _details(e)) for e in new] == [
        (
            first,
            _api_start(
                API_START
                | {
                    "education": None,
                    "years_in_support": None,
                    "referrer": None,
                    "municipality": None,
                }
            ),
        ),
        (first, _api_stop(API_STOP | {"support_at_end": [], "work_capacity": None})),
        (
            second,
            _api_start(
                {"start_date": "2025-03-01", "gender": "man", "activity_hours_per_week": 4.0}
            ),
        ),
    ]


async def test_imported_events_equal_the_apis_and_intakes_relay_publishes_them(
    intake: RunningIntake, tmp_path: Path
) -> None:
    client = intake.client
    response = await client.put(
        "/api/v1/insatser/arbetsrehab", json={"name": "Arbetsrehab", "registration": "individ"}
    )
    assert response.status_code == 201, response.text
    started = await client.post("/api/v1/insatser/arbetsrehab/participants", json=API_START)
    code = started.json()["participant_id"]
    stopped = await client.post(
        f"/api/v1/insatser/arbetsrehab/participants/{code}/stop", json=API_STOP
    )
    assert stopped.status_code == 201, stopped.text

    ran = await run(intake.settings, write_csv(tmp_path / "d.csv", SWEDISH_SHEET[:2]))

    assert ran.code == 0, ran.err
    events = [event for _, event in await intake.logged_events()][1:]
    through_api, imported = events[:2], events[2:]
    assert [_details(e) for e in imported] == [_details(e) for e in through_api]
    assert [e.type for e in imported] == [e.type for e in through_api]
    published: set[str] = set()
    for _ in range(100):  # intake runs: its relay finds the import's outbox rows
        entries = await intake.redis.xrange(intake.stream)
        published = {fields[b"id"].decode() for _, fields in entries}
        if {e.event_id for e in imported} <= published:
            break
        await asyncio.sleep(0.1)
    assert {e.event_id for e in imported} <= published


async def test_a_file_with_bad_rows_reports_every_error_and_stores_nothing(
    settings: Settings, tmp_path: Path
) -> None:
    await define_insatser(settings, arbetsrehab=INDIVID, halsoskolan=VOLYM)
    good = ["arbetsrehab", "2025-03-01", "kvinna", "", "", ""]
    sheet = write_csv(
        tmp_path / "deltagare.csv",
        [
            ["insats", "startdatum", "kön", "vas", "slutdatum", "avslutsanledning"],
            good,
            good,
            ["arbetsrehab", "2025-03-01", "hen", "", "", ""],
            good,
            ["arbetsrehab", "2025-03-01", "man", "", "2025-02-28", "arbete"],
            good,
            ["arbetsrehb", "2025-03-01", "kvinna", "hög", "", ""],
            good,
        ],
    )
    before = await stored(settings)

    ran = await run(settings, sheet)

    assert ran.code == 1
    expected = [
        ["4", "kön", "Välj kön. Koder: kvinna, man, annan."],
        ["6", "slutdatum", "Slutdatum får inte vara före startdatum (2025-03-01)."],
        ["8", "insats", "Det finns ingen insats med den koden. Individinsatser: arbetsrehab."],
        ["8", "vas", "Ange ett heltal från 1 till 100."],
    ]
    assert read_csv(tmp_path / "deltagare.fel.csv") == [["rad", "kolumn", "fel"], *expected]
    for row, column, message in expected:
        assert f"Rad {row}, {column}: {message}\n" in ran.err
    assert "Ingenting importerades: 4 fel på 3 rader i deltagare.csv." in ran.err
    assert f"{tmp_path / 'deltagare.fel.csv'}" in ran.err
    assert await stored(settings) == before
    assert not (tmp_path / "deltagare.koder.csv").exists()


async def test_a_row_in_a_volume_insats_is_refused(settings: Settings, tmp_path: Path) -> None:
    await define_insatser(settings, arbetsrehab=INDIVID, halsoskolan=VOLYM)
    sheet = write_csv(
        tmp_path / "d.csv",
        [["insats", "start_date", "gender"], ["halsoskolan", "2025-03-01", "man"]],
    )

    ran = await run(settings, sheet)

    assert ran.code == 1
    assert read_csv(tmp_path / "d.fel.csv")[1:] == [
        [
            "2",
            "insats",
            "Insatsen är en volyminsats: där registreras bara antal, inga "
            "deltagare. Individinsatser: arbetsrehab.",
        ]
    ]


async def test_the_same_file_is_never_imported_twice(settings: Settings, tmp_path: Path) -> None:
    await define_insatser(settings, arbetsrehab=INDIVID, steget=INDIVID)
    sheet = write_csv(tmp_path / "deltagare.csv", SWEDISH_SHEET)
    assert (await run(settings, sheet)).code == 0
    codes = (tmp_path / "deltagare.koder.csv").read_bytes()
    after_first = await stored(settings)

    again = await run(settings, sheet)
    renamed = tmp_path / "kopia.csv"
    renamed.write_bytes(sheet.read_bytes())
    copy = await run(settings, renamed)

    assert again.code == copy.code == 1
    assert "deltagare.csv importerades redan 20" in again.err
    assert "Ingenting ändrades." in again.err
    assert "kopia.csv importerades redan 20" in copy.err and "(som deltagare.csv)" in copy.err
    assert await stored(settings) == after_first
    assert (tmp_path / "deltagare.koder.csv").read_bytes() == codes
    # The copy had no codes file: the first import's codes are written for it.
    assert (tmp_path / "kopia.koder.csv").read_bytes() == codes


async def test_another_version_of_a_file_keeps_the_earlier_codes_file(
    settings: Settings, tmp_path: Path
) -> None:
    await define_insatser(settings, arbetsrehab=INDIVID, steget=INDIVID)
    sheet = write_csv(tmp_path / "deltagare.csv", SWEDISH_SHEET[:2])
    assert (await run(settings, sheet)).code == 0
    first_codes = (tmp_path / "deltagare.koder.csv").read_bytes()

    ran = await run(settings, write_csv(sheet, SWEDISH_SHEET[:1] + SWEDISH_SHEET[2:3]))

    assert ran.code == 0, ran.err
    assert (tmp_path / "deltagare.koder.csv").read_bytes() == first_codes
    assert read_csv(tmp_path / "deltagare-2.koder.csv")[1][:2] == ["2", "steget"]
    assert f"{tmp_path / 'deltagare-2.koder.csv'}" in ran.out


@pytest.mark.parametrize(("kind", "municipality"), [("csv", "850101-1236"), ("xlsx", 198501011236)])
async def test_a_personal_identity_number_as_kommun_is_refused(
    settings: Settings, tmp_path: Path, kind: str, municipality: object
) -> None:
    await define_insatser(settings, arbetsrehab=INDIVID)
    write = write_csv if kind == "csv" else write_xlsx
    rows = [
        ["insats", "startdatum", "kön", "kommun"],
        ["arbetsrehab", "2025-03-01", "kvinna", "Lund"],
        ["arbetsrehab", "2025-03-01", "kvinna", municipality],
    ]
    before = await stored(settings)

    ran = await run(settings, write(tmp_path / f"d.{kind}", rows))

    assert ran.code == 1
    report = read_csv(tmp_path / "d.fel.csv")
    assert report[1:] == [["3", "kommun", PERSONAL_NUMBER]]
    assert str(municipality)[-4:] not in ran.err + ran.out + str(report)
    assert await stored(settings) == before


async def test_kommun_cells_are_stored_as_codes_and_a_name_of_no_kommun_is_refused(
    settings: Settings, tmp_path: Path
) -> None:
    await define_insatser(settings, arbetsrehab=INDIVID)
    header = ["insats", "startdatum", "kön", "kommun"]
    given = ["0180", 180, "umeå", "okand"]  # 180: a number cell, its leading zero dropped
    rows = [["arbetsrehab", date(2025, 3, 1), "kvinna", kommun] for kommun in given]
    ran = await run(settings, write_xlsx(tmp_path / "d.xlsx", [header, *rows]))
    assert ran.code == 0, ran.err
    started = (await stored(settings)).registered
    assert [e.municipality for e in started] == ["0180", "0180", "2480", "okand"]

    before = await stored(settings)
    wrong = [header, ["arbetsrehab", "2025-03-01", "kvinna", "Anna Ek"]]
    refused = await run(settings, write_csv(tmp_path / "e.csv", wrong))
    assert refused.code == 1
    assert read_csv(tmp_path / "e.fel.csv")[1:] == [
        [
            "2",
            "kommun",
            "Välj kommunen i listan (i en fil: kommunkoden, fyra siffror, eller kommunens namn).",
        ]
    ]
    assert "Anna" not in refused.err
    assert await stored(settings) == before


async def test_an_unknown_column_is_refused_by_its_letter_never_its_header_or_values(
    settings: Settings, tmp_path: Path
) -> None:
    """The review's attack: a header holding a name and a personnummer was echoed back in
    the error report and on the terminal."""
    await define_insatser(settings, arbetsrehab=INDIVID)
    sheet = write_csv(
        tmp_path / "d.csv",
        [
            ["insats", "startdatum", "kön", "Anna Ek 850101-1236"],
            ["arbetsrehab", "2025-03-01", "kvinna", "Anna Ek"],
        ],
    )
    before = await stored(settings)

    ran = await run(settings, sheet)

    assert ran.code == 1
    report = read_csv(tmp_path / "d.fel.csv")
    [[row, column, message]] = report[1:]
    assert (row, column) == ("1", "kolumn D")
    assert message.startswith("Okänd kolumn: rätta rubriken eller ta bort kolumnen")
    assert "Kolumnerna heter insats, start_date, gender" in message
    assert "Rad 1, kolumn D: Okänd kolumn" in ran.err
    shown = ran.err + ran.out + str(report)
    assert "Anna" not in shown and "1236" not in shown
    assert await stored(settings) == before


LONG_NUMBER = "9" * 5000
"""The review's attack: more digits than Python converts (4,300), once a server error."""


async def test_a_5000_digit_number_in_a_csv_cell_is_a_row_error(
    settings: Settings, tmp_path: Path
) -> None:
    await define_insatser(settings, arbetsrehab=INDIVID)
    sheet = write_csv(
        tmp_path / "d.csv",
        [
            ["insats", "startdatum", "kön", "födelseår", "vas", "aktivitetstimmar"],
            ["arbetsrehab", "2025-03-01", "kvinna", LONG_NUMBER, LONG_NUMBER, LONG_NUMBER],
        ],
    )
    before = await stored(settings)

    ran = await run(settings, sheet)

    assert ran.code == 1
    assert read_csv(tmp_path / "d.fel.csv")[1:] == [
        ["2", "födelseår", "Ange födelseåret med fyra siffror, till exempel 1985."],
        ["2", "vas", "Ange ett heltal från 1 till 100."],
        ["2", "aktivitetstimmar", "Ange timmar per vecka, 0–168 (till exempel 12,5)."],
    ]
    assert await stored(settings) == before


def _xlsx_with_long_number(path: Path) -> Path:
    """openpyxl writes no such number: a placeholder's digits are replaced in the sheet."""
    placeholder = path.with_suffix(".tmp.xlsx")
    write_xlsx(
        placeholder,
        [["insats", "startdatum", "kön", "födelseår"], ["arbetsrehab", "", "man", 123456789]],
    )
    with zipfile.ZipFile(placeholder) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<v>123456789</v>", f"<v>{LONG_NUMBER}</v>".encode())
            target.writestr(item, data)
    placeholder.unlink()
    return path


async def test_a_5000_digit_number_in_an_xlsx_cell_names_its_row(
    settings: Settings, tmp_path: Path
) -> None:
    await define_insatser(settings, arbetsrehab=INDIVID)
    before = await stored(settings)

    ran = await run(settings, _xlsx_with_long_number(tmp_path / "d.xlsx"))

    assert ran.code == 1
    assert "Rad 2 har ett tal med fler siffror än något fält tar: rätta cellen." in ran.err
    assert "Ingenting importerades." in ran.err
    assert await stored(settings) == before


async def test_a_header_with_missing_repeated_and_unnamed_columns_is_refused(
    settings: Settings, tmp_path: Path
) -> None:
    sheet = write_csv(
        tmp_path / "d.csv",
        [["insats", "kön", "gender", ""], ["arbetsrehab", "kvinna", "kvinna", "x"]],
        delimiter=",",
    )

    ran = await run(settings, sheet)

    assert ran.code == 1
    assert read_csv(tmp_path / "d.fel.csv")[1:] == [
        ["1", "gender", "Kolumnen finns två gånger (kanske under ett annat namn)."],
        ["1", "kolumn D", "Kolumnen har värden men ingen rubrik: ge den en rubrik."],
        [
            "1",
            "start_date",
            "Kolumnen saknas: den behövs för varje deltagare. På svenska heter den startdatum.",
        ],
    ]


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("d.csv", "insats;startdatum;kön\n".encode("cp1252"), "Filen är inte sparad som UTF-8"),
        ("d.xlsx", b"insats,startdatum\n", "Filen går inte att läsa som en Excel-fil"),
    ],
)
async def test_a_file_that_is_not_what_its_name_says_is_refused(
    settings: Settings, tmp_path: Path, name: str, content: bytes, problem: str
) -> None:
    sheet = tmp_path / name
    sheet.write_bytes(content)

    ran = await run(settings, sheet)

    assert ran.code == 1
    assert problem in ran.err
    assert not (tmp_path / "d.fel.csv").exists()


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_the_bar_is_redrawn_in_place_once_a_percent() -> None:
    terminal = _Terminal()
    progress = ProgressBar(terminal)
    for done in range(201):
        progress(Phase.WRITE, done, 200)

    shown = terminal.getvalue()
    assert shown.startswith("Sparar 200 rader …\n\r[" + " " * 40 + "] 0/200\r[")
    assert "\r[" + "#" * 20 + " " * 20 + "] 100/200\r[" in shown
    assert shown.count("\r") == 101
    assert shown.endswith(f"\r{BAR} 200/200\n")


@pytest.mark.parametrize(
    ("name", "problem"), [("saknas.csv", "finns inte"), ("gammal.xls", "är varken")]
)
def test_the_command_refuses_a_missing_file_or_another_kind_as_usage(
    tmp_path: Path, name: str, problem: str
) -> None:
    (tmp_path / "gammal.xls").write_bytes(b"")
    result = subprocess.run(
        [sys.executable, "-m", "services.cli", "import", str(tmp_path / name)],
        env={"STEGVIS_DATA_DIR": str(tmp_path), "PATH": ""},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert problem in result.stderr
    assert not (tmp_path / "intake.db").exists()


async def test_a_header_written_as_a_formula_is_never_written_back(
    settings: Settings, tmp_path: Path
) -> None:
    await define_insatser(settings, arbetsrehab=INDIVID)
    hostile = '=HYPERLINK("http://x","klicka")'
    sheet = write_csv(
        tmp_path / "d.csv",
        [["insats", "startdatum", "kön", hostile], ["arbetsrehab", "2025-03-01", "man", "1"]],
    )

    ran = await run(settings, sheet)

    assert ran.code == 1
    [line] = read_csv(tmp_path / "d.fel.csv")[1:]
    assert line[:2] == ["1", "kolumn D"]  # the header itself is never written back
    assert line[2].startswith("Okänd kolumn")
    assert "HYPERLINK" not in ran.err + str(line)
