"""Economy per insats as reporting runs (real Redis, SQLite and PostgreSQL): the förbund's
admins set budgets and monthly costs over HTTP, and every report carries its economy in
whole kronor, beside the same period a year earlier and, for the whole förbund, summed with
the share spent on insatser of individuals."""

import io
from datetime import UTC, date, datetime

import openpyxl
import pytest
from redis.asyncio import Redis

from services.reporting import bootstrap
from shared.contract.codes import Reason
from shared.platform.settings import Settings
from tests.conftest import SERVICE_AUTH as AUTH
from tests.reporting.board import history
from tests.reporting.page_text import row, text
from tests.reporting.running import processed_through, publish_changes, report, running_reporting
from tests.reporting.workbook_check import assert_sheet_shows

HISTORY = history(
    {"a": "individ", "v": "volym"},
    [
        ("a", "kvinna", date(2025, 1, 8), date(2025, 2, 20), Reason.ARBETE),
        ("a", "man", date(2025, 1, 15), None, None),
        ("a", "kvinna", date(2025, 2, 3), None, None),
    ],
)


@pytest.fixture
async def client(settings: Settings, redis: Redis):
    async with running_reporting(settings, redis, *HISTORY) as client:
        yield client


async def _put(client, path: str, body) -> None:
    response = await client.put(f"/api/v1/insatser/{path}", headers=AUTH, json=body)
    assert response.status_code == 200, response.text


async def _money(client) -> None:
    await _put(
        client,
        "a/budget/2025",
        {"budget": 1_200_000, "financiers": {"forbundet": 800_000, "esf": 400_000}},
    )
    await _put(client, "a/costs/2025-01", {"amount": 90_000})
    await _put(client, "a/costs/2025-02", {"amount": 50_000})
    await _put(client, "a/costs/2025-02", {"amount": 110_000})  # the latest wins
    await _put(client, "a/budget/2024", {"budget": 1_000_000})
    await _put(client, "a/costs/2024-03", {"amount": 30_000})
    await _put(client, "v/budget/2025", {"budget": 300_000})
    await _put(client, "v/costs/2025-01", {"amount": 100_000})


async def test_an_insats_report_carries_its_economy_beside_last_year(client) -> None:
    await _money(client)
    year = await report(client, year=2025, period="helar", insats="a")
    assert year["figures"]["participants"]["total"] == 3
    assert year["economy"] == {
        "budget": 1_200_000,
        "costs": 200_000,
        "budget_used_percent": 17,  # 16.67 %
        "cost_per_participant": 66_667,  # 200 000 / 3 = 66 666.67
        "cost_per_ended": 200_000,
    }
    # Nobody took part in 2024: no cost per participant, not a division by zero.
    assert year["previous_year"]["economy"] == {
        "budget": 1_000_000,
        "costs": 30_000,
        "budget_used_percent": 3,
        "cost_per_participant": None,
        "cost_per_ended": None,
    }
    february = await report(client, year=2025, period="2025-02", insats="a")
    assert february["economy"] == {
        "budget": 1_200_000,
        "costs": 110_000,
        "budget_used_percent": 9,  # 9.17 %
        "cost_per_participant": 36_667,  # 110 000 / 3
        "cost_per_ended": 110_000,
    }
    # Economy is not a count of people: the published version shows it, but for a cost per
    # person whose count it hides (200 000 kr / 66 667 kr per participant would tell 3).
    published = await report(client, year=2025, period="helar", insats="a", suppress="true")
    assert published["figures"]["participants"]["total"] is None
    assert published["figures"]["ended"]["total"] is None
    assert published["economy"] == year["economy"] | {
        "cost_per_participant": None,
        "cost_per_ended": None,
    }
    # The whole förbund's counts are hidden too here (it is this one insats's and a few
    # volume participants'), and so are its costs per person.
    whole = await report(client, year=2025, period="helar", suppress="true")
    exact = await report(client, year=2025, period="helar")
    assert whole["economy"]["costs"] == exact["economy"]["costs"] == 300_000
    for name, base in (("cost_per_participant", "participants"), ("cost_per_ended", "ended")):
        shown = whole["figures"][base]["total"] is not None
        assert whole["economy"][name] == (exact["economy"][name] if shown else None), name


