"""A year of realistic data end to end, under `stegvis up`: a förbund's 2025 imported with
`stegvis import`, its January–October 2026 registered through intake's API with corrections,
voids, late stops and follow-ups after the stop, and each insats's budgets, monthly costs
(one corrected after its month closed) and goals of every kind (realistic_year.py). The
reports (helår, delår, quarters, months), their economy, goals and follow-ups, and the
series equal what an independent oracle worked out from what was entered, add up in every
column, render as a page, export as CSV and XLSX, and come out the same from a rebuild."""

import csv
import io
import re
from datetime import date, timedelta

import openpyxl
import pytest

from tests.e2e.conftest import System
from tests.e2e.realistic_year import (
    INSATSER,
    RealisticYear,
    expected_activities,
    expected_economy,
    expected_figures,
    expected_flows,
    expected_followup,
    expected_goals,
    expected_people,
    first_registration_year,
    quarter,
)
from tests.e2e.year_loader import load_realistic_year, run_cli
from tests.reporting.csv_check import OWN_ROWS, economy_of, goals_of
from tests.reporting.csv_check import expected_goals as csv_goals
from tests.reporting.page_text import row, text
from tests.reporting.workbook_check import assert_overview_shows, assert_sheet_shows

pytestmark = pytest.mark.e2e

COLUMNS = ("total", "kvinna", "man", "annan")
REPORTED = (None, *(insats.insats_id for insats in INSATSER))
"""The whole förbund, then each insats."""
CLASSES = ("positive_exits", "unclear_exits", "other_exits")
MULTI_VALUED = frozenset({"support_at_start", "support_at_end"})
"""Breakdowns that count a participant once per code (api.md)."""
SHARE_WHOLES = {"health_better": "health_answered", "activity_increased": "activity_answered"}
"""What a share is a percentage of, where that is not `ended`."""
SECTIONS = ("figures", "shares", "breakdowns", "activities", "flows", "people", "followup")
NAMES = {insats.insats_id: insats.name for insats in INSATSER}


@pytest.fixture(scope="module")
def year(system: System, tmp_path_factory: pytest.TempPathFactory) -> RealisticYear:
    return load_realistic_year(system, tmp_path_factory.mktemp("realistic-year"))


def _report(system: System, year: int, period: str, insats: str | None = None) -> dict:
    return system.report(year=year, period=period, **({"insats": insats} if insats else {}))


def _helar(report_year: int) -> tuple[date, date]:
    return date(report_year, 1, 1), date(report_year, 12, 31)


def _month(month: int) -> tuple[date, date]:
    """January–October 2026: the months registered."""
    return date(2026, month, 1), date(2026, month + 1, 1) - timedelta(1)


def _as_oracle(figures: dict, expected: dict) -> dict:
    """The reported figures the oracle worked out."""
    return {name: figures[name] for name in expected}


def _nonzero_rows(breakdowns: dict) -> dict:
    # A report lists the codes seen in it or in the year before it, so the 2026 report's
    # previous year may list a kommun at zero that 2025's own report never saw.
    return {
        name: {code: columns for code, columns in codes.items() if columns["total"]}
        for name, codes in breakdowns.items()
    }


def test_the_helar_figures_equal_the_oracle(system: System, year: RealisticYear) -> None:
    for insats in REPORTED:
        for report_year in (2026, 2025):
            expected = expected_figures(year, *_helar(report_year), insats)
            found_report = _report(system, report_year, "helar", insats)
            found = found_report["figures"]
            assert _as_oracle(found, expected) == expected, (report_year, insats)
            activities = expected_activities(year, *_helar(report_year), insats)
            assert found_report["activities"] == activities, (report_year, insats)
            flows = expected_flows(year, *_helar(report_year), insats)
            assert found_report["flows"] == flows, (report_year, insats)
            people = expected_people(year, *_helar(report_year), insats)
            assert found_report["people"] == people, (report_year, insats)
            followup = expected_followup(year, *_helar(report_year), insats)
            assert found_report["followup"] == followup, (report_year, insats)
        previous = _report(system, 2026, "helar", insats)["previous_year"]
        helar_2025 = _report(system, 2025, "helar", insats)
        assert previous["figures"] == helar_2025["figures"], insats
        assert previous["shares"] == helar_2025["shares"], insats
        assert previous["activities"] == helar_2025["activities"], insats
        assert previous["followup"] == helar_2025["followup"], insats
        assert _nonzero_rows(previous["breakdowns"]) == _nonzero_rows(helar_2025["breakdowns"])


