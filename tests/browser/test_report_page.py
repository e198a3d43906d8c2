"""The report page in Chromium, as the board's secretary opens it on a desktop and prints it:
the figures beside last year's, the charts drawn, and the print view; then the same for a
year of realistic data, with its economy, goals and trend. Screenshots go to
test-artifacts/screenshots/ (report.png, report-print.png; report-year.png, chart-reasons.png,
economy.png, goals.png, chart-trend.png, chart-trend-shares.png, chart-months.png,
report-year-print.png)."""

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.conftest import SCREENSHOTS, screenshot
from tests.browser.test_staff_forms import YEAR, _columns, _eventually_reported, _insats, _ok
from tests.e2e.conftest import TOKEN, System
from tests.e2e.year_loader import load_realistic_year

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1100, "height": 900}
INSATS = "rapport-rehab"
COLUMNS = ("total", "kvinna", "man", "annan")
REASONS = {
    "annan_insats": "Annan förberedande insats/fortsatt rehabilitering",
    "arbete": "Arbete utan lönesubvention",
}
"""The avslutsanledningar checked on the chart, as the page words them."""


@pytest.fixture
def desk(browser: Browser, system: System) -> Iterator[Page]:
    """A fresh browser at a desktop's width on reporting's pages."""
    context = browser.new_context(
        viewport=DESKTOP,
        base_url=f"http://127.0.0.1:{system.ports['reporting']}",
        locale="sv-SE",
    )
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def _registered_year(system: System) -> None:
    """Three participants started, two of them stopped (one to work, one ill)."""
    _insats(system, INSATS)
    codes = []
    for gender in ("kvinna", "man", "man"):
        body = {"start_date": f"{YEAR}-02-03", "gender": gender, "vas": 30}
        started = _ok(system.intake.post(f"/api/v1/insatser/{INSATS}/participants", json=body))
        codes.append(started["participant_id"])
    for code, reason in zip(codes, ("arbete", "sjukdom"), strict=False):
        _ok(
            system.intake.post(
                f"/api/v1/insatser/{INSATS}/participants/{code}/stop",
                json={"end_date": f"{YEAR}-09-30", "reason": reason},
            )
        )
    _eventually_reported(system, INSATS, {"ended": _columns(2, kvinna=1, man=1)})


def _log_in_to(desk: Page, target: str) -> None:
    """Log in with the admin token, as the login form asks, and land on `target`."""
    desk.goto(f"/logga-in?next={quote(target, safe='/')}")
    desk.get_by_label("Åtkomsttoken").fill(TOKEN)
    desk.get_by_role("button", name="Logga in").click()


def test_the_report_page_shows_figures_and_charts_and_prints(desk: Page, system: System) -> None:
    _registered_year(system)
    _log_in_to(desk, f"/rapport?year={YEAR}&period=helar&insats={INSATS}")

    expect(desk.get_by_role("heading", level=1)).to_contain_text("Rapport rehab")
    flows = desk.get_by_role("table").filter(has_text="Deltagare, avslut och svar")
    ended = flows.get_by_role("row", name="Avslutade", exact=False).first
    expect(ended).to_contain_text("2 (0)")
    charts = desk.get_by_role("img")
    expect(charts.first).to_be_visible()
    assert charts.count() >= 6
    screenshot(desk, "report")

    choose = desk.get_by_role("button", name="Visa rapport")
    expect(choose).to_be_visible()
    desk.emulate_media(media="print")
    expect(choose).to_be_hidden()  # the print is the report, not the form
    expect(charts.first).to_be_visible()
    screenshot(desk, "report-print")


def _row(table: Locator, label: str) -> Locator:
    """The table's row headed exactly `label`."""
    return table.locator("tr").filter(
        has=table.page.get_by_role("rowheader", name=label, exact=True)
    )