async def test_the_forbund_sums_its_insatser_and_tells_the_share_on_individuals(client) -> None:
    whole = await report(client, year=2025, period="helar")
    assert whole["economy"] == {
        "budget": None,
        "costs": 0,
        "budget_used_percent": None,
        "cost_per_participant": 0,
        "cost_per_ended": 0,
        "individual_share_percent": None,
    }
    await _money(client)
    whole = await report(client, year=2025, period="helar")
    assert whole["economy"] == {
        "budget": 1_500_000,
        "costs": 300_000,
        "budget_used_percent": 20,
        "cost_per_participant": 100_000,
        "cost_per_ended": 300_000,
        "individual_share_percent": 67,  # 200 000 of 300 000 on the insats of individuals
    }
    assert whole["previous_year"]["economy"]["individual_share_percent"] == 100
    assert whole["previous_year"]["economy"]["budget_used_percent"] == 3  # 30 000 of 1 000 000
    # An insats without a budget or costs: null budget, no costs.
    volume = await report(client, year=2024, period="helar", insats="v")
    assert volume["economy"] == {
        "budget": None,
        "costs": 0,
        "budget_used_percent": None,
        "cost_per_participant": None,
        "cost_per_ended": None,
    }


async def test_what_is_stored_reads_back(client) -> None:
    await _money(client)
    budget = await client.get("/api/v1/insatser/a/budget/2025", headers=AUTH)
    assert budget.json() == {
        "insats": "a",
        "year": 2025,
        "budget": 1_200_000,
        "financiers": {"esf": 400_000, "forbundet": 800_000},
    }
    assert (await client.get("/api/v1/insatser/a/budget/2023", headers=AUTH)).json() == {
        "insats": "a",
        "year": 2023,
        "budget": None,
        "financiers": {},
    }
    # A new budget replaces the old, its financiers with it.
    await _put(client, "a/budget/2025", {"budget": 1_000_000})
    budget = await client.get("/api/v1/insatser/a/budget/2025", headers=AUTH)
    assert (budget.json()["budget"], budget.json()["financiers"]) == (1_000_000, {})
    cost = await client.get("/api/v1/insatser/a/costs/2025-02", headers=AUTH)
    assert cost.json() == {"insats": "a", "month": "2025-02", "amount": 110_000}
    unset = await client.get("/api/v1/insatser/a/costs/2025-12", headers=AUTH)
    assert unset.json()["amount"] is None
    for path in ("okand/budget/2025", "okand/costs/2025-01"):
        assert (await client.get(f"/api/v1/insatser/{path}", headers=AUTH)).status_code == 404
    unknown = await client.put(
        "/api/v1/insatser/okand/budget/2025", headers=AUTH, json={"budget": 1}
    )
    assert unknown.status_code == 404
    unknown = await client.put(
        "/api/v1/insatser/okand/costs/2025-01", headers=AUTH, json={"amount": 1}
    )
    assert unknown.status_code == 404


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("budget/2025", {"budget": -1}, "budget"),
        ("budget/2025", {"budget": 1.5}, "budget"),
        ("budget/2025", {"budget": 100.0}, "budget"),
        ("budget/2025", {"budget": "100"}, "budget"),
        ("budget/2025", {"budget": 100, "financiers": {"forbundet": 60, "esf": 30}}, "financiers"),
        ("budget/2025", {"budget": 100, "financiers": {"Anna Andersson": 100}}, "financiers"),
        ("budget/2025", {"budget": 100, "financiers": {"esf": -1, "forbundet": 101}}, "financiers"),
        ("budget/2025", {"budget": 100, "note": "x"}, "note"),
        ("budget/0", {"budget": 100}, "year"),
        ("costs/2025-13", {"amount": 5}, "month"),
        ("costs/2025-1", {"amount": 5}, "month"),
        ("costs/2025-02", {"amount": -5}, "amount"),
        ("costs/2025-02", {"amount": 5.0}, "amount"),
        ("costs/2025-02", {}, "amount"),
    ],
)
async def test_bad_input_is_refused_naming_the_field_and_changes_nothing(
    client, path, body, field
) -> None:
    await _money(client)
    before = await report(client, year=2025, period="helar", insats="a")
    refused = await client.put(f"/api/v1/insatser/a/{path}", headers=AUTH, json=body)
    assert refused.status_code == 422, refused.text
    assert any(field in error["loc"] for error in refused.json()["detail"]), refused.text
    after = await report(client, year=2025, period="helar", insats="a")
    assert after["economy"] == before["economy"]
    stored = await client.get("/api/v1/insatser/a/budget/2025", headers=AUTH)
    assert stored.json()["financiers"] == {"esf": 400_000, "forbundet": 800_000}
    assert (await client.get("/api/v1/insatser/a/costs/2025-02", headers=AUTH)).json()[
        "amount"
    ] == 110_000


