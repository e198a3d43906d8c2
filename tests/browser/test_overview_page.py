"""The överblick in Chromium, as the board's secretary opens it on a desktop: every insats
side by side with the whole förbund, the figures those reports show, the economy and the
goals met (✓/✗), reached from the navigation. Screenshot: test-artifacts/screenshots/
overview.png."""

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import screenshot
from tests.browser.test_report_page import _log_in_to, desk  # noqa: F401 (the fixture)
from tests.browser.test_staff_forms import YEAR, _columns, _eventually_reported, _insats, _ok
from tests.e2e.conftest import System

pytestmark = pytest.mark.e2e

STARTS = {
    "oversikt-steget": [("kvinna", "arbete"), ("kvinna", "studier"), ("man", "sjukdom")],
    "oversikt-cresco": [("man", "arbete"), ("annan", None), ("kvinna", "arbetstraning")],
}
"""Each insats's participants (gender, reason of their stop; None: still in it)."""
WIDE = {"width": 1440, "height": 900}
"""A board room's screen: the whole table at once (narrower, it scrolls sideways)."""


def _registered(system: System) -> dict[str, str]:
    """The insatser with their participants, a target, a goal and money; their names."""
    names = {}
    for insats, people in STARTS.items():
        names[insats] = _insats(system, insats)
        for gender, reason in people:
            body = {"start_date": f"{YEAR}-02-03", "gender": gender}
            path = f"/api/v1/insatser/{insats}/participants"
            code = _ok(system.intake.post(path, json=body))["participant_id"]
            if reason is not None:
                stop = {"end_date": f"{YEAR}-10-01", "reason": reason}
                _ok(system.intake.post(f"{path}/{code}/stop", json=stop))
        ended = [gender for gender, reason in people if reason]
        counts = {gender: ended.count(gender) for gender in ("kvinna", "man", "annan")}
        _eventually_reported(system, insats, {"ended": _columns(len(ended), **counts)})
    steget, cresco = STARTS
    for path, body in (
        (f"{steget}/targets", {"positive_exits": 50}),
        (f"{cresco}/goals", [{"figure": "new", "at_least": 10}]),
        (f"{steget}/budget/{YEAR}", {"budget": 900_000}),
        (f"{steget}/costs/{YEAR}-03", {"amount": 120_000}),
    ):
        _ok(system.reporting.put(f"/api/v1/insatser/{path}", json=body))
    return names


def _row(table: Locator, label: str) -> Locator:
    return table.locator("tr").filter(
        has=table.page.get_by_role("rowheader", name=label, exact=True)
    )


def test_the_overview_shows_every_insats_beside_the_forbund(
    desk: Page,  # noqa: F811
    system: System,
) -> None:
    names = _registered(system)
    desk.set_viewport_size(WIDE)
    _log_in_to(desk, "/rapport")
    desk.locator("nav.site").get_by_role("link", name="Överblick").click()
    desk.get_by_label("År").fill(str(YEAR))
    desk.get_by_role("button", name="Visa överblick").click()

    expect(desk.get_by_role("heading", level=1)).to_have_text(f"Överblick: Helår {YEAR}")
    table = desk.get_by_role("table").filter(has_text="Insatserna under perioden")
    params = {"year": YEAR, "period": "helar"}
    overview = _ok(system.reporting.get("/api/v1/reports/overview", params=params))
    rows = {row["insats"]: row for row in overview["insatser"]}
    for insats, name in names.items():
        cells = _row(table, name).get_by_role("cell")
        figures = rows[insats]["figures"]
        expect(cells.nth(0)).to_have_text(str(figures["participants"]["total"]))
        expect(cells.nth(2)).to_have_text(str(figures["ended"]["total"]))
    steget, cresco = (_row(table, names[insats]) for insats in STARTS)
    expect(steget).to_contain_text("900 000")
    expect(steget).to_contain_text("✓ 1 ✗ 0 av 1")  # 2 of 3 to work or studies: 67 % ≥ 50 %
    expect(cresco).to_contain_text("✓ 0 ✗ 1 av 1")  # 3 new, not 10
    forbund = _row(table, "Hela förbundet")
    expect(forbund.get_by_role("cell").nth(0)).to_have_text(
        str(overview["forbund"]["figures"]["participants"]["total"])
    )
    expect(forbund).to_contain_text("✓ 1 ✗ 1 av 2")
    screenshot(desk, "overview")

    desk.get_by_role("link", name="Visa versionen för publicering").click()
    expect(desk.get_by_text("Publicerad version:")).to_be_visible()
    expect(cresco.get_by_role("cell").nth(0)).to_have_text("..")  # 3 participants: hidden
