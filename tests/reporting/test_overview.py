"""The överblick as reporting runs (real Redis, SQLite and PostgreSQL): every insats side by
side with the whole förbund, each row what that report itself says (figures, shares,
economy, targets and goals met), published from the reports suppressed together, and only
the rows the caller may read; as JSON and as the Swedish page."""

import re
from datetime import date

import pytest
from redis.asyncio import Redis

from services.reporting.domain.document import Overview
from services.reporting.domain.overview import SHOWN
from services.reporting.domain.suppression import is_hidden
from services.reporting.entrypoints import labels
from shared.contract.access import Role, new_secret
from shared.contract.codes import Reason
from shared.platform.settings import Settings
from tests.conftest import SERVICE_AUTH as AUTH
from tests.reporting.accounts import bearer, credential, user
from tests.reporting.board import history
from tests.reporting.running import apply_access, report, running_reporting

ENDED = date(2025, 6, 2)
HISTORY = history(
    {"a": "individ", "b": "individ", "v": "volym"},
    [
        *(("a", "kvinna", date(2025, 1, 8), ENDED, Reason.ARBETE) for _ in range(6)),
        *(("a", "man", date(2025, 2, 3), ENDED, Reason.SJUKDOM) for _ in range(2)),
        ("a", "man", date(2024, 3, 1), None, None),
        *(("b", "kvinna", date(2025, 4, 1), ENDED, Reason.STUDIER) for _ in range(5)),
        ("b", "annan", date(2025, 4, 1), None, None),
    ],
)
PARAMS = {"year": 2025, "period": "helar"}


@pytest.fixture
async def client(settings: Settings, redis: Redis):
    async with running_reporting(settings, redis, *HISTORY) as client:
        for path, body in (
            ("a/targets", {"positive_exits": 70, "health_better": 50}),
            ("b/goals", [{"figure": "ended", "at_least": 10}]),
            ("a/budget/2025", {"budget": 1_200_000}),
            ("a/costs/2025-03", {"amount": 95_000}),
            ("b/costs/2025-05", {"amount": 40_001}),
        ):
            answer = await client.put(f"/api/v1/insatser/{path}", json=body, headers=AUTH)
            assert answer.status_code == 200, answer.text
        yield client


