"""The XLSX export laid out like the förbund's report template, exact and published: every
number on every sheet read back through its Swedish label and compared with the JSON
report, against a real database (SQLite and PostgreSQL) and Redis."""

import csv
import io
import random
from datetime import UTC, date, datetime, timedelta

import httpx
import openpyxl
import pytest
from redis.asyncio import Redis

from services.reporting.domain.document import Report, Target, report_json
from services.reporting.domain.periods import parse_period
from services.reporting.domain.reports import ProcessedThrough
from services.reporting.domain.suppression import HIDDEN, is_hidden, suppress_together
from services.reporting.entrypoints import labels
from services.reporting.entrypoints import workbook as layout
from services.reporting.entrypoints.workbook import report_workbook, sheet_titles
from services.reporting.service_layer.workbook import ReportSet
from shared.contract.records import (
    InsatsRegistered,
    OutcomeChange,
    ParticipantRecordChanged,
    VolumeCounted,
)
from shared.platform.settings import Settings
from tests.conftest import SERVICE_AUTH as AUTH
from tests.reporting.csv_check import (
    OWN_ROWS,
    economy_of,
    expected_economy,
    expected_goals,
    goals_of,
)
from tests.reporting.running import report, running_reporting
from tests.reporting.support import random_record, report_of
from tests.reporting.workbook_check import assert_overview_shows, assert_sheet_shows, columns_at

T0 = datetime(2025, 9, 1, 8, 0, tzinfo=UTC)
COLUMNS = tuple(labels.COLUMNS)
INSATSER = {"a": "Arbetsrehab", "b": "Steget: Unga/vuxna", "v": "Hälsoskolan"}
SHEETS = ["Översikt", "Förbundet", "Arbetsrehab", "Steget Unga vuxna", "Hälsoskolan"]


def _changes() -> list[OutcomeChange]:
    def common(position: int) -> dict:
        return {
            "change_id": f"c{position}",
            "generation": 1,
            "position": position,
            "occurred_at": T0 + timedelta(minutes=position),
        }

    rng = random.Random(2025)
    registered = [
        InsatsRegistered(
            **common(position),
            insats_id=insats,
            name=name,
            registration="volym" if insats == "v" else "individ",
        )
        for position, (insats, name) in enumerate(INSATSER.items(), 1)
    ]
    participants = [random_record(n, rng) for n in range(70)]
    return [
        *registered,
        VolumeCounted(
            **common(4),
            insats_id="v",
            date=date(2025, 3, 10),
            counts={"kvinna": 12, "man": 3, "annan": 0},
        ),
        *(
            ParticipantRecordChanged(
                **common(position),
                insats_id=record.insats_id,
                participant_id=record.participant_id,
                before=None,
                after=record,
            )
            for position, record in enumerate(participants, 5)
        ),
    ]


@pytest.fixture
async def client(settings: Settings, redis: Redis):
    """The reporting app running with every change above processed, and targets set."""
    async with running_reporting(settings, redis, *_changes()) as client:
        for insats, targets in {
            "a": {"positive_exits": 40, "health_better": 70},
            "b": {"direct_to_work_or_studies": 30},
        }.items():
            answer = await client.put(
                f"/api/v1/insatser/{insats}/targets", json=targets, headers=AUTH
            )
            assert answer.status_code == 200, answer.text
        yield client


async def _reports(client: httpx.AsyncClient, **params) -> list[dict]:
    """The whole förbund's JSON report, then each insats's, for helår 2025."""
    return [
        await report(client, year=2025, period="helar", **params, **insats)
        for insats in ({}, *({"insats": insats} for insats in INSATSER))
    ]


async def _export(client: httpx.AsyncClient, format: str, **params) -> httpx.Response:
    response = await client.get(
        "/api/v1/reports",
        headers=AUTH,
        params={"year": 2025, "period": "helar", "format": format, **params},
    )
    assert response.status_code == 200, response.text
    return response