async def test_an_identity_number_as_a_financier_is_refused_unechoed(client) -> None:
    refused = await client.put(
        "/api/v1/insatser/a/budget/2025",
        headers=AUTH,
        json={"budget": 100, "financiers": {"198501011236": 100}},
    )
    assert refused.status_code == 422
    assert "financiers" in refused.json()["detail"][0]["loc"]
    assert "198501011236" not in refused.text
    stored = await client.get("/api/v1/insatser/a/budget/2025", headers=AUTH)
    assert stored.json()["budget"] is None


async def test_a_rebuild_keeps_the_economy_and_the_goals(client, settings, redis) -> None:
    await _money(client)
    await _put(client, "a/goals", [{"figure": "new", "at_least": 2}])
    before = await report(client, year=2025, period="helar")
    async with bootstrap.resetting(settings) as reset:
        await reset(2, ())
    # The rebuild: intake's log again, in the new generation.
    await publish_changes(
        redis,
        settings,
        *(
            change.model_copy(update={"generation": 2, "change_id": f"{change.change_id}-2"})
            for change in HISTORY
        ),
    )
    await processed_through(client, max(change.position for change in HISTORY))
    after = await report(client, year=2025, period="helar")
    assert (after["economy"], after["goals"]) == (before["economy"], before["goals"])
    assert after["goals"] == [
        {"insats": "a", "figure": "new", "at_least": 2, "outcome": 3, "met": True}
    ]


async def test_a_cost_set_after_its_month_closed_restates_it_and_as_closed_keeps_the_old(
    settings: Settings, redis: Redis
) -> None:
    now = [datetime(2025, 1, 20, tzinfo=UTC)]
    async with running_reporting(settings, redis, *HISTORY, clock=lambda: now[0]) as client:
        await _put(client, "a/costs/2025-01", {"amount": 90_000})
        now[0] = datetime(2025, 2, 10, tzinfo=UTC)  # January closed on 5 February
        closed = await report(client, year=2025, period="2025-01", insats="a")
        assert (closed["economy"]["costs"], closed["closing"]["restated"]) == (90_000, False)

        await _put(client, "a/costs/2025-01", {"amount": 96_000})  # the bookkeeping's correction
        await _put(client, "a/costs/2025-02", {"amount": 10_000})  # February is still open
        current = await report(client, year=2025, period="2025-01", insats="a")
        as_closed = await report(client, year=2025, period="2025-01", insats="a", as_closed="true")
        assert current["economy"]["costs"] == 96_000
        assert as_closed["economy"]["costs"] == 90_000
        assert current["economy"]["cost_per_participant"] == 48_000  # 2 took part in January
        assert as_closed["economy"]["cost_per_participant"] == 45_000
        changes = {
            (change["section"], change["name"], change["column"]): (
                change["as_closed"],
                change["now"],
            )
            for change in current["closing"]["changes"]
        }
        assert changes == {
            ("economy", "costs", "total"): (90_000, 96_000),
            ("economy", "cost_per_participant", "total"): (45_000, 48_000),
        }
        assert current["closing"]["restated"] is True

        # The quarter closes after the correction: as closed, it counts the corrected cost.
        now[0] = datetime(2025, 4, 10, tzinfo=UTC)
        q1 = await report(client, year=2025, period="q1", insats="a", as_closed="true")
        assert q1["economy"]["costs"] == 106_000
        whole = await report(client, year=2025, period="2025-01", as_closed="true")
        assert whole["economy"]["costs"] == 90_000  # the förbund's as closed too


