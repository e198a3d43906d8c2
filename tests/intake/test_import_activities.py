"""`stegvis import` of a sheet of activities (structural insatser) into intake's real
database (SQLite and PostgreSQL): stored as the API stores them, every row or none, each
file once, every refusal by row and column in Swedish."""

from pathlib import Path

from shared.contract.codes import Registration
from shared.contract.events import ActivityDetails, ActivityRegistered
from shared.platform.settings import Settings
from tests.intake.import_files import Ran, define_insatser, read_csv, run, stored, write_csv
from tests.intake.test_activities import ACTIVITY

STRUKTUR, INDIVID = Registration.STRUKTUR, Registration.INDIVID
HEADER = [
    "Insats",
    "Datum",
    "Aktivitet",
    "Deltagare kvinnor",
    "Deltagare män",
    "Deltagare annan",
    "Från FK",
    "Från kommun",
    "Platser",
]
SHEET = [
    HEADER,
    ["kunskap", "2025-03-12", "utbildning", "14", "6", "1", "5", "12", "25"],
    ["kunskap", "2025-04-02", "natverk", "3", "2", "0", "", "", ""],
    ["natverket", "2025-05-20", "konferens", "40", "22", "2", "", "30", ""],
]
"""Three activities as a Swedish Excel user writes them."""
BODIES = [
    ACTIVITY,
    {"date": "2025-04-02", "kind": "natverk", "participants": {"kvinna": 3, "man": 2, "annan": 0}},
    {
        "date": "2025-05-20",
        "kind": "konferens",
        "participants": {"kvinna": 40, "man": 22, "annan": 2},
        "organisations": {"kommun": 30},
    },
]
"""The same activities as the API's JSON bodies."""


async def _imported(settings: Settings, tmp_path: Path) -> tuple[Path, Ran]:
    """`SHEET` imported into its two structural insatser."""
    await define_insatser(settings, kunskap=STRUKTUR, natverket=STRUKTUR)
    sheet = write_csv(tmp_path / "aktiviteter.csv", SHEET)
    ran = await run(settings, sheet)
    assert ran.code == 0, ran.err
    return sheet, ran


async def test_a_sheet_of_activities_is_stored_as_the_api_stores_them(
    settings: Settings, tmp_path: Path
) -> None:
    _, ran = await _imported(settings, tmp_path)

    assert "3 aktiviteter importerades från aktiviteter.csv." in ran.out
    assert "Kontrollerar 3 rader" in ran.err and "Sparar 3 rader" in ran.err
    after = await stored(settings)
    new = after.registered
    assert all(isinstance(event, ActivityRegistered) for event in new)
    assert [(e.insats_id, _details(e)) for e in new] == [
        (insats, ActivityDetails.model_validate(body))
        for insats, body in zip(("kunskap", "kunskap", "natverket"), BODIES, strict=True)
    ]
    assert {e.event_id for e in new} <= set(after.outbox)  # published when intake runs
    assert after.audit[-1][0] == "import"
    assert not (tmp_path / "aktiviteter.koder.csv").exists()  # activities get no codes


async def test_a_sheet_with_bad_rows_stores_no_activity_and_says_why_per_row_and_column(
    settings: Settings, tmp_path: Path
) -> None:
    await define_insatser(settings, kunskap=STRUKTUR, natverket=STRUKTUR, steget=INDIVID)
    rows = [
        *SHEET,
        ["kunskap", "2025-06-01", "Nätverk", "3", "2", "0", "", "", ""],  # a label, no code
        ["steget", "2025-06-01", "annan", "1", "0", "0", "", "", ""],
        ["kunskap", "2025-06-02", "850101-1236", "", "hög", "0", "", "", "0"],
        ["kunskap", "2025-06-03", "annan", "1", "1", "1", "", "", ""],
    ]
    sheet = write_csv(tmp_path / "aktiviteter.csv", rows)
    before = await stored(settings)

    ran = await run(settings, sheet)

    assert ran.code == 1
    kinds = "Koder: utbildning, natverk, konferens, kartlaggning, annan."
    expected = [
        ["5", "Aktivitet", f"Välj slags aktivitet i listan. {kinds}"],
        [
            "6",
            "Insats",
            "Insatsen är en individinsats: där registreras deltagare, inga aktiviteter. "
            "Strukturinsatser: kunskap, natverket.",
        ],
        ["7", "Aktivitet", f"Välj slags aktivitet i listan. {kinds}"],
        ["7", "Deltagare kvinnor", "Ange antalet kvinnor som ett heltal, 0 om inga."],
        ["7", "Deltagare män", "Ange antalet män som ett heltal, 0 om inga."],
        [
            "7",
            "Platser",
            "Ange antalet platser som ett heltal, 1–100000, eller lämna tomt.",
        ],
    ]
    assert read_csv(tmp_path / "aktiviteter.fel.csv") == [["rad", "kolumn", "fel"], *expected]
    for row, column, message in expected:
        assert f"Rad {row}, {column}: {message}\n" in ran.err
    assert "Ingenting importerades: 6 fel på 3 rader i aktiviteter.csv." in ran.err
    assert "1236" not in ran.err + (tmp_path / "aktiviteter.fel.csv").read_text("utf-8-sig")
    assert await stored(settings) == before


async def test_an_activity_sheet_names_its_missing_columns_in_swedish(
    settings: Settings, tmp_path: Path
) -> None:
    sheet = write_csv(tmp_path / "a.csv", [["insats", "datum", "aktivitet"], ["kunskap"]])

    ran = await run(settings, sheet)

    assert ran.code == 1
    assert read_csv(tmp_path / "a.fel.csv")[1] == [
        "1",
        "participants_kvinna",
        "Kolumnen saknas: den behövs för varje aktivitet. På svenska heter den deltagare_kvinnor.",
    ]


async def test_the_same_sheet_of_activities_is_never_imported_twice(
    settings: Settings, tmp_path: Path
) -> None:
    sheet, _ = await _imported(settings, tmp_path)
    after_first = await stored(settings)
    copy = tmp_path / "kopia.csv"
    copy.write_bytes(sheet.read_bytes())

    again, copied = await run(settings, sheet), await run(settings, copy)

    assert again.code == copied.code == 1
    assert "aktiviteter.csv importerades redan 20" in again.err
    assert "(som aktiviteter.csv)" in copied.err and "Ingenting ändrades." in copied.err
    assert "Kontrollerar" not in again.err + copied.err  # refused before any row is checked
    assert await stored(settings) == after_first
    assert not (tmp_path / "kopia.koder.csv").exists()


def _details(event: ActivityRegistered) -> ActivityDetails:
    return ActivityDetails.model_validate(
        event.model_dump(include=set(ActivityDetails.model_fields))
    )