def _cells(report: dict, figure: str) -> list[str]:
    """How the page writes the figure: this year's beside last year's, `117 (97)`."""
    now, before = report["figures"][figure], report["previous_year"]["figures"][figure]
    return [f"{now[column]} ({before[column]})" for column in COLUMNS]


def test_a_realistic_year_on_the_report_page(desk: Page, system: System, tmp_path: Path) -> None:
    load_realistic_year(system, tmp_path)
    report = system.report(year=2026, period="helar")
    _log_in_to(desk, "/rapport?year=2026&period=helar")

    expect(desk.get_by_role("heading", level=1)).to_have_text("Hela förbundet: Helår 2026")
    flows = desk.get_by_role("table").filter(has_text="Deltagare, avslut och svar")
    for figure, label in (
        ("new", "Nya"),
        ("ended", "Avslutade"),
        ("positive_exits", "Positiva avslut"),
    ):
        expect(_row(flows, label).get_by_role("cell")).to_have_text(_cells(report, figure))
    reasons = desk.locator("figure").filter(has_text="Avslutade efter avslutsanledning")
    expect(reasons.get_by_role("img")).to_be_visible()
    for code, label in REASONS.items():
        total = report["breakdowns"]["reason"][code]["total"]
        expect(reasons).to_contain_text(f"{label}: {total}")
    screenshot(desk, "report-year")
    reasons.screenshot(path=SCREENSHOTS / "chart-reasons.png")
    _economy_goals_and_trend(desk, report)

    desk.emulate_media(media="print")
    expect(desk.get_by_role("button", name="Visa rapport")).to_be_hidden()
    expect(reasons.get_by_role("img")).to_be_visible()
    screenshot(desk, "report-year-print")


def _kronor(value: int) -> str:
    return f"{value:,}\u00a0kr".replace(",", "\u00a0")


def _economy_goals_and_trend(desk: Page, report: dict) -> None:
    """The förbund's economy beside last year's, every insats's goals with ✓/✗, and the
    trend and monthly charts, as the page shows them (economy.png, goals.png,
    chart-trend.png, chart-months.png)."""
    economy = desk.locator("#ekonomi")
    expect(economy).to_be_visible()
    now, before = report["economy"], report["previous_year"]["economy"]
    expect(_row(economy, "Budget (året)").get_by_role("cell")).to_have_text(
        [_kronor(now["budget"]), _kronor(before["budget"])]
    )
    expect(_row(economy, "Kostnader under perioden (utfall)").get_by_role("cell")).to_have_text(
        [_kronor(now["costs"]), _kronor(before["costs"])]
    )
    share = now["individual_share_percent"]
    expect(_row(economy, "Andel av kostnaderna till individinsatser")).to_contain_text(
        f"{share}\u00a0%"
    )
    economy.screenshot(path=SCREENSHOTS / "economy.png")

    goals = desk.locator("#mal")
    expect(goals.locator("tbody tr")).to_have_count(len(report["goals"]))
    met = sum(goal["met"] is True for goal in report["goals"])
    expect(goals.get_by_text("✓ Uppnått")).to_have_count(met)
    goals.screenshot(path=SCREENSHOTS / "goals.png")

    trend = desk.locator("figure").filter(has_text="Deltagare under perioden per år")
    expect(trend.get_by_role("img")).to_be_visible()
    new = report["figures"]["new"]["total"]
    expect(desk.locator("figure").filter(has_text="Nya per år")).to_contain_text(f"2026: {new}")
    trend.screenshot(path=SCREENSHOTS / "chart-trend.png")
    shares = desk.locator("figure").filter(has_text="Andelar per år")
    expect(shares.get_by_role("img")).to_be_visible()
    shares.screenshot(path=SCREENSHOTS / "chart-trend-shares.png")
    months = desk.locator("figure").filter(has_text="Nya, månad för månad")
    expect(months.get_by_role("img")).to_be_visible()
    months.screenshot(path=SCREENSHOTS / "chart-months.png")