GOALS = [
    {"figure": "new", "at_least": 2, "gender": "kvinna"},
    {"share": "reason:arbete", "at_least_percent": 30},
    {"share": "positive_exits", "higher_than_previous_year": True},
]


async def test_the_page_and_the_workbook_show_the_economy_and_the_goals(client) -> None:
    await _money(client)
    await _put(client, "a/goals", GOALS)
    asked = {"year": 2025, "period": "helar", "insats": "a"}
    page = (await client.get("/rapport", params=asked, headers=AUTH)).text

    assert row(page, "Post") == ["Perioden", "Året innan"]
    assert row(page, "Budget (året)") == ["1 200 000 kr", "1 000 000 kr"]
    # 2025 closed long before these costs were set: they restate it, marked *.
    assert row(page, "Kostnader under perioden (utfall)") == ["200 000 kr *", "30 000 kr"]
    assert row(page, "Andel av budgeten som använts") == ["17 % *", "3 %"]
    assert row(page, "Kostnad per deltagare") == ["66 667 kr *", "–"]
    assert row(page, "Kostnad per avslutad deltagare") == ["200 000 kr *", "–"]
    assert 'title="Vid stängningen: 0\u00a0kr"' in page
    assert "Andel av kostnaderna till individinsatser" not in text(page)  # the förbund's only
    # As a board writes them, with the outcome, met or not or without a base.
    assert row(page, "Minst 2 nya, kvinnor") == ["2", "✓ Uppnått"]
    assert row(page, "Minst 30 % avslut med anledning arbete utan lönesubvention") == [
        "100 %",
        "✓ Uppnått",
    ]
    assert row(page, "Högre andel positiva avslut än 2024") == ["100 %", "Inget underlag"]

    whole = (
        await client.get("/rapport", params={"year": 2025, "period": "helar"}, headers=AUTH)
    ).text
    assert row(whole, "Andel av kostnaderna till individinsatser") == ["67 % *", "100 %"]
    assert row(whole, "Insats a") == ["Minst 2 nya, kvinnor", "2", "✓ Uppnått"]

    published = (
        await client.get("/rapport", params=asked | {"publicerad": "1"}, headers=AUTH)
    ).text
    # 3 participants, 1 ended: hidden, and so are the costs per person.
    assert row(published, "Kostnad per deltagare") == ["..", "–"]
    assert row(published, "Kostnader under perioden (utfall)") == ["200 000 kr", "30 000 kr"]
    assert "antalet den delas med är dolt" in text(published)
    assert row(published, "Minst 2 nya, kvinnor") == ["..", "Inget underlag"]

    response = await client.get("/api/v1/reports", params=asked | {"format": "xlsx"}, headers=AUTH)
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert_sheet_shows(sheet, await report(client, **asked))
    economy = [r for r in sheet.iter_rows(values_only=True) if r[0] == "Budget (året)"]
    assert economy == [("Budget (året)", 1_200_000, 1_000_000, *(None,) * 6)]


async def test_the_forbund_tells_no_share_of_budget_while_an_insats_spends_without_one(
    client,
) -> None:
    await _money(client)
    await _put(client, "v/costs/2024-05", {"amount": 10_000})  # v has no budget for 2024
    whole = await report(client, year=2024, period="helar")
    # 40 000 against a's 1 000 000 alone would say 4 %: v's costs are in no budget.
    assert whole["economy"] == {
        "budget": 1_000_000,
        "costs": 40_000,
        "budget_used_percent": None,
        "cost_per_participant": None,  # nobody took part in 2024
        "cost_per_ended": None,
        "individual_share_percent": 75,
    }
    await _put(client, "v/budget/2024", {"budget": 200_000})
    whole = await report(client, year=2024, period="helar")
    assert whole["economy"]["budget_used_percent"] == 3  # 40 000 of 1 200 000
