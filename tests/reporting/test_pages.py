"""The report pages as a person sees them: outcomes' changes on a real Redis stream into a
real database (SQLite and PostgreSQL), then the Swedish HTML page over HTTP."""

import html
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from redis.asyncio import Redis

from services.reporting.domain import charts
from services.reporting.domain.bases import Base
from services.reporting.domain.breakdowns import BREAKDOWNS
from services.reporting.domain.document import ReportPeriod
from services.reporting.domain.figures import FIGURES
from services.reporting.domain.series import MONTH_FLOWS
from services.reporting.entrypoints import labels
from shared.contract.records import (
    InsatsRegistered,
    OutcomeChange,
    ParticipantRecord,
    ParticipantRecordChanged,
    StepMovement,
)
from shared.platform.settings import Settings
from tests.conftest import SERVICE_AUTH as AUTH
from tests.conftest import SERVICE_TOKEN as TOKEN
from tests.reporting.page_text import row as _row
from tests.reporting.page_text import text as _text
from tests.reporting.running import csrf_token, log_in, report, running_reporting
from tests.reporting.support import POLICY

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
T0 = datetime(2025, 9, 1, 8, 0, tzinfo=UTC)


def test_every_figure_breakdown_and_listed_code_has_a_swedish_label() -> None:
    assert [name for name in FIGURES if name not in labels.FIGURES] == []
    assert [name for name in BREAKDOWNS if name not in labels.BREAKDOWNS] == []
    unlabelled = [
        (name, code)
        for name, breakdown in BREAKDOWNS.items()
        for code in breakdown.codes or ()
        if labels.code_label(name, code) == code
    ]
    assert unlabelled == []
    assert labels.figure_label("a_figure_added_later") == "a_figure_added_later"
    assert list(labels.BASES) == list(Base)
    assert [labels.code_label("age_band", code) for code in ("16-20", "65-", "60+", "2")] == [
        "16–20 år",
        "65 år eller mer",
        "60 år eller mer",
        "2 år",
    ]


def test_values_are_written_as_in_the_förbund_reports() -> None:
    assert labels.cell(117, 97) == "117 (97)"
    assert labels.cell(34.25, 30.1) == "34,2 (30,1)"  # rounding is the report's, not ours
    assert labels.cell(None, 4.0) == "– (4,0)"
    assert labels.cell(-1.5, None) == "−1,5 (–)"
    # A no-break space keeps the sign with its number.
    assert (labels.percent(50), labels.percent(None)) == ("50\u00a0%", "–")
    assert labels.code_label("age_band", "25-29") == "25–29 år"
    assert labels.code_label("weeks_in_insats_band", "13+") == "13 månader eller mer"
    assert labels.code_label("municipality", "2480") == "Umeå"  # a kommun by its name
    assert labels.code_label("municipality", "okand") == "Uppgift saknas"
    delar = ReportPeriod.model_validate({"kind": "delar", "from": "2025-01-01", "to": "2025-08-31"})
    assert labels.period_title(delar) == ("Delår 2025 (1 januari–31 augusti)")
    q4 = ReportPeriod.model_validate({"kind": "quarter", "from": "2025-10-01", "to": "2025-12-31"})
    assert labels.period_title(q4) == "Kvartal 4 2025 (oktober–december)"
    assert labels.quarter_label(3) == "Kvartal 3 (jul–sep)"


# Arbetsrehab: three women and a man started in 2024 (one woman left, ill); in 2025 four
# women, two men and one person of another gender start; two women and a man end.
def _record(
    n: int, gender: str, start: date, end: date | None = None, reason: str | None = None, **more
) -> ParticipantRecord:
    ended = {}
    if end is not None:
        outcome = POLICY.outcome_class(reason)
        ended = {
            "end_date": end,
            "reason": reason,
            "outcome_class": outcome,
            "direct_to_work_or_studies": POLICY.is_direct(reason),
        }
    return ParticipantRecord(
        participant_id=f"P{n}",
        insats_id=more.pop("insats_id", "a"),
        gender=gender,
        start_date=start,
        **ended,
        **more,
    )


RECORDS = [
    _record(1, "kvinna", date(2024, 1, 10), date(2024, 4, 1), "sjukdom"),  # 82 days
    _record(2, "kvinna", date(2024, 2, 1)),
    _record(3, "kvinna", date(2024, 3, 1)),
    _record(4, "man", date(2024, 5, 1)),
    _record(
        5,
        "kvinna",
        date(2025, 1, 6),
        date(2025, 3, 3),
        "arbete",  # 56 days
        birth_year=1990,
        municipality="2480",
        vas_start=40,
        vas_end=63,
        steps={"vas": StepMovement(first=40, latest=63)},
    ),
    _record(6, "kvinna", date(2025, 2, 1), date(2025, 6, 10), "annan_insats"),  # 129 days
    _record(7, "kvinna", date(2025, 2, 3)),
    _record(8, "kvinna", date(2025, 4, 1)),
    _record(9, "man", date(2025, 3, 1), date(2025, 5, 1), "studier"),  # 61 days
    _record(10, "man", date(2025, 6, 2)),
    _record(11, "annan", date(2025, 7, 1)),
    _record(12, "man", date(2025, 7, 1), insats_id="b"),
]


