"""Reporting as it runs (real Redis, SQLite and PostgreSQL): a closed month keeps its figures
as closed while a late correction restates it, a quarter is its three months, and an
insats's targets are set by the förbund's admins and shown against the outcome."""

import csv
import io
import re
from datetime import UTC, date, datetime

import openpyxl
import pytest
from redis.asyncio import Redis

from shared.contract.records import (
    InsatsRegistered,
    OutcomeChange,
    ParticipantRecord,
    ParticipantRecordChanged,
)
from shared.platform.settings import Settings
from tests.conftest import SERVICE_AUTH as AUTH
from tests.reporting.running import report, running_reporting
from tests.reporting.support import changed


def _at(position: int, moment: datetime) -> dict:
    return {
        "change_id": f"c{position}",
        "generation": 1,
        "position": position,
        "occurred_at": moment,
    }


def _change(position: int, moment: datetime, before, after) -> ParticipantRecordChanged:
    record = after or before
    return ParticipantRecordChanged(
        **_at(position, moment),
        insats_id=record.insats_id,
        participant_id=record.participant_id,
        before=before,
        after=after,
    )


ANNA = ParticipantRecord(
    participant_id="P1",
    insats_id="a",
    gender="kvinna",
    start_date=date(2025, 1, 8),
    health_better=None,
)
ANNA_TO_WORK = changed(
    ANNA,
    {
        "end_date": date(2025, 2, 20),
        "reason": "arbete",
        "outcome_class": "positive",
        "direct_to_work_or_studies": True,
        "health_better": True,
    },
)
ANNA_ILL = changed(
    ANNA_TO_WORK,
    {"reason": "sjukdom", "outcome_class": "other", "direct_to_work_or_studies": False},
)
BO = ParticipantRecord(
    participant_id="P2", insats_id="b", gender="man", start_date=date(2025, 2, 3)
)
BO_TO_STUDIES = changed(
    BO,
    {
        "end_date": date(2025, 6, 30),
        "reason": "studier",
        "outcome_class": "positive",
        "direct_to_work_or_studies": True,
        "health_better": False,
    },
)

HISTORY: list[OutcomeChange] = [
    InsatsRegistered(
        **_at(1, datetime(2025, 1, 2, tzinfo=UTC)),
        insats_id="a",
        name="Arbetsrehab",
        registration="individ",
    ),
    InsatsRegistered(
        **_at(2, datetime(2025, 1, 2, tzinfo=UTC)),
        insats_id="b",
        name="Steget",
        registration="individ",
    ),
    _change(3, datetime(2025, 1, 10, tzinfo=UTC), None, ANNA),
    _change(4, datetime(2025, 2, 5, tzinfo=UTC), None, BO),
    # Registered 3 March: in time for February, which closes when 5 March ends.
    _change(5, datetime(2025, 3, 3, tzinfo=UTC), ANNA, ANNA_TO_WORK),
    _change(6, datetime(2025, 7, 1, tzinfo=UTC), BO, BO_TO_STUDIES),
    # Corrected in May: February had closed, so this restates it.
    _change(7, datetime(2025, 5, 12, tzinfo=UTC), ANNA_TO_WORK, ANNA_ILL),
]


@pytest.fixture
async def client(settings: Settings, redis: Redis):
    async with running_reporting(settings, redis, *HISTORY) as client:
        yield client


def _exits(answer: dict) -> tuple:
    return tuple(
        answer["figures"][name]["total"] for name in ("ended", "positive_exits", "other_exits")
    )