def test_every_quarter_equals_the_oracle(system: System, year: RealisticYear) -> None:
    for insats in REPORTED:
        for report_year in (2026, 2025):
            for number in range(1, 5):
                expected = expected_figures(year, *quarter(report_year, number), insats)
                found = _report(system, report_year, f"q{number}", insats)
                where = (report_year, number, insats)
                assert _as_oracle(found["figures"], expected) == expected, where
                first, last = quarter(report_year, number)
                activities = expected_activities(year, first, last, insats)
                assert found["activities"] == activities, where
                assert found["flows"] == expected_flows(year, first, last, insats), where
                assert found["people"] == expected_people(year, first, last, insats), where
                assert found["followup"] == expected_followup(year, first, last, insats), where
                assert found["period"] == {
                    "kind": "quarter",
                    "from": first.isoformat(),
                    "to": last.isoformat(),
                }, where


def _percent(count: int, whole: int) -> int | None:
    """round-half-up(100 · count / whole), in integers."""
    return None if whole == 0 else (200 * count + whole) // (2 * whole)


def _assert_adds_up(section: dict, where: object) -> None:
    figures = section["figures"]
    for column in COLUMNS:
        f = {name: columns[column] for name, columns in figures.items()}
        assert f["opening"] + f["new"] - f["ended"] == f["ongoing_at_end"], (where, column)
        assert f["participants"] == f["opening"] + f["new"], (where, column)
        assert sum(f[name] for name in CLASSES) == f["ended"], (where, column)
        for name, codes in section["breakdowns"].items():
            if name not in MULTI_VALUED:
                assert sum(c[column] for c in codes.values()) == f["ended"], (where, name, column)
        for name, shares in section["shares"].items():
            whole = f[SHARE_WHOLES.get(name, "ended")]
            assert shares[column] == _percent(f[name], whole), (where, name, column)
    for name, columns in figures.items():
        if "mean" not in name:  # a mean's total is no sum
            assert columns["total"] == sum(columns[g] for g in COLUMNS[1:]), (where, name)
    for column in COLUMNS:
        people, registrations = section["people"][column], figures["participants"][column]
        assert 0 <= people <= registrations, (where, column)
    for months, followup in section["followup"].items():
        for column in COLUMNS:
            f = {name: columns[column] for name, columns in followup.items()}
            assert 0 <= f["work_or_studies"] <= f["reached"] <= f["due"], (where, months, column)
            assert f["positive"] <= f["reached"], (where, months, column)
            assert f["reached_percent"] == _percent(f["reached"], f["due"]), (where, column)
        for name in ("due", "reached", "work_or_studies", "positive"):
            columns = followup[name]
            assert columns["total"] == sum(columns[g] for g in COLUMNS[1:]), (where, name)
    activities = section["activities"]
    assert sum(activities["kinds"].values()) == activities["count"], where
    came = activities["participants"]
    assert came["total"] == sum(came[g] for g in COLUMNS[1:]), where


def test_every_report_adds_up(system: System, year: RealisticYear) -> None:
    asked = [(report_year, "helar", insats) for report_year in (2026, 2025) for insats in REPORTED]
    asked += [(2026, "delar", None), *((2026, f"2026-{m:02d}", None) for m in range(1, 11))]
    asked += [(2026, f"q{number}", insats) for number in range(1, 5) for insats in REPORTED]
    for report_year, period, insats in asked:
        report = _report(system, report_year, period, insats)
        _assert_adds_up(report, (report_year, period, insats))
        _assert_adds_up(report["previous_year"], ("previous", report_year, period, insats))


