"""The staff forms in Chromium at 360 px, as an insats worker uses them on a phone: log in,
register a start, a check-in, a stop and a volume, get an error explained, be refused
another's insats. Each test checks what the page shows, then that the reporting API counts
what was registered. Each uses insatser and a user of its own, so the figures are its own.
"""

import re
import time

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, screenshot
from tests.e2e.conftest import System

pytestmark = pytest.mark.e2e

PASSWORD = "ett långt lösenord 42"
YEAR = 2025


def _ok(response: httpx.Response) -> dict:
    assert response.status_code in (200, 201), f"{response.status_code} {response.text}"
    return response.json()


def _insats(system: System, insats_id: str, registration: str = "individ") -> str:
    name = insats_id.replace("-", " ").capitalize()
    _ok(
        system.intake.put(
            f"/api/v1/insatser/{insats_id}", json={"name": name, "registration": registration}
        )
    )
    return name


def _user(system: System, username: str, *insatser: str) -> None:
    _ok(
        system.intake.put(
            f"/api/v1/users/{username}",
            json={
                "role": "insatsansvarig",
                "insatser": list(insatser),
                "password": PASSWORD,
            },
        )
    )


def _started(system: System, insats_id: str, gender: str = "man") -> str:
    """A participant started through the JSON API (the form of a start is tested apart)."""
    body = {"start_date": f"{YEAR}-02-03", "gender": gender, "vas": 30}
    started = _ok(system.intake.post(f"/api/v1/insatser/{insats_id}/participants", json=body))
    return started["participant_id"]


def _log_in(page: Page, username: str) -> None:
    page.goto("/logga-in")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("heading", name="Mina insatser")).to_be_visible()