async def test_a_closed_month_shows_the_restated_figures_and_keeps_them_as_closed(
    client,
) -> None:
    february = await report(client, year=2025, period="2025-02", insats="a")
    closing = february["closing"]
    assert (closing["closed"], closing["recorded"], closing["restated"]) == (True, True, True)
    assert closing["closes_at"] == "2025-03-06T00:00:00+01:00"
    assert _exits(february) == (1, 0, 1)  # now: ended for illness
    changed = {
        (c["section"], c["name"], c["column"]): (c["as_closed"], c["now"])
        for c in closing["changes"]
    }
    assert changed[("figures", "positive_exits", "kvinna")] == (1, 0)
    assert changed[("figures", "other_exits", "total")] == (0, 1)
    assert changed[("shares", "positive_exits", "total")] == (100, 0)
    assert ("figures", "ended", "total") not in changed

    as_closed = await report(client, year=2025, period="2025-02", insats="a", as_closed="true")
    assert _exits(as_closed) == (1, 1, 0)
    assert as_closed["closing"]["as_closed"] is True
    assert as_closed["closing"]["changes"] == closing["changes"]

    # The helår closed after the correction: as closed it already counted it.
    year = await report(client, year=2025, period="helar", insats="a")
    assert (year["closing"]["restated"], year["closing"]["changes"]) == (False, [])


async def test_a_period_without_figures_as_closed_says_why(client) -> None:
    this_month = datetime.now(UTC)
    month = f"{this_month.year}-{this_month.month:02d}"
    not_yet = await client.get(
        "/api/v1/reports",
        headers=AUTH,
        params={"year": this_month.year, "period": month, "as_closed": "true"},
    )
    assert not_yet.status_code == 422
    assert "has not closed yet" in not_yet.text and "as_closed" in not_yet.text
    before_stegvis = await client.get(
        "/api/v1/reports",
        headers=AUTH,
        params={"year": 2024, "period": "helar", "as_closed": "true"},
    )
    assert before_stegvis.status_code == 422
    assert "before Stegvis counted" in before_stegvis.text
    answer = await report(client, year=2024, period="helar")
    assert answer["closing"] | {"changes": None} == {
        "closes_at": "2025-01-06T00:00:00+01:00",
        "closed": True,
        "recorded": False,
        "as_closed": False,
        "restated": False,
        "changes": None,
    }


async def test_targets_are_set_by_the_admins_and_shown_met_or_not(client) -> None:
    put = await client.put(
        "/api/v1/insatser/a/targets",
        headers=AUTH,
        json={"direct_to_work_or_studies": 40, "health_better": 70},
    )
    assert put.status_code == 200, put.text
    await client.put("/api/v1/insatser/b/targets", headers=AUTH, json={"positive_exits": 50})
    assert (await client.get("/api/v1/insatser/a/targets", headers=AUTH)).json() == {
        "insats": "a",
        "targets": {"direct_to_work_or_studies": 40, "health_better": 70},
    }

    a = await report(client, year=2025, period="helar", insats="a")
    # Anna ended for illness (not direct to work) but feels better: 0 % and 100 %.
    assert a["targets"] == [
        {"share": "direct_to_work_or_studies", "target": 40, "outcome": 0, "met": False},
        {"share": "health_better", "target": 70, "outcome": 100, "met": True},
    ]
    whole = await report(client, year=2025, period="helar")
    assert [(t["insats"], t["share"], t["outcome"], t["met"]) for t in whole["targets"]] == [
        ("a", "direct_to_work_or_studies", 0, False),
        ("a", "health_better", 100, True),
        ("b", "positive_exits", 100, True),
    ]
    # A share of nobody (no one ended in January) meets nothing and fails nothing.
    january = await report(client, year=2025, period="2025-01", insats="b")
    assert january["targets"] == [
        {"share": "positive_exits", "target": 50, "outcome": None, "met": None}
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"positive_exits": 101}, "positive_exits"),
        ({"other_exits": 10}, "other_exits"),
        ({"health_better": "många"}, "health_better"),
    ],
)
async def test_a_bad_target_is_refused_and_changes_nothing(client, body, field) -> None:
    await client.put("/api/v1/insatser/a/targets", headers=AUTH, json={"health_better": 70})
    refused = await client.put("/api/v1/insatser/a/targets", headers=AUTH, json=body)
    assert refused.status_code == 422
    assert field in {error["loc"][-1] for error in refused.json()["detail"]}
    assert (await client.get("/api/v1/insatser/a/targets", headers=AUTH)).json()["targets"] == {
        "health_better": 70
    }
    unknown = await client.put(
        "/api/v1/insatser/okand/targets", headers=AUTH, json={"health_better": 70}
    )
    assert unknown.status_code == 404


