"""*Att följa upp* and the follow-up form in Chromium at 360 px: a participant who ended six
months ago is listed with the due date, followed up from the list, and then counted by the
reporting API in the period where the follow-up fell due."""

import time
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from shared.contract.swedish_time import today
from tests.browser.conftest import screenshot
from tests.browser.test_staff_forms import _fits_the_width, _insats, _log_in, _ok, _user
from tests.e2e.conftest import System

pytestmark = pytest.mark.e2e


def _ended_six_months_ago(system: System, insats_id: str) -> tuple[str, str]:
    """A participant (its code) whose six months after the stop were up a week ago, and the
    year the follow-up fell due in."""
    end = today() - timedelta(days=190)
    start = {"start_date": (end - timedelta(days=120)).isoformat(), "gender": "kvinna"}
    base = f"/api/v1/insatser/{insats_id}/participants"
    code = _ok(system.intake.post(base, json=start))["participant_id"]
    stop = {"end_date": end.isoformat(), "reason": "sjukdom"}
    _ok(system.intake.post(f"{base}/{code}/stop", json=stop))
    return code, str((today() - timedelta(days=8)).year)


def test_a_follow_up_due_is_listed_and_registered_from_the_list(page: Page, system: System) -> None:
    name = _insats(system, "folj-rehab")
    code, due_year = _ended_six_months_ago(system, "folj-rehab")
    _user(system, "frida", "folj-rehab")
    _log_in(page, "frida")

    page.get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", name="Att följa upp (1)")).to_be_visible()
    expect(page.locator("#att-folja-upp + p + ul.cards")).to_contain_text("6 månader efter avslut")
    _fits_the_width(page)
    screenshot(page, "att-folja-upp")

    page.get_by_role("link", name=f"Följ upp {code} efter 6 månader").click()
    expect(page.get_by_role("heading", name=f"Uppföljning efter avslut av {code}")).to_be_visible()
    expect(page.get_by_label("6 månader")).to_be_checked()
    page.get_by_role("group", name="Nådd").get_by_label("Ja").check()
    page.get_by_label("Sysselsättning vid uppföljningen").select_option(label="Studier")
    page.get_by_label("Ingen offentlig försörjning").check()
    _fits_the_width(page)
    screenshot(page, "followup")

    page.get_by_role("button", name="Registrera uppföljningen").click()
    expect(
        page.get_by_role("heading", name="Uppföljningen efter avslut är registrerad")
    ).to_be_visible()
    page.get_by_role("link", name=f"Tillbaka till {name}").click()
    expect(page.get_by_text("Inga uppföljningar efter avslut att göra just nu.")).to_be_visible()

    params = {"year": due_year, "period": "helar", "insats": "folj-rehab"}
    deadline = time.monotonic() + 30
    while True:
        six = system.report(**params)["followup"]["6"]
        if six["reached"]["kvinna"] == 1:
            break
        assert time.monotonic() < deadline, six
        time.sleep(0.2)
    assert (six["due"]["total"], six["work_or_studies"]["total"]) == (1, 1)
