"""A förbund's first day in Chromium, from an empty `stegvis up` with only the admin token:
the admin token makes the first förbundsadmin account; that person logs in and, on the
admin pages, adds an insats, an insatsansvarig granted to it and a läsare, issues and
revokes a token, sets a target and reads the log; the insatsansvarig logs in at the same
address, registers a start and a stop, and reads the insats's report through the
navigation (one login for both services) until logging out ends it everywhere; the läsare
sees reports and no forms. At 360 px, with the admin pages also at a desktop's width."""

import re
import time

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import PHONE, screenshot
from tests.e2e.conftest import TOKEN, System

pytestmark = pytest.mark.e2e

PASSWORD = "ett långt lösenord 42"
DESKTOP = {"width": 1280, "height": 900}
YEAR = 2025


def _fits(page: Page, width: int = PHONE["width"]) -> None:
    scrolled = page.evaluate("document.documentElement.scrollWidth")
    assert scrolled <= width, f"{page.url} is {scrolled} px wide: it scrolls sideways"


def _shot(page: Page, name: str) -> None:
    _fits(page)
    screenshot(page, name)


def _log_in(page: Page, username: str) -> None:
    page.goto("/logga-in")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()


def _open_when_known(page: Page, url: str, heading: str, seconds: float = 30) -> None:
    """Open a report page once reporting has learned what intake just changed (the access
    stream and the events take a moment)."""
    deadline = time.monotonic() + seconds
    while True:
        page.goto(url)
        if page.get_by_role("heading", name=heading).count():
            return
        assert time.monotonic() < deadline, f"{url} never showed {heading!r}"
        time.sleep(0.3)


def _nav(page: Page) -> list[str]:
    return page.locator("nav.site a").all_inner_texts()