def _found(pattern: str, page: str) -> str:
    """The first group of the pattern's first match (across lines) on the page."""
    match = re.search(pattern, page, re.S)
    assert match is not None, pattern
    return match[1]


def _cells_marked(page: str) -> list[str]:
    return re.findall(r'<td class="restated" title="([^"]*)">([^<]*)</td>', page)


async def test_the_page_marks_what_changed_since_closing_and_links_the_figures_as_closed(
    client,
) -> None:
    await client.put(
        "/api/v1/insatser/a/targets",
        headers=AUTH,
        json={"direct_to_work_or_studies": 40, "health_better": 70},
    )
    page = (
        await client.get(
            "/rapport", headers=AUTH, params={"year": 2025, "period": "02", "insats": "a"}
        )
    ).text
    assert "Ändrade sedan perioden stängdes" in page
    assert "2025-03-06 00:00 CET" in page  # the closing, in Swedish time
    marked = _cells_marked(page)
    # Positive exits (total and women) 1 → 0, other exits 0 → 1, their shares, the reasons.
    assert ("Vid stängningen: 1", "0 (0)&nbsp;*") in marked
    assert ("Vid stängningen: 0", "1 (0)&nbsp;*") in marked
    assert ("Vid stängningen: 100\u00a0%", "0\u00a0% (–)&nbsp;*") in marked
    as_closed_link = _found(r'href="(/rapport\?[^"]*som_stangd=1[^"]*)"', page)
    closed_page = (await client.get(as_closed_link.replace("&amp;", "&"), headers=AUTH)).text
    assert "Siffrorna som de var när perioden stängdes" in closed_page
    assert ("Nu: 0", "1 (0)&nbsp;*") in _cells_marked(closed_page)
    # Targets, met or not, in words.
    assert "✗ Ej uppnått" in page and "✓ Uppnått" in page

    unchanged = (
        await client.get(
            "/rapport", headers=AUTH, params={"year": 2025, "period": "helar", "insats": "a"}
        )
    ).text
    assert "siffrorna är oförändrade sedan dess" in unchanged
    assert _cells_marked(unchanged) == []


async def test_the_published_page_hides_small_counts_as_the_published_export_does(
    client,
) -> None:
    params = {"year": 2025, "period": "helar"}
    exact = (await client.get("/rapport", headers=AUTH, params=params)).text
    assert "Visa versionen för publicering" in exact and "<svg" in exact
    published = (
        await client.get("/rapport", headers=AUTH, params=params | {"publicerad": "1"})
    ).text
    answer = await report(client, **params, suppress="true")
    assert answer["figures"]["ended"]["total"] is None  # 2 ended: below 5
    assert "Publicerad version:" in published and answer["suppression"]["note"] in published
    ended = _found(r"<th scope=\"row\">Avslutade</th>(.*?)</tr>", published)
    assert re.findall(r"<td>([^<]*)</td>", ended) == [".. (0)"] * 3 + ["0 (0)"]
    assert "<svg" not in published  # charts would show what the table hides


# --- quarters (contract v1.1) ---------------------------------------------------------------

COLUMNS = ("total", "kvinna", "man", "annan")
QUARTER_MONTHS = {"q1": ("01", "02", "03"), "q2": ("04", "05", "06")}