async def _overview(client: httpx.AsyncClient, **params) -> dict:
    response = await client.get(
        "/api/v1/reports/overview",
        headers=AUTH,
        params={"year": 2025, "period": "helar", **params},
    )
    assert response.status_code == 200, response.text
    return response.json()


def _book(response: httpx.Response) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(response.content))


async def test_the_workbook_shows_every_figure_of_the_json_reports(client) -> None:
    exact = await _reports(client)
    response = await _export(client, "xlsx")
    assert response.headers["content-disposition"] == (
        'attachment; filename="stegvis-forbund-2025-helar.xlsx"'
    )
    book = _book(response)
    assert book.sheetnames == SHEETS
    overview, *sheets = book
    assert_overview_shows(overview, await _overview(client))
    for sheet, expected in zip(sheets, exact, strict=True):
        assert_sheet_shows(sheet, expected)
    assert exact[0]["targets"] and exact[1]["targets"]  # the Mål sections were compared
    assert exact[0]["breakdowns"]["municipality"]["=1+1"]["total"] > 0
    assert exact[0]["breakdowns"]["municipality"]["2480"]["total"] > 0
    shown = {cell.value for row in sheets[0].iter_rows() for cell in row}  # the förbund's
    assert "Umeå" in shown and "2480" not in shown  # a kommun by its name

    one = _book(await _export(client, "xlsx", insats="b"))
    assert one.sheetnames == ["Steget Unga vuxna"]
    assert_sheet_shows(one.active, exact[2])