def test_the_months_make_up_the_year(system: System, year: RealisticYear) -> None:
    months = [_report(system, 2026, f"2026-{m:02d}") for m in range(1, 11)]
    for month, report in enumerate(months, 1):
        expected = expected_figures(year, *_month(month))
        assert _as_oracle(report["figures"], expected) == expected, month
        assert report["activities"] == expected_activities(year, *_month(month)), month
        assert report["flows"] == expected_flows(year, *_month(month)), month
        assert report["people"] == expected_people(year, *_month(month)), month
        assert report["followup"] == expected_followup(year, *_month(month)), month

    def new_in(reports: list[dict]) -> dict[str, int]:
        return {c: sum(r["figures"]["new"][c] for r in reports) for c in COLUMNS}

    assert new_in(months) == _report(system, 2026, "helar")["figures"]["new"]
    delar = _report(system, 2026, "delar")
    assert delar["period"] == {"kind": "delar", "from": "2026-01-01", "to": "2026-08-31"}
    assert new_in(months[:8]) == delar["figures"]["new"]
    expected = expected_figures(year, date(2026, 1, 1), date(2026, 8, 31))
    assert _as_oracle(delar["figures"], expected) == expected


def test_the_report_page_shows_the_ended(system: System, year: RealisticYear) -> None:
    page = system.reporting.get(
        "/rapport", params={"year": 2026, "period": "helar"}, headers={"Accept": "text/html"}
    )

    assert page.status_code == 200, f"{page.status_code} {page.text[:2000]}"
    ended = re.search(r'<th scope="row">Avslutade</th>\s*<td[^>]*>(\d+) \((\d+)\)', page.text)
    assert ended, "no row Avslutade"
    expected = [expected_figures(year, *_helar(y))["ended"]["total"] for y in (2026, 2025)]
    assert [int(ended[1]), int(ended[2])] == expected


FOLLOWUP_ROWS = {
    "due": "Att följa upp (avslut som följs upp nu)",
    "reached": "Nådda vid uppföljningen",
    "reached_percent": "Svarsfrekvens (nådda av dem att följa upp)",
    "work_or_studies": "I arbete eller studier",
    "positive": "Positivt utfall (som positiva avslut)",
}
"""The page's rows of a follow-up, by their Swedish labels."""


def test_the_page_shows_the_follow_ups_of_the_oracle(system: System, year: RealisticYear) -> None:
    for insats in REPORTED:
        asked = {"year": 2026, "period": "helar"} | ({"insats": insats} if insats else {})
        page = _page(system, **asked)
        table = re.search(
            r"<caption>Uppföljning 6 månader efter avslut</caption>(.*?)</table>", page, re.S
        )
        assert table, insats
        now = expected_followup(year, *_helar(2026), insats)["6"]
        before = expected_followup(year, *_helar(2025), insats)["6"]
        for name, label in FOLLOWUP_ROWS.items():
            shown = _percent_text if name == "reached_percent" else str
            assert row(table[1], label) == [
                f"{shown(now[name][c])} ({shown(before[name][c])})" for c in COLUMNS
            ], (insats, name)


def _cell(text: str) -> int | float | None:
    if text == "":
        return None
    return float(text) if "." in text else int(text)


