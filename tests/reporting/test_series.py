"""The trend over years and the months of a period, as reporting runs (real Redis, SQLite and
PostgreSQL): `/api/v1/reports/series` gives each year's helår as its report has it, and the
report page draws the years and the months as charts with tables of the same numbers."""

import re
from datetime import date

import pytest
from redis.asyncio import Redis

from services.reporting.domain.charts import TREND_FIGURES
from services.reporting.domain.figures import SHARES
from shared.contract.codes import Reason
from shared.contract.records import ParticipantRecordChanged
from shared.platform.settings import Settings
from tests.conftest import SERVICE_AUTH as AUTH
from tests.reporting.board import history
from tests.reporting.page_text import text
from tests.reporting.running import (
    processed_through,
    publish_changes,
    report,
    running_reporting,
)

HISTORY = history(
    {"a": "individ", "b": "individ"},
    [
        ("a", "kvinna", date(2023, 3, 8), date(2024, 2, 20), Reason.ARBETE),
        ("a", "man", date(2024, 1, 15), None, None),
        ("a", "kvinna", date(2024, 11, 3), date(2025, 1, 31), Reason.SJUKDOM),
        ("a", "annan", date(2025, 1, 10), date(2025, 3, 1), Reason.STUDIER),
        ("a", "kvinna", date(2025, 3, 2), None, None),
        ("b", "man", date(2025, 2, 1), date(2025, 2, 28), Reason.ARBETSTRANING),
    ],
)


[VOIDED] = [
    change.model_copy(
        update={"change_id": "start-void", "position": 99, "participant_id": "P-void"}
    )
    for change in history(
        {"b": "individ"}, [("b", "kvinna", date(2021, 5, 3), date(2021, 6, 1), Reason.ARBETE)]
    )
    if isinstance(change, ParticipantRecordChanged)
]
"""A registration in b in 2021, voided later (`VOIDED` taken back)."""
COLUMNS = ("total", "kvinna", "man", "annan")


@pytest.fixture
async def client(settings: Settings, redis: Redis):
    async with running_reporting(settings, redis, *HISTORY, VOIDED) as client:
        # Taken back in a later batch: its months stay, at 0.
        taken_back = VOIDED.model_copy(
            update={"change_id": "void", "position": 100, "before": VOIDED.after, "after": None}
        )
        await publish_changes(redis, settings, taken_back)
        await processed_through(client, 100)
        yield client


async def _series(client, **params) -> dict:
    response = await client.get("/api/v1/reports/series", params=params, headers=AUTH)
    assert response.status_code == 200, response.text
    return response.json()


async def test_each_year_of_the_series_is_that_years_helar(client) -> None:
    for insats in ("a", "b", None):
        asked = {"insats": insats} if insats else {}
        series = await _series(client, from_year=2022, to_year=2025, **asked)
        assert [year["year"] for year in series["years"]] == [2022, 2023, 2024, 2025]
        for year in series["years"]:
            helar = await report(client, year=year["year"], period="helar", **asked)
            assert year == {
                "year": year["year"],
                "figures": helar["figures"],
                "shares": helar["shares"],
            }
    whole = await _series(client, from_year=2023, to_year=2025)
    assert [year["figures"]["new"]["total"] for year in whole["years"]] == [1, 2, 3]
    assert [year["figures"]["ongoing_at_end"]["total"] for year in whole["years"]] == [1, 2, 2]
    assert [year["shares"]["positive_exits"]["total"] for year in whole["years"]] == [
        None,  # nobody ended in 2023
        100,
        67,
    ]


async def test_the_series_starts_at_the_first_registration_unless_asked(client) -> None:
    a = await _series(client, insats="a", to_year=2025)
    b = await _series(client, insats="b", to_year=2025)
    assert [year["year"] for year in a["years"]] == [2023, 2024, 2025]
    # b's registration of 2021 was voided: b was first registered in 2025.
    assert [year["year"] for year in b["years"]] == [2025]
    whole = await _series(client, to_year=2025)
    assert [year["year"] for year in whole["years"]] == [2023, 2024, 2025]
    # Asked to end before the first registration: that year alone.
    assert [year["year"] for year in (await _series(client, to_year=2020))["years"]] == [2020]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from_year": 2025, "to_year": 2024}, "from_year"),
        ({"from_year": 1900, "to_year": 2025}, "from_year"),
        ({"from_year": 2025, "to_year": 10_000}, "to_year"),
        ({"from_year": "tjugo"}, "from_year"),
    ],
)
async def test_a_series_it_cannot_answer_is_refused_naming_the_field(client, params, field) -> None:
    response = await client.get("/api/v1/reports/series", params=params, headers=AUTH)
    assert response.status_code == 422, response.text
    assert any(field in error["loc"] for error in response.json()["detail"]), response.text


async def test_an_unknown_insats_has_no_series(client) -> None:
    response = await client.get("/api/v1/reports/series", params={"insats": "okand"}, headers=AUTH)
    assert response.status_code == 404


def _chart_table(page: str, key: str) -> list[list[str]]:
    """The rows of the table under the chart `key`: label, then Totalt, Kvinnor, Män, Annat."""
    table = re.search(rf'<table id="diagram-{key}-tabell">(.*?)</table>', page, re.S)
    assert table, f"no chart {key}"
    body = table[1].split("<tbody>")[1]
    return [
        [text(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


async def test_the_page_charts_the_years_and_the_months_with_their_numbers(client) -> None:
    asked = {"year": 2025, "period": "q1", "insats": "a"}
    page = (await client.get("/rapport", params=asked, headers=AUTH)).text
    series = await _series(client, insats="a", to_year=2025)

    for name in TREND_FIGURES:
        assert _chart_table(page, f"trend-{name}") == [
            [str(year["year"]), *(str(year["figures"][name][c]) for c in COLUMNS)]
            for year in series["years"]
        ]
    shares = _chart_table(page, "trend-shares")
    assert len(shares) == len(SHARES) * 3
    assert shares[:3] == [
        ["Positiva avslut 2023", "–", "–", "–", "–"],
        ["Positiva avslut 2024", "100 %", "100 %", "–", "–"],
        ["Positiva avslut 2025", "50 %", "0 %", "–", "100 %"],
    ]
    # January to March 2025, by gender: new, ended, and ongoing at each month's end.
    months = {
        "new": [("1", "0", "0", "1"), ("0", "0", "0", "0"), ("1", "1", "0", "0")],
        "ended": [("1", "1", "0", "0"), ("0", "0", "0", "0"), ("1", "0", "0", "1")],
        "ongoing_at_end": [("2", "0", "1", "1"), ("2", "0", "1", "1"), ("2", "1", "1", "0")],
    }
    for name, counts in months.items():
        assert _chart_table(page, f"months-{name}") == [
            [f"{month} 2025", *numbers]
            for month, numbers in zip(("Januari", "Februari", "Mars"), counts, strict=True)
        ], name
    q1 = await report(client, **asked)
    assert q1["figures"]["ongoing_at_end"]["total"] == 2
    assert "Utveckling över åren" in text(page) and "Månad för månad" in text(page)
    # The published version draws none: they would show what it hides.
    published = await client.get("/rapport", params=asked | {"publicerad": "1"}, headers=AUTH)
    assert 'id="diagram-trend-new' not in published.text
    assert 'id="diagram-months-new' not in published.text
