"""Rätta in Chromium at 360 px, as an insats worker fixes a mistake on a phone: find a stopped
participant by code, correct the stop's avslutsanledning in the stop's own form filled in
with what was registered, then void the start (felregistrering). The reporting API follows
each: the figures of the period change."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot
from tests.browser.test_staff_forms import (
    YEAR,
    _columns,
    _eventually_reported,
    _fits_the_width,
    _insats,
    _log_in,
    _ok,
    _started,
    _user,
)
from tests.e2e.conftest import System

pytestmark = pytest.mark.e2e


def test_a_stop_is_corrected_and_a_start_voided(page: Page, system: System) -> None:
    name = _insats(system, "ratta-rehab")
    code = _started(system, "ratta-rehab")
    _ok(
        system.intake.post(
            f"/api/v1/insatser/ratta-rehab/participants/{code}/stop",
            json={"end_date": f"{YEAR}-09-30", "reason": "arbete"},
        )
    )
    _user(system, "rut", "ratta-rehab")
    _eventually_reported(
        system, "ratta-rehab", {"positive_exits": _columns(1, man=1), "other_exits": _columns(0)}
    )
    _log_in(page, "rut")

    page.get_by_role("link", name=name).click()
    expect(page.get_by_text("Inga pågående deltagare.")).to_be_visible()
    page.get_by_label("Deltagarens kod").fill(code.lower())
    page.get_by_role("button", name="Visa registreringarna").click()
    expect(page.get_by_role("heading", name=f"Deltagare {code}")).to_be_visible()
    expect(page.get_by_text(f"Avslutad {YEAR}-09-30.")).to_be_visible()
    _fits_the_width(page)
    screenshot(page, "participant")

    page.get_by_role("link", name=f"Rätta avslutet {YEAR}-09-30").click()
    expect(page.get_by_role("heading", name=f"Rätta avslutet av {code}")).to_be_visible()
    expect(page.get_by_label("Slutdatum")).to_have_value(f"{YEAR}-09-30")
    reason = page.get_by_label("Avslutsanledning")
    expect(reason).to_have_value("arbete")  # as registered: Arbete utan lönesubvention
    _fits_the_width(page)
    screenshot(page, "correction")

    reason.select_option(label="Sjukdom")
    page.get_by_role("button", name="Spara rättelsen").click()
    expect(page.get_by_role("heading", name="Avslutet är rättat")).to_be_visible()
    expect(page.get_by_text("Rapporterna visar strax de nya siffrorna")).to_be_visible()
    _fits_the_width(page)
    _eventually_reported(
        system, "ratta-rehab", {"positive_exits": _columns(0), "other_exits": _columns(1, man=1)}
    )

    page.goto(f"/insatser/ratta-rehab/deltagare/{code}")
    expect(page.locator("ul.cards")).to_contain_text("Sjukdom")
    page.get_by_role("link", name=f"Makulera inskrivningen {YEAR}-02-03").click()
    expect(page.get_by_role("heading", name=f"Makulera inskrivningen av {code}?")).to_be_visible()
    expect(
        page.get_by_text("Hela deltagarens registrering försvinner ur alla siffror")
    ).to_be_visible()
    _fits_the_width(page)
    screenshot(page, "void")

    page.get_by_role("button", name="Makulera", exact=True).click()
    expect(page.get_by_role("heading", name="Inskrivningen är makulerad")).to_be_visible()
    _eventually_reported(system, "ratta-rehab", {"new": _columns(0), "participants": _columns(0)})
    page.goto(f"/insatser/ratta-rehab/deltagare/{code}")
    expect(page.get_by_role("alert")).to_have_text(
        f"Deltagaren {code} finns inte i den här insatsen."
    )