def test_a_forbunds_first_day(browser: Browser, page: Page, system: System) -> None:
    reporting = f"http://127.0.0.1:{system.ports['reporting']}"

    # The admin token makes the first account; it goes into no browser after this.
    page.goto("/logga-in")
    page.get_by_role("link", name="Skapa ett administratörskonto").click()
    page.get_by_label("Administratörstoken").fill("fel token")
    page.get_by_label("Användarnamn").fill("anna")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Skapa kontot").click()
    expect(page.locator("#admin_token-error")).to_contain_text("Fel administratörstoken")
    expect(page.get_by_label("Användarnamn")).to_have_value("anna")
    _shot(page, "admin-setup-error")
    page.get_by_label("Administratörstoken").fill(TOKEN)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Skapa kontot").click()
    expect(page.get_by_role("status")).to_have_text("Kontot anna är skapat som förbundsadmin.")
    _shot(page, "admin-setup-done")

    page.get_by_role("link", name="Logga in som anna").click()
    page.get_by_label("Användarnamn").fill("anna")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("heading", name="Stegvis")).to_be_visible()
    assert _nav(page) == [
        "Start",
        "Mina insatser",
        "Rapporter",
        "Överblick",
        "Administration",
        "Felmeddelanden",
    ]
    _shot(page, "home-admin")

    # Insatser: a bad id explained in Swedish and kept, then the insats.
    page.locator("nav.site").get_by_role("link", name="Administration").click()
    expect(page.get_by_role("heading", name="Insatser")).to_be_visible()
    page.locator("#insats_id").fill("Steg 1")
    page.get_by_label("Namn", exact=True).fill("Steget")
    page.get_by_label("Individregistrering").check()
    page.get_by_role("button", name="Lägg till insatsen").click()
    expect(page.locator("#insats_id-error")).to_contain_text("Ange ett id med små bokstäver")
    expect(page.get_by_label("Namn", exact=True)).to_have_value("Steget")
    _shot(page, "admin-insatser-error")
    page.locator("#insats_id").fill("steget")
    page.get_by_role("button", name="Lägg till insatsen").click()
    expect(page.get_by_role("status")).to_have_text("Insatsen Steget (steget) är sparad.")
    page.get_by_role("link", name="Tillbaka").click()
    expect(page.locator("table.list")).to_contain_text("steget")
    _shot(page, "admin-insatser")

    # Användare: an insatsansvarig granted the insats, and a läsare.
    page.get_by_role("link", name="Användare").click()
    page.get_by_label("Användarnamn").fill("ivan")
    page.get_by_label("Insatsansvarig").check()
    page.get_by_label("Steget").check()
    page.get_by_label("Lösenord").fill(PASSWORD)
    _shot(page, "admin-users-new")
    page.get_by_role("button", name="Lägg till användaren").click()
    expect(page.get_by_role("status")).to_have_text("Kontot ivan är sparat (aktivt).")
    page.get_by_role("link", name="Tillbaka").click()
    page.get_by_label("Användarnamn").fill("lisa")
    page.get_by_label("Läsare").check()
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Lägg till användaren").click()
    expect(page.get_by_role("status")).to_have_text("Kontot lisa är sparat (aktivt).")
    page.get_by_role("link", name="Tillbaka").click()
    expect(page.locator("table.list")).to_contain_text("Läsare")
    _shot(page, "admin-users")

    # Tokens: issued (shown once), then revoked.
    page.get_by_role("link", name="Tokens").click()
    page.get_by_label("Användare", exact=True).select_option("ivan")
    page.get_by_label("Giltig antal dagar").fill("30")
    page.get_by_label("Ditt lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Skapa token").click()
    secret = page.locator("#token").inner_text()
    assert secret.startswith("stv_")
    _shot(page, "admin-token-issued")
    me = httpx.get(
        f"http://127.0.0.1:{system.ports['intake']}/api/v1/me",
        headers={"Authorization": f"Bearer {secret}"},
    )
    token_id = me.json()["token_id"]
    page.get_by_role("link", name="Tillbaka till tokens").click()
    row = page.locator("tr", has_text=token_id)
    row.get_by_role("button", name="Återkalla").click()
    expect(page.get_by_role("status")).to_have_text(f"Token {token_id} är återkallad.")
    _shot(page, "admin-tokens")
    assert (
        system.intake.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code
        == 401
    )

    # Mål: on the report pages, with the same login.
    page.get_by_role("link", name="Mål", exact=True).click()
    expect(page.get_by_role("heading", name="Mål", exact=True)).to_be_visible()
    _shot(page, "admin-targets")
    target_form = page.get_by_role("link", name="Mål för Steget").get_attribute("href")
    _open_when_known(page, target_form, "Mål per insats")
    page.locator("#direct_to_work_or_studies").fill("40")
    page.get_by_role("button", name="Spara målen").click()
    expect(page.get_by_role("status")).to_have_text("Målen är sparade.")
    _shot(page, "report-targets")
    targets = system.reporting.get("/api/v1/insatser/steget/targets").json()["targets"]
    assert targets == {"direct_to_work_or_studies": 40}

    page.locator("nav.site").get_by_role("link", name="Administration").click()
    page.get_by_role("link", name="Logg").click()
    page.get_by_label("Handling").select_option(label="Token skapad")
    page.get_by_role("button", name="Visa").click()
    expect(page.locator("table.list tbody tr")).to_have_count(1)
    _shot(page, "admin-log")

    # The same pages at a desktop's width.
    desktop = browser.new_context(viewport=DESKTOP, base_url=page.url.split("/admin")[0])
    desktop.add_cookies(page.context.cookies())
    wide = desktop.new_page()
    for path, name in (
        ("/admin/insatser", "insatser"),
        ("/admin/anvandare", "users"),
        ("/admin/tokens", "tokens"),
        ("/admin/logg", "log"),
    ):
        wide.goto(path)
        _fits(wide, DESKTOP["width"])
        screenshot(wide, f"admin-{name}-desktop")
    desktop.close()

    page.locator("nav.site").get_by_role("button", name="Logga ut").click()
    expect(page.get_by_role("heading", name="Logga in")).to_be_visible()

    # The insatsansvarig: a start and a stop, then the report through the navigation.
    _log_in(page, "ivan")
    expect(page.get_by_role("heading", name="Mina insatser")).to_be_visible()
    assert _nav(page) == ["Start", "Mina insatser", "Rapporter", "Överblick"]
    page.get_by_role("link", name="Steget").click()
    page.get_by_role("link", name="Ny deltagare").click()
    page.get_by_label("Startdatum").fill(f"{YEAR}-02-03")
    page.get_by_label("Kvinna", exact=True).check()
    page.get_by_role("button", name="Skriv in deltagaren").click()
    code = page.locator(".assigned .code").inner_text()
    page.get_by_role("link", name="Tillbaka till Steget").click()
    page.get_by_role("link", name=f"Avsluta {code}").click()
    page.get_by_label("Slutdatum").fill(f"{YEAR}-09-30")
    page.get_by_label("Avslutsanledning").select_option(label="Studier")
    page.get_by_role("button", name="Avsluta deltagaren").click()
    expect(page.get_by_role("heading", name="Deltagaren är avslutad")).to_be_visible()
    _shot(page, "insatsansvarig-stopped")

    report = page.locator("nav.site").get_by_role("link", name="Rapporter").get_attribute("href")
    assert report == f"{reporting}/rapport"
    _open_when_known(page, f"{report}?year={YEAR}&period=helar&insats=steget", "Steget")
    _shot(page, "insatsansvarig-report")

    # Logging out on the report pages leads to intake's logout, which ends it everywhere.
    page.get_by_role("link", name="Logga ut").click()
    expect(page.get_by_role("heading", name="Logga ut")).to_be_visible()
    _shot(page, "logout")
    page.get_by_role("main").get_by_role("button", name="Logga ut").click()
    expect(page.get_by_role("heading", name="Logga in")).to_be_visible()
    page.goto(f"{reporting}/rapport")
    expect(page).to_have_url(re.compile(r"/logga-in\?next=%2Frapport$"))

    # The läsare: reports, no forms.
    _log_in(page, "lisa")
    _open_when_known(page, f"{reporting}/rapport?year={YEAR}&period=helar", "Hela förbundet")
    assert _nav(page) == ["Start", "Rapporter", "Överblick"]
    _shot(page, "lasare-report")
    page.goto("/insatser/steget/ny-deltagare")
    expect(page.get_by_role("alert")).to_contain_text("Du har inte behörighet")
    page.goto("/admin/insatser")
    expect(page.get_by_role("alert")).to_contain_text("bara för förbundets administratörer")
    _shot(page, "lasare-refused")