def test_the_csv_export_has_the_json_numbers(system: System, year: RealisticYear) -> None:
    params: dict[str, str | int] = {"year": 2026, "period": "helar"}
    report = system.report(**params)
    response = system.reporting.get("/api/v1/reports", params=params | {"format": "csv"})
    assert response.status_code == 200, response.text

    rows = list(csv.DictReader(io.StringIO(response.text)))
    exported = {
        (row["section"], row["name"], row["code"]): [
            _cell(row[column]) for column in (*COLUMNS, *(f"previous_{c}" for c in COLUMNS))
        ]
        for row in rows
        if row["section"] not in OWN_ROWS
    }
    # The economy and the goals, as the oracle has them, of the förbund and each insats.
    for insats in REPORTED:
        of_insats = {"insats": insats} if insats else {}
        exported_of = system.reporting.get(
            "/api/v1/reports", params=params | of_insats | {"format": "csv"}
        )
        csv_rows = list(csv.DictReader(io.StringIO(exported_of.text)))
        assert economy_of(csv_rows) == (
            expected_economy(year, *_helar(2026), insats),
            expected_economy(year, *_helar(2025), insats),
        ), insats
        goals = {"goals": expected_goals(year, *_helar(2026), insats)}
        assert goals_of(csv_rows) == csv_goals(goals), insats

    def values(current: dict, previous: dict) -> list:
        return [current[c] for c in COLUMNS] + [previous[c] for c in COLUMNS]

    last_year = report["previous_year"]
    expected = {
        ("figures", name, ""): values(columns, last_year["figures"][name])
        for name, columns in report["figures"].items()
    }
    expected |= {
        ("breakdowns", name, code): values(columns, last_year["breakdowns"][name][code])
        for name, codes in report["breakdowns"].items()
        for code, columns in codes.items()
    }
    flows = {(f["from"], f["to"]): f for f in report["flows"]}
    earlier = {(f["from"], f["to"]): f for f in last_year["flows"]}
    zeros = dict.fromkeys(COLUMNS, 0)
    for pair in flows.keys() | earlier.keys():
        expected[("flows", *pair)] = values(flows.get(pair, zeros), earlier.get(pair, zeros))
    expected[("people", "", "")] = values(report["people"], last_year["people"])
    for months, followup in report["followup"].items():
        for name, columns in followup.items():
            before = last_year["followup"][months][name]
            expected[("followup", months, name)] = values(columns, before)
    now, before = report["activities"], last_year["activities"]
    for name in ("count", "places", "places_used_percent"):
        expected[("activities", name, "")] = [
            now[name],
            None,
            None,
            None,
            before[name],
            None,
            None,
            None,
        ]
    expected[("activities", "participants", "")] = values(
        now["participants"], before["participants"]
    )
    for name in ("kinds", "organisations"):
        for code, count in now[name].items():
            row = [count, None, None, None, before[name][code], None, None, None]
            expected[("activities", name, code)] = row
    assert exported == expected


@pytest.mark.parametrize("published", [False, True], ids=["exact", "published"])
def test_the_xlsx_shows_every_figure_of_the_json_on_a_sheet_per_insats(
    system: System, year: RealisticYear, published: bool
) -> None:
    params: dict[str, str | int] = {"year": 2026, "period": "helar"}
    if published:
        params["suppress"] = "true"
    response = system.reporting.get("/api/v1/reports", params=params | {"format": "xlsx"})
    assert response.status_code == 200, response.text

    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    # The överblick, the förbund's sheet, then the insatser's in the order reporting lists
    # them (by id).
    assert len(workbook.sheetnames) == 2 + len(INSATSER)
    overview, *sheets = workbook
    assert_overview_shows(overview, _overview(system, **params))
    insatser = sorted(insats.insats_id for insats in INSATSER)
    for sheet, insats in zip(sheets, [None, *insatser], strict=True):
        answer = system.report(**params, **({"insats": insats} if insats else {}))
        assert_sheet_shows(sheet, answer, NAMES)
        if not published:
            assert answer["economy"] == expected_economy(year, *_helar(2026), insats)
            assert answer["goals"] == expected_goals(year, *_helar(2026), insats)
    if published:
        hidden = system.report(**params)["suppression"]["suppressed_cells"]
        assert hidden > 0  # a real year has small counts to hide