def _fits_the_width(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide: it scrolls sideways"


def _columns(total: int, kvinna: int = 0, man: int = 0, annan: int = 0) -> dict[str, int]:
    return {"total": total, "kvinna": kvinna, "man": man, "annan": annan}


def _eventually_reported(
    system: System, insats_id: str, expected: dict[str, dict], seconds: float = 30
) -> None:
    """Poll the report of the insats until its figures are the expected ones (reporting
    counts what intake registered a moment later)."""
    params = {"year": YEAR, "period": "helar", "insats": insats_id}
    deadline = time.monotonic() + seconds
    while True:
        response = system.reporting.get("/api/v1/reports", params=params)
        # 404 until reporting has heard of the insats.
        figures = response.json()["figures"] if response.status_code == 200 else {}
        found = {name: figures.get(name) for name in expected}
        if found == expected:
            return
        assert time.monotonic() < deadline, f"reported {found}, expected {expected}"
        time.sleep(0.2)


def test_logging_in_with_the_keyboard_leads_to_my_insatser(page: Page, system: System) -> None:
    name = _insats(system, "login-rehab")
    _user(system, "lena", "login-rehab")

    page.goto("/insatser")
    expect(page).to_have_url(re.compile(r"/logga-in\?next=%2Finsatser$"))
    page.keyboard.press("Tab")
    expect(page.get_by_label("Användarnamn")).to_be_focused()
    page.keyboard.type("lena")
    page.keyboard.press("Tab")
    page.keyboard.type("fel lösenord 1234")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_have_text("Fel användarnamn eller lösenord. Försök igen.")
    expect(page.get_by_label("Användarnamn")).to_have_value("lena")
    _fits_the_width(page)
    screenshot(page, "login")

    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_label("Lösenord").press("Enter")
    expect(page.get_by_role("heading", name="Mina insatser")).to_be_visible()
    expect(page.get_by_role("link", name=name)).to_be_visible()
    expect(page.get_by_text("Inloggad som lena")).to_be_visible()
    _fits_the_width(page)
    screenshot(page, "insatser")
    _eventually_reported(system, "login-rehab", {"new": _columns(0)})


def test_a_start_fits_a_phone_and_shows_the_participants_code(page: Page, system: System) -> None:
    name = _insats(system, "start-rehab")
    _user(system, "sara", "start-rehab")
    _log_in(page, "sara")

    page.get_by_role("link", name=name).click()
    page.get_by_role("link", name="Ny deltagare").click()
    expect(page.get_by_role("heading", name="Ny deltagare")).to_be_visible()
    page.get_by_label("Startdatum").fill(f"{YEAR}-02-03")
    page.get_by_label("Kvinna", exact=True).check()
    page.get_by_label("Födelseår").fill("1988")
    page.get_by_label("Högsta avslutade utbildning").select_option(label="Gymnasium")
    page.get_by_label("Sjukpenning/rehabiliteringspenning").check()
    page.get_by_label("Försörjningsstöd").check()
    page.get_by_label("Remittent").select_option(label="Försäkringskassan")
    page.get_by_label("Kommun").select_option(label="Umeå")
    page.get_by_label("Skattad livssituation (VAS)").fill("35")
    _fits_the_width(page)
    screenshot(page, "start")

    page.get_by_role("button", name="Skriv in deltagaren").click()
    expect(page.get_by_role("heading", name="Deltagaren är inskriven")).to_be_visible()
    status = page.get_by_role("status")
    expect(status).to_contain_text("Deltagarens kod:")
    expect(status).to_contain_text("Skriv upp den.")
    code = page.locator(".assigned .code").inner_text()
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", code), code
    _fits_the_width(page)
    screenshot(page, "start-registered")

    page.get_by_role("link", name=f"Tillbaka till {name}").click()
    expect(page.locator("ul.cards")).to_contain_text(code)
    _fits_the_width(page)
    screenshot(page, "caseload")
    _eventually_reported(system, "start-rehab", {"new": _columns(1, kvinna=1)})


def test_a_check_in_is_registered_and_shown_in_the_caseload(page: Page, system: System) -> None:
    name = _insats(system, "progress-rehab")
    code = _started(system, "progress-rehab")
    _user(system, "pelle", "progress-rehab")
    _log_in(page, "pelle")

    page.get_by_role("link", name=name).click()
    expect(page.locator("ul.cards")).to_contain_text("Senaste uppföljning –")
    page.get_by_role("link", name=f"Uppföljning av {code}").click()
    expect(page.get_by_role("heading", name=f"Uppföljning av {code}")).to_be_visible()
    page.get_by_label("Datum").fill(f"{YEAR}-04-15")
    page.get_by_label("Aktivitetstimmar per vecka").fill("12,5")
    page.get_by_label("Skattad livssituation (VAS)").fill("52")
    page.get_by_label("Hälsa").select_option("4")
    _fits_the_width(page)
    screenshot(page, "progress")

    page.get_by_role("button", name="Registrera uppföljningen").click()
    expect(page.get_by_role("heading", name="Uppföljningen är registrerad")).to_be_visible()
    page.get_by_role("link", name=f"Tillbaka till {name}").click()
    expect(page.locator("ul.cards")).to_contain_text(f"Senaste uppföljning {YEAR}-04-15")
    _eventually_reported(
        system, "progress-rehab", {"new": _columns(1, man=1), "ended": _columns(0)}
    )


def test_a_stop_is_registered_with_its_exit_answers(page: Page, system: System) -> None:
    name = _insats(system, "stop-rehab")
    code = _started(system, "stop-rehab", gender="kvinna")
    _user(system, "stina", "stop-rehab")
    _log_in(page, "stina")

    page.get_by_role("link", name=name).click()
    page.get_by_role("link", name=f"Avsluta {code}").click()
    page.get_by_label("Slutdatum").fill(f"{YEAR}-09-30")
    page.get_by_label("Avslutsanledning").select_option(label="Arbete utan lönesubvention")
    page.get_by_label("Ingen offentlig försörjning").check()
    page.get_by_role("group", name="Mår bättre än före insatsen").get_by_label("Ja").check()
    page.get_by_role("group", name="Har utökat tiden i aktivitet").get_by_label("Nej").check()
    page.get_by_label("Har närmat sig arbetsmarknaden").check()
    page.get_by_role("group", name="Bemött med respekt").get_by_label("5").check()
    _fits_the_width(page)
    screenshot(page, "stop")

    page.get_by_role("button", name="Avsluta deltagaren").click()
    expect(page.get_by_role("heading", name="Deltagaren är avslutad")).to_be_visible()
    page.get_by_role("link", name=f"Tillbaka till {name}").click()
    expect(page.get_by_text("Inga pågående deltagare.")).to_be_visible()
    _eventually_reported(
        system,
        "stop-rehab",
        {
            "ended": _columns(1, kvinna=1),
            "positive_exits": _columns(1, kvinna=1),
            "health_better": _columns(1, kvinna=1),
            "work_capacity_narmat": _columns(1, kvinna=1),
        },
    )


def test_a_mistake_is_explained_next_to_its_field_and_what_was_typed_stays(
    page: Page, system: System
) -> None:
    _insats(system, "error-rehab")
    _user(system, "erik", "error-rehab")
    _log_in(page, "erik")

    page.goto("/insatser/error-rehab/ny-deltagare")
    page.get_by_label("Startdatum").fill(f"{YEAR}-03-01")
    page.get_by_label("Kommun").select_option(label="Skellefteå")
    page.get_by_label("Skattad livssituation (VAS)").fill("150")
    page.get_by_role("button", name="Skriv in deltagaren").click()

    expect(page.get_by_role("heading", name="Formuläret skickades inte")).to_be_visible()
    expect(page.locator("#gender-error")).to_have_text("Välj kön.")
    vas = page.get_by_label("Skattad livssituation (VAS)")
    expect(vas).to_have_value("150")
    expect(vas).to_have_attribute("aria-invalid", "true")
    expect(vas).to_have_accessible_description(re.compile("Ange ett heltal från 1 till 100."))
    expect(page.get_by_label("Kommun")).to_have_value("2482")  # the choice stays too
    _fits_the_width(page)
    screenshot(page, "start-errors")

    page.get_by_role("link", name="Välj kön.").click()  # the summary leads to the field
    page.get_by_label("Man", exact=True).check()
    page.get_by_label("Skattad livssituation (VAS)").fill("50")
    page.get_by_role("button", name="Skriv in deltagaren").click()
    expect(page.get_by_role("heading", name="Deltagaren är inskriven")).to_be_visible()
    _eventually_reported(system, "error-rehab", {"new": _columns(1, man=1)})


def test_a_volume_is_registered_as_counts_by_gender(page: Page, system: System) -> None:
    name = _insats(system, "halsoskola", "volym")
    _user(system, "vera", "halsoskola")
    _log_in(page, "vera")

    page.get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", name="Volymregistrering")).to_be_visible()
    page.get_by_label("Datum").fill(f"{YEAR}-05-20")
    page.get_by_label("Kvinnor").fill("12")
    page.get_by_label("Män", exact=True).fill("9")
    page.get_by_label("Annan definition av kön").fill("0")
    _fits_the_width(page)
    screenshot(page, "volume")

    page.get_by_role("button", name="Registrera", exact=True).click()
    expect(page.get_by_role("heading", name="Volymen är registrerad")).to_be_visible()
    _eventually_reported(system, "halsoskola", {"volume_participants": _columns(21, 12, 9, 0)})


def test_another_insats_is_refused(page: Page, system: System) -> None:
    _insats(system, "egen-insats")
    _insats(system, "annans-insats")
    _started(system, "annans-insats")
    _user(system, "olle", "egen-insats")
    _log_in(page, "olle")

    expect(page.get_by_role("link", name="Annans insats")).to_have_count(0)
    for path in ("/insatser/annans-insats", "/insatser/annans-insats/ny-deltagare"):
        response = page.goto(path)
        assert response is not None and response.status == 403
        expect(page.get_by_role("alert")).to_have_text(
            "Du har inte behörighet till den här insatsen."
        )
    _fits_the_width(page)
    screenshot(page, "forbidden")
    _eventually_reported(system, "annans-insats", {"new": _columns(1, man=1)})  # that one only