async def _overview(client, headers: dict = AUTH, **params) -> dict:
    response = await client.get("/api/v1/reports/overview", params=PARAMS | params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def _goals(report: dict) -> dict:
    judged = [result["met"] for result in report["targets"] + report["goals"]]
    return {"count": len(judged), "met": judged.count(True), "not_met": judged.count(False)}


def _row(report: dict, registration: str | None) -> dict:
    """The row the overview shows of a report."""
    return {
        "insats": report["insats"],
        "name": report["insats_name"],
        "registration": registration,
        "figures": report["figures"],
        "shares": report["shares"],
        "economy": report["economy"],
        "goals": _goals(report),
    }


@pytest.mark.parametrize("published", [False, True], ids=["exact", "published"])
async def test_each_row_is_what_its_own_report_says(client, published: bool) -> None:
    asked = {"suppress": "true"} if published else {}
    overview = await _overview(client, **asked)

    reports = {
        insats: await report(client, **PARAMS, **asked, **({"insats": insats} if insats else {}))
        for insats in (None, "a", "b", "v")
    }
    assert overview["insatser"] == [
        _row(reports[insats], registration)
        for insats, registration in (("a", "individ"), ("b", "individ"), ("v", "volym"))
    ]
    assert overview["forbund"] == _row(reports[None], None)
    assert overview["period"] == reports[None]["period"]
    assert overview["processed_through"] == reports[None]["processed_through"]
    a = overview["insatser"][0]
    assert a["economy"]["costs"] == 95_000 and a["economy"]["budget"] == 1_200_000
    assert overview["forbund"]["economy"]["costs"] == 135_001
    assert overview["forbund"]["goals"]["count"] == 3
    if published:
        assert overview["suppression"] == reports[None]["suppression"]
        assert a["figures"]["ended"]["man"] is None  # 2 men: hidden
    else:
        assert "suppression" not in overview
        assert a["figures"]["ended"]["man"] == 2
        assert a["goals"] == {"count": 2, "met": 1, "not_met": 0}  # 75 % positive; no answers
        assert overview["insatser"][1]["goals"] == {"count": 1, "met": 0, "not_met": 1}
        assert overview["forbund"]["goals"] == {"count": 3, "met": 1, "not_met": 1}


async def test_each_caller_sees_the_rows_it_may_read(
    client, settings: Settings, redis: Redis
) -> None:
    anna, lars = new_secret(), new_secret()
    await apply_access(
        redis,
        settings,
        user("anna", Role.INSATSANSVARIG, "b"),
        credential("anna", anna),
        user("lars", Role.LASARE),
        credential("lars", lars),
    )
    granted = await _overview(client, bearer(anna))
    assert [row["insats"] for row in granted["insatser"]] == ["b"]
    assert granted["forbund"] is None
    every = await _overview(client, bearer(lars))
    assert [row["insats"] for row in every["insatser"]] == ["a", "b", "v"]
    assert every["forbund"]["figures"]["ended"]["total"] == 13

    page = await client.get(
        "/rapport/oversikt", params=PARAMS, headers=bearer(anna) | {"Accept": "text/html"}
    )
    assert page.status_code == 200
    assert "Insats b" in page.text and "Insats a" not in page.text
    assert labels.FORBUND not in _table(page.text)


async def test_bad_input_is_refused_naming_the_field(client) -> None:
    for params, field in (({"year": "x"}, "year"), ({"period": "2024-13"}, "period")):
        response = await client.get(
            "/api/v1/reports/overview", params=PARAMS | params, headers=AUTH
        )
        assert response.status_code == 422, response.text
        assert field in response.text


def _table(page: str) -> str:
    found = re.search(r'<table class="overview">.*?</table>', page, re.S)
    return found[0] if found else ""


def _cells(page: str, name: str) -> list[str]:
    """The texts of the row headed `name` of the page's overview table."""
    row = re.search(rf"<tr[^>]*>\s*<th scope=\"row\">(?:<a [^>]*>)?{name}.*?</tr>", page, re.S)
    assert row, name
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", cell)).strip()
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", row[0], re.S)
    ]


@pytest.mark.parametrize("published", [False, True], ids=["exact", "published"])
async def test_the_page_shows_the_rows_of_the_json(client, published: bool) -> None:
    asked = {"publicerad": "1"} if published else {}
    page = await client.get(
        "/rapport/oversikt", params=PARAMS | asked, headers=AUTH | {"Accept": "text/html"}
    )
    assert page.status_code == 200, page.text
    assert f"<h1>{labels.OVERVIEW_PAGE}: Helår 2025</h1>" in page.text
    overview = Overview.model_validate(
        await _overview(client, **({"suppress": "true"} if published else {}))
    )
    rows = [*overview.insatser, overview.forbund]
    for row, name in zip(rows, ["Insats a", "Insats b", "Insats v", labels.FORBUND], strict=True):
        assert row is not None
        texts = []
        for path in SHOWN:
            value, hidden = row.row(path).total, published and is_hidden(row, path, "total")
            show = labels.percent if path[0] == "shares" else labels.number
            texts.append(show(value, hidden).replace("\u00a0", " "))
        assert _cells(page.text, name)[: len(SHOWN)] == texts, name
    a = _cells(page.text, "Insats a")
    assert a[len(SHOWN) : len(SHOWN) + 2] == ["1 200 000 kr", "95 000 kr"]  # as on the report
    assert a[-1] == ("✓ 0 ✗ 0 av 2" if published else "✓ 1 ✗ 0 av 2")  # published: hidden
    assert _cells(page.text, "Insats v")[-1] == labels.DASH


async def test_a_bad_year_on_the_page_is_said_in_swedish(client) -> None:
    page = await client.get(
        "/rapport/oversikt",
        params={"year": "år", "period": "helar"},
        headers=AUTH | {"Accept": "text/html"},
    )
    assert page.status_code == 422
    assert "Ange ett år mellan" in page.text