async def test_published_exports_hide_the_same_cells_in_every_format(
    client, settings: Settings
) -> None:
    exact = await _reports(client)
    typed = [Report.model_validate(report) for report in exact]
    published = [
        report_json(report) for report in suppress_together(typed, settings.suppression_threshold)
    ]
    # Enough participants for both: some counts hidden, others shown.
    counts = [published[0]["figures"][name]["total"] for name in ("ended", "participants")]
    assert published[0]["suppression"]["suppressed_cells"] > 0 and None not in counts

    assert await _reports(client, suppress=True) == published
    response = await _export(client, "xlsx", suppress=True)
    assert response.headers["content-disposition"] == (
        'attachment; filename="stegvis-forbund-2025-helar-publicerad.xlsx"'
    )
    book = _book(response)
    assert book.sheetnames == SHEETS
    overview, *sheets = book
    assert_overview_shows(overview, await _overview(client, suppress="true"))
    for sheet, expected in zip(sheets, published, strict=True):
        assert_sheet_shows(sheet, expected)
    one = _book(await _export(client, "xlsx", insats="a", suppress=True))
    assert_sheet_shows(one.active, published[1])

    exported = await _export(client, "csv", insats="a", suppress=True)
    assert exported.headers["content-disposition"] == (
        'attachment; filename="stegvis-a-2025-helar-publicerad.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    arbetsrehab = published[1]
    typed_arbetsrehab = Report.model_validate(arbetsrehab)
    # The municipality written as a formula comes out as text (shared.platform.safe_csv).
    assert "'=1+1" in {row["code"] for row in rows}
    assert economy_of(rows) == expected_economy(arbetsrehab)
    assert goals_of(rows) == expected_goals(arbetsrehab)
    for row in (row for row in rows if row["section"] not in (*OWN_ROWS, "activities")):
        # activities: never suppressed (test_activities.py)
        code = row["code"].removeprefix("'")
        path = (row["section"], row["name"], *([code] if code else []))
        sections = zip(
            (arbetsrehab, arbetsrehab["previous_year"]), typed_arbetsrehab.sections(), strict=True
        )
        for (section, model), prefix in zip(sections, ("", "previous_"), strict=True):
            for column in COLUMNS:
                columns = columns_at(section, path)
                assert columns is not None, path
                value = columns[column]
                text = "" if value is None else str(value)
                if is_hidden(model, path, column):
                    text = HIDDEN
                assert row[prefix + column] == text, (path, prefix, column)
    assert any(HIDDEN in row.values() for row in rows)


def test_sheet_titles_are_valid_and_distinct_in_excel() -> None:
    assert sheet_titles(
        [
            "Förbundet",
            "Steget: Unga/vuxna",
            "förbundet",
            "[*?]",
            "History",
            "Ett mycket långt namn på en insats som inte får plats",
        ]
    ) == [
        "Förbundet",
        "Steget Unga vuxna",
        "förbundet (2)",
        "Insats",
        "History (2)",
        "Ett mycket långt namn på en ins",
    ]
    assert sheet_titles(["x" * 40, "x" * 40]) == ["x" * 31, "x" * 27 + " (2)"]


def test_a_sheet_shows_targets_a_restatement_and_text_as_text_ready_to_print() -> None:
    processed = ProcessedThrough(7, datetime(2025, 12, 31, 23, 0, tzinfo=UTC))
    document = report_of({}, parse_period(2025, "helar", 8), "a", '=HYPERLINK("x")', processed)
    document.targets = [
        Target(share="positive_exits", target=40, outcome=45, met=True),
        Target(share="health_better", target=70, outcome=None, met=None),
    ]
    document.closing = document.closing.model_copy(update={"restated": True})
    sheet = openpyxl.load_workbook(io.BytesIO(report_workbook(ReportSet([document], [])))).active

    assert sheet.title == '=HYPERLINK("x")'
    assert sheet["A1"].data_type == "s"  # an insats's name is never a formula
    assert [sheet.cell(row, 1).value for row in (2, 3, 4, 5)] == [
        layout.RESTATED_NOTE,
        "Föregående år: samma period året innan (Helår 2024), i kolumnerna till höger.",
        "Fördelningarna räknar de som avslutades under perioden.",
        "Siffrorna omfattar händelser till och med position 7 (2026-01-01 00:00 CET).",
    ]
    assert_sheet_shows(sheet, report_json(document))
    header = next(row for row in sheet.iter_rows() if row[0].value == "Mått")[0].row
    assert sheet.freeze_panes == f"B{header + 1}"
    assert sheet.column_dimensions["A"].width > sheet.column_dimensions["B"].width > 0
    assert (sheet.page_setup.orientation, sheet.page_setup.fitToWidth) == ("landscape", 1)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage


def test_every_row_is_styled_across_the_sheet_as_written() -> None:
    """A row's font reaches the sheet's width (a heading's empty cells are bold too), the
    header is wrapped, text in a value's column is aligned right, a share's row indented
    and shown as a percentage: the styles `_Sheet` gives each row it appends."""
    processed = ProcessedThrough(7, datetime(2025, 12, 31, 23, 0, tzinfo=UTC))
    document = report_of({}, parse_period(2025, "helar", 8), "a", "Arbetsrehab", processed)
    sheet = openpyxl.load_workbook(io.BytesIO(report_workbook(ReportSet([document], [])))).active
    rows = {row[0].value: row for row in sheet.iter_rows() if row[0].value}
    width = len(layout.HEADER)

    assert sheet.max_column == width
    assert (rows["Arbetsrehab: Helår 2025"][0].font.b, sheet["A1"].font.sz) == (True, 14)
    assert [cell.font.b for cell in rows[layout.FLOWS]] == [True] * width
    header = rows["Mått"]
    assert [(c.alignment.wrap_text, c.alignment.vertical) for c in header] == [
        (True, "bottom")
    ] * width
    assert [c.alignment.horizontal for c in header] == ["left", *["right"] * (width - 1)]
    share = rows[labels.share_label("positive_exits")]
    assert share[0].alignment.indent == 1
    assert {(c.value, c.data_type, c.alignment.horizontal) for c in share[1:]} == {
        (labels.DASH, "s", "right")
    }
    assert {c.number_format for c in share[1:]} == {"0%"}
    assert not any(c.font.b for c in rows[labels.figure_label("new")])