def _changes() -> list[OutcomeChange]:
    def common(position: int) -> dict:
        return {
            "change_id": f"c{position}",
            "generation": 1,
            "position": position,
            "occurred_at": T0 + timedelta(minutes=position),
        }

    return [
        InsatsRegistered(**common(1), insats_id="a", name="Arbetsrehab", registration="individ"),
        InsatsRegistered(**common(2), insats_id="b", name="Steget", registration="individ"),
        *(
            ParticipantRecordChanged(
                **common(position),
                insats_id=record.insats_id,
                participant_id=record.participant_id,
                before=None,
                after=record,
            )
            for position, record in enumerate(RECORDS, 3)
        ),
    ]


LAST_POSITION = len(RECORDS) + 2


@pytest.fixture
async def client(settings: Settings, redis: Redis):
    """The reporting app running, with every change above processed."""
    async with running_reporting(settings, redis, *_changes()) as client:
        yield client


async def test_the_page_shows_the_report_in_swedish_beside_last_year(client) -> None:
    response = await client.get(
        "/rapport", params={"year": 2025, "period": "helar", "insats": "a"}, headers=AUTH
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    page = response.text
    assert '<html lang="sv">' in page
    assert 'name="viewport"' in page and "@media print" in page
    text = _text(page)
    assert "Arbetsrehab: Helår 2025" in text
    assert "samma period året innan (Helår 2024)" in text

    # Columns Totalt, Kvinnor, Män, Annat; this year (last year).
    assert _row(page, "Mått") == ["Totalt", "Kvinnor", "Män", "Annat"]
    assert _row(page, "Nya") == ["7 (4)", "4 (3)", "2 (1)", "1 (0)"]
    assert _row(page, "Ingående (pågående vid periodens början)") == [
        "3 (0)",
        "2 (0)",
        "1 (0)",
        "0 (0)",
    ]
    assert _row(page, "Deltagare under perioden") == ["10 (4)", "6 (3)", "3 (1)", "1 (0)"]
    assert _row(page, "Avslutade") == ["3 (1)", "2 (1)", "1 (0)", "0 (0)"]
    assert _row(page, "Pågående vid periodens slut") == ["7 (3)", "4 (2)", "2 (1)", "1 (0)"]
    assert _row(page, "Positiva avslut") == ["2 (0)", "1 (0)", "1 (0)", "0 (0)"]
    # Shares are of those ended in the same column and year; nobody ended: a dash.
    assert _row(page, "Positiva avslut, andel av avslutade") == [
        "67 % (0 %)",
        "50 % (0 %)",
        "100 % (–)",
        "– (–)",
    ]
    assert _row(page, "Övriga avslut, andel av avslutade") == [
        "0 % (100 %)",
        "0 % (100 %)",
        "0 % (–)",
        "– (–)",
    ]
    assert _row(page, "Direkt till arbete/studier/arbetssökande") == [
        "2 (0)",
        "1 (0)",
        "1 (0)",
        "0 (0)",
    ]
    # Means with a decimal comma: (56 + 129) / 2 / 7 = 13.2 beside 82 / 7 = 11.7 weeks.
    assert _row(page, "Genomsnittlig tid i insatsen (veckor)") == [
        "11,7 (11,7)",
        "13,2 (11,7)",
        "8,7 (–)",
        "– (–)",
    ]
    assert _row(page, "Livssituation vid avslut (VAS, medel, 1–100)")[1] == "63,0 (–)"
    for label in (
        "Mår bättre",
        "Arbetsförmåga: närmat sig",
        "Bemött med respekt (medel, 1–6)",
        "Deltagare i volyminsatser",
    ):
        assert label in text

    # Those ended, by breakdown, with the codes in Swedish.
    assert "Avslutade efter avslutsanledning" in text
    assert _row(page, "Arbete utan lönesubvention") == ["1 (0)", "1 (0)", "0 (0)", "0 (0)"]
    assert _row(page, "Sjukdom") == ["0 (1)", "0 (1)", "0 (0)", "0 (0)"]
    assert _row(page, "Annan förberedande insats/fortsatt rehabilitering")[1] == "1 (0)"
    assert _row(page, "35–39 år")[1] == "1 (0)"
    assert _row(page, "Umeå")[0] == "1 (0)"
    assert "Uppgift saknas" in text and "okand" not in text
    assert "Försörjning vid avslut" in text

    # Step movement, VAS 40 → 63 for the woman who went to work.
    assert "Skattad livssituation (VAS, 1–100)" in text
    assert _row(page, "Genomsnittlig förändring")[:2] == ["23,0 (–)", "23,0 (–)"]

    assert f"till och med position {LAST_POSITION}" in text
    assert "Sidan skapades" in text
    assert 'scope="col"' in page and 'scope="row"' in page and "<caption>" in page


async def test_the_form_chooses_period_and_insats(client) -> None:
    whole = await client.get("/rapport", params={"year": 2025, "period": "helar"}, headers=AUTH)
    assert "Hela förbundet: Helår 2025" in _text(whole.text)
    assert _row(whole.text, "Nya")[2] == "3 (1)"  # Steget's man counts too
    assert '<option value="a">Arbetsrehab</option>' in whole.text
    assert '<option value="b">Steget</option>' in whole.text
    assert '<option value="">Hela förbundet</option>' in whole.text

    # The form sends a month without its year, so changing only the year keeps it valid.
    june = await client.get(
        "/rapport", params={"year": 2025, "period": "06", "insats": "a"}, headers=AUTH
    )
    assert "Arbetsrehab: Juni 2025" in _text(june.text)
    assert _row(june.text, "Nya") == ["1 (0)", "0 (0)", "1 (0)", "0 (0)"]
    assert '<option value="06" selected>Juni</option>' in june.text
    assert '<option value="a" selected>Arbetsrehab</option>' in june.text
    linked = await client.get(
        "/rapport", params={"year": 2025, "period": "2025-06", "insats": "a"}, headers=AUTH
    )
    assert _row(linked.text, "Nya") == _row(june.text, "Nya")

    delar = await client.get("/rapport", params={"year": 2025, "period": "delar"}, headers=AUTH)
    assert "Delår 2025 (1 januari–31 augusti)" in _text(delar.text)

    default = await client.get("/rapport", headers=AUTH)
    assert f"Hela förbundet: Helår {datetime.now().year}" in _text(default.text)
    assert (await client.get("/")).headers["location"] == "/rapport"


async def test_what_cannot_be_shown_is_said_in_swedish(client) -> None:
    unknown = await client.get(
        "/rapport", params={"year": 2025, "period": "helar", "insats": "finns-inte"}, headers=AUTH
    )
    assert unknown.status_code == 404
    assert "Det finns ingen insats ”finns-inte”" in _text(unknown.text)
    assert '<html lang="sv">' in unknown.text

    period_error = "Välj helår, delår eller en månad i det valda året."
    year_error = "Ange ett år mellan 1900 och 9999."
    for params, field, message in [
        ({"year": 2025, "period": "sommar"}, "period", period_error),
        ({"year": 2025, "period": "2024-06"}, "period", period_error),
        ({"year": 2025, "period": "13"}, "period", period_error),
        ({"year": "tjugo", "period": "helar"}, "year", year_error),
        ({"year": 12, "period": "helar"}, "year", year_error),
    ]:
        refused = await client.get("/rapport", params=params, headers=AUTH)
        assert refused.status_code == 422, params
        label = {"period": "Period", "year": "År"}[field]
        assert f"Kontrollera fältet {label}." in _text(refused.text), params
        # The reason stands next to the field, which points at it.
        assert f'<span id="{field}-error" class="error">{message}</span>' in refused.text
        assert f'aria-describedby="{field}-error"' in refused.text
        assert "<table" not in refused.text


async def test_a_browser_logs_in_with_the_token_and_out_again(client) -> None:
    wanted = "/rapport?year=2025&period=helar"
    redirected = await client.get(wanted, headers=BROWSER)
    assert redirected.status_code == 303
    assert redirected.headers["location"] == (
        "/logga-in?next=%2Frapport%3Fyear%3D2025%26period%3Dhelar"
    )
    # A script (no HTML in Accept) is told, not redirected.
    assert (await client.get(wanted)).status_code == 401
    wrong_bearer = await client.get(wanted, headers={"Authorization": "Bearer nope"})
    assert wrong_bearer.status_code == 401

    form = await client.get(redirected.headers["location"], headers=BROWSER)
    assert form.status_code == 200
    assert '<label for="token">Åtkomsttoken</label>' in form.text
    assert f'name="next" value="{html.escape(wanted)}"' in form.text

    wrong = await log_in(client, "gissning", wanted)
    assert wrong.status_code == 401
    assert "Fel åtkomsttoken" in _text(wrong.text)
    assert "set-cookie" not in wrong.headers

    right = await log_in(client, TOKEN, wanted)
    assert right.status_code == 303 and right.headers["location"] == wanted
    cookie = right.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain http here
    assert TOKEN not in cookie

    page = await client.get(wanted, headers=BROWSER)  # the client keeps the cookie
    assert page.status_code == 200
    assert _row(page.text, "Nya")[0] == "8 (4)"
    assert "Logga ut" in page.text

    logged_out = await client.post("/logga-ut", data={"csrf_token": csrf_token(page.text)})
    assert logged_out.status_code == 303
    assert (await client.get(wanted, headers=BROWSER)).status_code == 303


async def test_login_redirects_only_within_the_site_and_secures_the_cookie_on_https(
    client,
) -> None:
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example", None):
        response = await log_in(client, TOKEN, target)
        assert response.headers["location"] == "/rapport", target
    client.cookies.clear()
    https = await log_in(client, TOKEN, base="https://t")
    assert "Secure" in https.headers["set-cookie"]


def _between(page: str, start: str, end: str) -> str:
    return page[page.index(start) : page.index(end, page.index(start))]


async def test_the_page_draws_the_charts_with_the_numbers_of_the_report(client) -> None:
    asked = {"year": 2025, "period": "helar", "insats": "a"}
    page = (await client.get("/rapport", params=asked, headers=AUTH)).text
    figures = (await report(client, **asked))["figures"]

    diagrams = page[page.index("<h2>Diagram</h2>") :]
    svgs = re.findall(r"<svg [^>]*role=\"img\"[^>]*>.*?</svg>", diagrams, flags=re.S)
    # The period's flows and breakdowns, the years' core figures and shares, the months'.
    trend = len(charts.TREND_FIGURES) + 1
    assert len(svgs) == 1 + len(charts.CHARTED_BREAKDOWNS) + trend + len(MONTH_FLOWS)
    for svg in svgs:
        title = re.search(r'<title id="([^"]+)">[^<]+</title>', svg)
        assert title and f'aria-labelledby="{title[1]} ' in svg
        assert "<desc" in svg and "<script" not in svg and "href" not in svg

    # The table behind the flows chart says what the report API says for the same period.
    flows_table = _between(diagrams, 'id="diagram-flows-tabell"', "</table>")
    for name in charts.FLOWS:
        expected = [str(figures[name][column]) for column in labels.COLUMNS]
        assert _row(flows_table, labels.figure_label(name)) == expected, name
    assert _row(flows_table, "Nya") == ["7", "4", "2", "1"]


async def test_the_page_counts_the_breakdowns_of_the_base_and_bands_chosen(client) -> None:
    asked = {"year": 2025, "period": "helar", "insats": "a", "base": "participants"}
    page = (await client.get("/rapport", params={**asked, "age_bands": "15,30"}, headers=AUTH)).text
    text = _text(page)
    assert "Fördelningarna räknar alla deltagare under perioden." in text
    assert "Deltagare under perioden efter avslutsanledning" in text
    # Ten took part: the three who ended by their reason, the seven still in it unknown.
    assert _row(page, "Deltagare under perioden")[0] == "10 (4)"
    assert _row(page, "Arbete utan lönesubvention")[0] == "1 (0)"
    assert _row(page, "Uppgift saknas")[0] == "7 (3)"
    # P5, born 1990, is 35 at the start: the bands asked for, the last one open.
    assert _row(page, "15–29 år")[0] == "0 (0)"
    assert _row(page, "30 år eller mer")[0] == "1 (0)"
    assert '<option value="participants" selected>Alla deltagare under perioden</option>' in page
    assert 'value="15,30"' in page

    # The form as a browser sends it: the fields left empty ask for the förbund's bands.
    empty = dict.fromkeys(("age_bands", "support_year_bands", "month_bands"), "")
    sent = await client.get("/rapport", params=asked | {"base": "ended"} | empty, headers=AUTH)
    assert sent.status_code == 200
    ended = _text(sent.text)
    assert "Avslutade efter avslutsanledning" in ended
    assert _row(sent.text, "35–39 år")[0] == "1 (0)"
    assert "Fördelningarna räknar de som avslutades under perioden." in ended


async def test_bad_bands_and_bases_are_refused_in_swedish_next_to_the_field(client) -> None:
    asked = {"year": 2025, "period": "helar", "insats": "a"}
    for params, field, label, message in [
        (
            {"month_bands": "3,1"},
            "month_bands",
            "Tid i insatsen: gränser (månader)",
            labels.BANDS_ERROR,
        ),
        ({"age_bands": "femton"}, "age_bands", "Ålder vid start: gränser (år)", labels.BANDS_ERROR),
        ({"base": "alla"}, "base", "Fördelningarna räknar", "Välj vilka fördelningarna ska räkna."),
    ]:
        refused = await client.get("/rapport", params=asked | params, headers=AUTH)
        assert refused.status_code == 422, params
        assert f"Kontrollera fältet {label}." in _text(refused.text), params
        assert f'<span id="{field}-error" class="error">{message}</span>' in refused.text
        assert "<table" not in refused.text