@pytest.mark.parametrize("insats", [None, "a", "b"])
async def test_a_quarter_is_its_three_months(client, insats: str | None) -> None:
    of_insats = {"insats": insats} if insats else {}
    quarters = {}
    for quarter, months in QUARTER_MONTHS.items():
        answer = await report(client, year=2025, period=quarter, **of_insats)
        quarters[quarter] = answer
        in_months = [
            await report(client, year=2025, period=f"2025-{month}", **of_insats) for month in months
        ]
        for figure in ("new", "ended", "positive_exits", "other_exits"):
            summed = {c: sum(m["figures"][figure][c] for m in in_months) for c in COLUMNS}
            assert answer["figures"][figure] == summed, (quarter, figure)
        assert answer["figures"]["opening"] == in_months[0]["figures"]["opening"]
        assert answer["figures"]["ongoing_at_end"] == in_months[-1]["figures"]["ongoing_at_end"]
    assert quarters["q1"]["period"] == {"kind": "quarter", "from": "2025-01-01", "to": "2025-03-31"}
    assert quarters["q2"]["previous_year"]["period"] == {
        "kind": "quarter",
        "from": "2024-04-01",
        "to": "2024-06-30",
    }
    assert quarters["q2"]["figures"]["opening"] == quarters["q1"]["figures"]["ongoing_at_end"]
    if insats is None:
        # Anna and Bo started in q1; Anna ended in it, Bo in q2.
        assert _exits(quarters["q1"]) == (1, 0, 1) and _exits(quarters["q2"]) == (1, 1, 0)
        assert quarters["q2"]["figures"]["opening"]["man"] == 1


async def test_a_quarter_closes_with_its_last_month_and_keeps_its_figures_as_closed(
    client,
) -> None:
    q1 = await report(client, year=2025, period="q1", insats="a")
    # March closes 5 days after it ends (summer time by then); the May correction restates q1.
    assert q1["closing"]["closes_at"] == "2025-04-06T00:00:00+02:00"
    assert (q1["closing"]["recorded"], q1["closing"]["restated"]) == (True, True)
    assert _exits(q1) == (1, 0, 1)
    as_closed = await report(client, year=2025, period="q1", insats="a", as_closed="true")
    assert _exits(as_closed) == (1, 1, 0)
    assert as_closed["closing"]["as_closed"] is True
    # Bo's stop was accepted 1 July, in time for June's closing.
    q2 = await report(client, year=2025, period="q2", insats="b", as_closed="true")
    assert _exits(q2) == (1, 1, 0) and q2["closing"]["restated"] is False


@pytest.mark.parametrize("period", ["q5", "q0", "Q1", "q", "kvartal1"])
async def test_a_quarter_that_is_none_is_refused_naming_the_period(client, period) -> None:
    refused = await client.get(
        "/api/v1/reports", headers=AUTH, params={"year": 2025, "period": period}
    )
    assert refused.status_code == 422
    assert [error["loc"][-1] for error in refused.json()["detail"]] == ["period"]


async def test_a_quarter_on_the_page_and_in_the_exports(client) -> None:
    params = {"year": 2025, "period": "q1", "insats": "a"}
    page = (await client.get("/rapport", headers=AUTH, params=params)).text
    assert "Arbetsrehab: Kvartal 1 2025 (januari–mars)" in page
    assert '<option value="q1" selected>Kvartal 1 (jan–mar)</option>' in page
    assert '<option value="q4">Kvartal 4 (okt–dec)</option>' in page
    assert "samma period året innan\n      (Kvartal 1 2024 (januari–mars))" in page

    exported = await client.get("/api/v1/reports", headers=AUTH, params=params | {"format": "csv"})
    assert exported.status_code == 200
    disposition = exported.headers["content-disposition"]
    assert disposition == 'attachment; filename="stegvis-a-2025-q1.csv"'
    rows = {tuple(row[:3]): row[3:] for row in csv.reader(io.StringIO(exported.text))}
    assert rows[("figures", "ended", "")] == ["1", "1", "0", "0", "0", "0", "0", "0"]

    workbook = await client.get(
        "/api/v1/reports", headers=AUTH, params=params | {"format": "xlsx", "suppress": "true"}
    )
    assert workbook.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.content)).worksheets[0]
    assert sheet["A1"].value == "Arbetsrehab: Kvartal 1 2025 (januari–mars)"
    assert "stegvis-a-2025-q1-publicerad.xlsx" in workbook.headers["content-disposition"]