def _overview(system: System, **params: str | int) -> dict:
    response = system.reporting.get("/api/v1/reports/overview", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_the_overview_rows_equal_the_oracle_every_quarter_and_year(
    system: System, year: RealisticYear
) -> None:
    insatser = sorted(insats.insats_id for insats in INSATSER)
    for period, (first, last) in [("helar", _helar(2026))] + [
        (f"q{number}", quarter(2026, number)) for number in range(1, 5)
    ]:
        overview = _overview(system, year=2026, period=period)
        assert [line["insats"] for line in overview["insatser"]] == insatser
        for line in [*overview["insatser"], overview["forbund"]]:
            expected = expected_figures(year, first, last, line["insats"])
            assert _as_oracle(line["figures"], expected) == expected, (period, line["insats"])
            economy = expected_economy(year, first, last, line["insats"])
            assert line["economy"] == economy, (period, line["insats"])


@pytest.mark.parametrize("published", [False, True], ids=["exact", "published"])
def test_each_overview_row_is_its_own_report(
    system: System, year: RealisticYear, published: bool
) -> None:
    params: dict[str, str | int] = {"year": 2026, "period": "helar"}
    if published:
        params["suppress"] = "true"
    overview = _overview(system, **params)
    registrations = {insats.insats_id: insats.registration for insats in INSATSER}
    for line in [*overview["insatser"], overview["forbund"]]:
        own = system.report(**params, **({"insats": line["insats"]} if line["insats"] else {}))
        assert line["name"] == own["insats_name"]
        assert line["registration"] == registrations.get(line["insats"])
        for part in ("figures", "shares", "economy"):
            assert line[part] == own[part], (line["insats"], part)
        judged = [result["met"] for result in own["targets"] + own["goals"]]
        assert line["goals"] == {
            "count": len(judged),
            "met": judged.count(True),
            "not_met": judged.count(False),
        }
    if published:
        assert overview["suppression"]["suppressed_cells"] > 0


def test_a_rebuild_gives_the_same_year(system: System, year: RealisticYear) -> None:
    def helar_2026() -> dict:
        return {
            insats: {
                section: (report[section], report["previous_year"][section]) for section in SECTIONS
            }
            for insats in REPORTED
            for report in [_report(system, 2026, "helar", insats)]
        }

    before = helar_2026()
    rebuilt = run_cli(system, "rebuild", "--wait", "120")

    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
    assert "Rebuild complete." in rebuilt.stdout
    assert helar_2026() == before


def _periods(report_year: int) -> list[tuple[str, date, date]]:
    """The helår, the delår (1 January–31 August) and each quarter of the year."""
    return [
        ("helar", *_helar(report_year)),
        ("delar", date(report_year, 1, 1), date(report_year, 8, 31)),
        *((f"q{number}", *quarter(report_year, number)) for number in range(1, 5)),
    ]


def test_the_economy_and_the_goals_equal_the_oracle(system: System, year: RealisticYear) -> None:
    for insats in REPORTED:
        for report_year in (2026, 2025):
            for period, first, last in _periods(report_year):
                found = _report(system, report_year, period, insats)
                where = (report_year, period, insats)
                assert found["economy"] == expected_economy(year, first, last, insats), where
                a_year_before = (
                    first.replace(year=first.year - 1),
                    last.replace(year=last.year - 1),
                )
                assert found["previous_year"]["economy"] == expected_economy(
                    year, *a_year_before, insats
                ), where
                if insats not in year.goals and insats is not None:
                    assert found["goals"] == [], where
                else:
                    assert found["goals"] == expected_goals(year, first, last, insats), where
    # Every kind of goal met, missed, and without a base somewhere in the year.
    outcomes = {
        (tuple(sorted(goal)), goal["met"])
        for report_year in (2026, 2025)
        for period, first, last in _periods(report_year)
        for goal in expected_goals(year, first, last)
    }
    assert {met for _, met in outcomes} == {True, False, None}


def test_a_cost_corrected_after_its_month_closed_counts_as_corrected(
    system: System, year: RealisticYear
) -> None:
    insats, month, amount = year.money.correction
    assert amount != year.money.costs[(insats, month)]
    stored = system.reporting.get(f"/api/v1/insatser/{insats}/costs/{month}").json()
    assert stored["amount"] == amount
    march = _report(system, 2026, month, insats)
    assert march["economy"]["costs"] == amount


def test_the_series_equals_the_oracle_year_by_year(system: System, year: RealisticYear) -> None:
    for insats in REPORTED:
        asked = {"to_year": 2026} | ({"insats": insats} if insats else {})
        response = system.reporting.get("/api/v1/reports/series", params=asked)
        assert response.status_code == 200, response.text
        years = response.json()["years"]
        # From the first registration on, each year's helår.
        first = first_registration_year(year, insats)
        assert [found["year"] for found in years] == list(range(first, 2027)), insats
        for found in years:
            expected = expected_figures(year, *_helar(found["year"]), insats)
            assert _as_oracle(found["figures"], expected) == expected, (found["year"], insats)
            helar = _report(system, found["year"], "helar", insats)
            assert found["shares"] == helar["shares"], (found["year"], insats)


def _kronor(value: int | None) -> str:
    return "–" if value is None else f"{value:,} kr".replace(",", " ")


def _percent_text(value: int | None) -> str:
    return "–" if value is None else f"{value} %"


def _page(system: System, **params: str | int) -> str:
    page = system.reporting.get("/rapport", params=params, headers={"Accept": "text/html"})
    assert page.status_code == 200, f"{page.status_code} {page.text[:2000]}"
    return page.text


ECONOMY_ROWS = {
    "budget": ("Budget (året)", _kronor),
    "costs": ("Kostnader under perioden (utfall)", _kronor),
    "budget_used_percent": ("Andel av budgeten som använts", _percent_text),
    "cost_per_participant": ("Kostnad per deltagare", _kronor),
    "cost_per_ended": ("Kostnad per avslutad deltagare", _kronor),
    "individual_share_percent": ("Andel av kostnaderna till individinsatser", _percent_text),
}
"""How the page writes each economy value, by its Swedish label."""


def test_the_page_shows_the_economy_the_goals_and_the_trend_of_the_oracle(
    system: System, year: RealisticYear
) -> None:
    for insats in REPORTED:
        for period, first, last in _periods(2026):
            asked = {"year": 2026, "period": period} | ({"insats": insats} if insats else {})
            page = _page(system, **asked)
            now = expected_economy(year, first, last, insats)
            before = expected_economy(
                year, first.replace(year=2025), last.replace(year=2025), insats
            )
            for name, (label, shown) in ECONOMY_ROWS.items():
                if name in now:
                    assert row(page, label) == [shown(now[name]), shown(before[name])], (
                        asked,
                        name,
                    )
            goals = expected_goals(year, first, last, insats)
            met = {True: "✓ Uppnått", False: "✗ Ej uppnått", None: "Inget underlag"}
            listed = re.findall(r'<td class="target-(met|missed|none)">([^<]+)</td>', page)
            assert [text(shown) for _, shown in listed] == [met[goal["met"]] for goal in goals]

    # The trend: each year's participants, new and ended since the first registration.
    page = _page(system, year=2026, period="helar", insats="arbetsrehab")
    for name in ("participants", "new", "ended"):
        table = re.search(rf'<table id="diagram-trend-{name}-tabell">(.*?)</table>', page, re.S)
        assert table, name
        for report_year in range(first_registration_year(year, "arbetsrehab"), 2027):
            expected = expected_figures(year, *_helar(report_year), "arbetsrehab")[name]
            assert row(table[1], str(report_year)) == [str(expected[c]) for c in COLUMNS]
    # Month by month: the new of each month of the year.
    table = re.search(r'<table id="diagram-months-new-tabell">(.*?)</table>', page, re.S)
    assert table
    for month in range(1, 11):
        expected = expected_figures(year, *_month(month), "arbetsrehab")["new"]
        label = f"{MONTH_NAMES[month - 1]} 2026"
        assert row(table[1], label) == [str(expected[c]) for c in COLUMNS], label


MONTH_NAMES = (
    "Januari",
    "Februari",
    "Mars",
    "April",
    "Maj",
    "Juni",
    "Juli",
    "Augusti",
    "September",
    "Oktober",
)
