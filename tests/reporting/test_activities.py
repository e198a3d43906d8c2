"""Structural insatser in the reports: outcomes' activity changes on a real Redis stream
into a real database (SQLite and PostgreSQL), read back as JSON, CSV, XLSX and the page."""

import csv
import io
from datetime import UTC, date, datetime

import openpyxl
from redis.asyncio import Redis

from shared.contract.records import (
    ActivityCounted,
    InsatsRegistered,
    ParticipantRecord,
)
from shared.platform.settings import Settings
from tests.conftest import SERVICE_AUTH as AUTH
from tests.reporting.running import change_fields, record_changed, report, running_reporting

T0 = datetime(2025, 5, 1, 8, 0, tzinfo=UTC)


def _activity(position: int, day: date, kind: str, k: int, m: int, a: int, **more):
    return ActivityCounted(
        **change_fields(position, T0),
        insats_id=more.pop("insats_id", "kunskap"),
        date=day,
        kind=kind,
        participants={"kvinna": k, "man": m, "annan": a},
        organisations=more.pop("organisations", {}),
        places=more.pop("places", None),
    )


P1 = ParticipantRecord(
    participant_id="P1", insats_id="steget", gender="kvinna", start_date=date(2025, 2, 1)
)
CHANGES = [
    InsatsRegistered(
        **change_fields(1, T0), insats_id="steget", name="Steget", registration="individ"
    ),
    InsatsRegistered(
        **change_fields(2, T0), insats_id="kunskap", name="Kunskapslyftet", registration="struktur"
    ),
    record_changed(3, T0, None, P1),
    # Three training days with 25 places each, a network meeting with no number of places;
    # one of the trainings was a year earlier.
    _activity(
        4,
        date(2025, 3, 12),
        "utbildning",
        14,
        5,
        1,
        places=25,
        organisations={"fk": 4, "kommun": 9},
    ),
    _activity(5, date(2025, 4, 2), "utbildning", 10, 7, 0, places=25, organisations={"kommun": 3}),
    _activity(6, date(2025, 9, 30), "natverk", 6, 2, 0),
    _activity(7, date(2024, 10, 1), "utbildning", 8, 8, 0, places=20),
]
COLUMNS = ("total", "kvinna", "man", "annan")


def _counts(*values: int) -> dict[str, int]:
    return dict(zip(COLUMNS, values, strict=True))


async def test_a_structural_insats_reports_its_activities_apart_from_individual_figures(
    settings: Settings, redis: Redis
) -> None:
    async with running_reporting(settings, redis, *CHANGES, CHANGES[4]) as client:
        kunskap = await report(client, year=2025, period="helar", insats="kunskap")
        forbund = await report(client, year=2025, period="helar")
        published = await report(client, year=2025, period="helar", suppress="true")
        steget = await report(client, year=2025, period="helar", insats="steget")
        csv_text = (
            await client.get(
                "/api/v1/reports",
                params={"year": 2025, "period": "helar", "insats": "kunskap", "format": "csv"},
                headers=AUTH,
            )
        ).text
        xlsx = await client.get(
            "/api/v1/reports",
            params={"year": 2025, "period": "helar", "format": "xlsx"},
            headers=AUTH,
        )
        page = await client.get(
            "/rapport", params={"year": 2025, "period": "helar", "insats": "kunskap"}, headers=AUTH
        )
        individ_page = await client.get(
            "/rapport", params={"year": 2025, "period": "helar", "insats": "steget"}, headers=AUTH
        )
        overview = (
            await client.get(
                "/api/v1/reports/overview", params={"year": 2025, "period": "helar"}, headers=AUTH
            )
        ).json()

    # 20 + 17 of 50 places taken: 74 %; the network meeting offered none. The redelivered
    # change counted once.
    expected = {
        "count": 3,
        "kinds": {"utbildning": 2, "natverk": 1, "konferens": 0, "kartlaggning": 0, "annan": 0},
        "participants": _counts(45, 30, 14, 1),
        "organisations": {"fk": 4, "af": 0, "kommun": 12, "region": 0, "annan": 0},
        "places": 50,
        "places_used_percent": 74,
    }
    assert kunskap["activities"] == expected
    assert kunskap["previous_year"]["activities"]["count"] == 1
    assert kunskap["previous_year"]["activities"]["places_used_percent"] == 80
    # The förbund's activities are its insatser's; its individual figures are Steget's alone.
    assert forbund["activities"] == expected
    assert published["activities"] == expected  # attendance, not people followed: not hidden
    assert forbund["figures"]["participants"] == steget["figures"]["participants"]
    assert forbund["figures"]["participants"] == _counts(1, 1, 0, 0)
    assert kunskap["figures"]["participants"] == _counts(0, 0, 0, 0)
    assert steget["activities"]["count"] == 0
    assert steget["activities"]["places_used_percent"] is None
    # The överblick's row of the structural insats: no participants, its activities.
    rows = {row["insats"]: row for row in overview["insatser"]}
    assert (rows["kunskap"]["registration"], rows["kunskap"]["activities"]) == ("struktur", 3)
    assert rows["kunskap"]["figures"]["participants"]["total"] == 0
    assert (rows["steget"]["activities"], overview["forbund"]["activities"]) == (0, 3)

    rows = list(csv.reader(io.StringIO(csv_text)))
    activity_rows = {(row[1], row[2]): row[3:] for row in rows if row[0] == "activities"}
    assert activity_rows[("count", "")] == ["3", "", "", "", "1", "", "", ""]
    assert activity_rows[("participants", "")] == ["45", "30", "14", "1", "16", "8", "8", "0"]
    assert activity_rows[("kinds", "natverk")][0] == "1"
    assert activity_rows[("organisations", "kommun")][0] == "12"
    assert activity_rows[("places_used_percent", "")][:1] == ["74"]

    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content))["Förbundet"]
    by_label = {row[0]: row[1:] for row in sheet.iter_rows(values_only=True) if row and row[0]}
    assert "Strukturinsatser: aktiviteter" in by_label
    assert by_label["Aktiviteter"][0] == 3
    assert by_label["Deltagare i aktiviteterna"][:4] == (45, 30, 14, 1)
    assert by_label["Aktiviteter: Nätverk"][0] == 1
    assert by_label["Deltagare från: Kommunen"][0] == 12
    assert by_label["Nyttjade platser"][0] == 0.74

    assert page.status_code == 200
    assert "Strukturinsatser: aktiviteter" in page.text
    assert "<td>45 (16)</td>" in page.text and "<td>74\u00a0% (80\u00a0%)</td>" in page.text
    assert "Strukturinsatser: aktiviteter" not in individ_page.text
