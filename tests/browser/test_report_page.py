"""The report page in Chromium, as the board's secretary opens it on a desktop and prints it:
the figures beside last year's, the charts drawn, and the print view. Screenshots of both
go to test-artifacts/screenshots/ (report.png, report-print.png)."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import screenshot
from tests.browser.test_staff_forms import YEAR, _columns, _eventually_reported, _insats, _ok
from tests.e2e.conftest import TOKEN, System

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1100, "height": 900}
INSATS = "rapport-rehab"


@pytest.fixture
def desk(browser: Browser, system: System) -> Iterator[Page]:
    """A fresh browser at a desktop's width on reporting's pages."""
    context = browser.new_context(
        viewport=DESKTOP, base_url=f"http://127.0.0.1:{system.ports['reporting']}",
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
        _ok(system.intake.post(f"/api/v1/insatser/{INSATS}/participants/{code}/stop",
                               json={"end_date": f"{YEAR}-09-30", "reason": reason}))
    _eventually_reported(system, INSATS, {"ended": _columns(2, kvinna=1, man=1)})


def test_the_report_page_shows_figures_and_charts_and_prints(desk: Page, system: System) -> None:
    _registered_year(system)
    desk.goto(f"/logga-in?next=/rapport%3Fyear%3D{YEAR}%26period%3Dhelar%26insats%3D{INSATS}")
    desk.get_by_label("Åtkomsttoken").fill(TOKEN)
    desk.get_by_role("button", name="Logga in").click()

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
