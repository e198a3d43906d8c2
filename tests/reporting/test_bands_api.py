"""Bands and bases through the report API as it runs (real Redis, SQLite and PostgreSQL):
the förbund's bands (`STEGVIS_BANDS`), a request's, `base`, in JSON, CSV and XLSX."""

import csv
import io
from datetime import date

import openpyxl
import pytest
from redis.asyncio import Redis

from services.reporting import bootstrap
from shared.contract.records import InsatsRegistered, ParticipantRecord, ParticipantRecordChanged
from shared.platform.settings import Settings
from tests.conftest import SERVICE_AUTH as AUTH
from tests.reporting.running import positioned, report, running_reporting


def _person(n: int, start: date, age: int, years: int, end: date | None = None):
    ended = {"end_date": end, "reason": "arbete", "outcome_class": "positive"} if end else {}
    return ParticipantRecord(
        participant_id=f"P{n}",
        insats_id="a",
        gender="kvinna" if n % 2 else "man",
        start_date=start,
        birth_year=start.year - age,
        years_in_support=years,
        **ended,
    )


PEOPLE = [
    _person(1, date(2024, 9, 1), 17, 0),  # still in at the end of 2025
    _person(2, date(2025, 2, 1), 23, 2, date(2025, 7, 15)),  # 5 whole months
    _person(3, date(2025, 3, 1), 28, 5),
    _person(4, date(2024, 1, 10), 45, 9, date(2025, 3, 9)),  # 13 whole months
]
CHANGES = [
    InsatsRegistered(**positioned(1), insats_id="a", name="Unga vuxna", registration="individ"),
    *(
        ParticipantRecordChanged(
            **positioned(position),
            insats_id="a",
            participant_id=person.participant_id,
            before=None,
            after=person,
        )
        for position, person in enumerate(PEOPLE, 2)
    ),
]
HELAR = {"year": 2025, "period": "helar", "insats": "a"}


def _totals(breakdown: dict) -> dict[str, int]:
    return {code: row["total"] for code, row in breakdown.items()}


async def test_the_request_chooses_the_bands_and_whom_they_count(
    settings: Settings, redis: Redis
) -> None:
    async with running_reporting(settings, redis, *CHANGES) as client:
        v1 = await report(client, **HELAR)
        asked = await report(
            client,
            **HELAR,
            base="ongoing_at_end",
            age_bands="16,21,26,30",
            support_year_bands="0,1,2,3",
        )
        participants = await report(client, **HELAR, base="participants", month_bands="0,4,7,13")
        new = await report(client, **HELAR, base="new")
        exported = await client.get(
            "/api/v1/reports",
            headers=AUTH,
            params={**HELAR, "base": "participants", "age_bands": "16,21,26,30", "format": "csv"},
        )
        workbook = await client.get(
            "/api/v1/reports",
            headers=AUTH,
            params={**HELAR, "base": "participants", "age_bands": "16,21,26,30", "format": "xlsx"},
        )

    # No parameters: the v1 bands and codes, of those ended.
    assert v1["base"] == "ended"
    assert _totals(v1["breakdowns"]["age_band"])["45-49"] == 1
    assert _totals(v1["breakdowns"]["age_band"])["19-24"] == 1
    assert list(v1["breakdowns"]["years_in_support"]) == ["0-1", "2-3", "4-5", "6+", "okand"]
    assert _totals(v1["breakdowns"]["weeks_in_insats_band"]) == {
        "0-3": 0,
        "4-6": 1,
        "7-12": 0,
        "13+": 1,
        "okand": 0,
    }
    # Still in at the end of 2025: P1 (17) and P3 (28).
    assert asked["base"] == "ongoing_at_end"
    assert asked["figures"]["ongoing_at_end"]["total"] == 2
    assert _totals(asked["breakdowns"]["age_band"]) == dict(
        zip(("16-20", "21-25", "26-29", "30-", "okand"), (1, 0, 1, 0, 0), strict=True)
    )
    assert _totals(asked["breakdowns"]["years_in_support"]) == dict(
        zip(("0", "1", "2", "3-", "okand"), (1, 0, 0, 1, 0), strict=True)
    )
    assert _totals(asked["breakdowns"]["reason"])["okand"] == 2
    # Everyone active in 2025, the two ended by their months in the insats.
    assert participants["figures"]["participants"]["total"] == 4
    assert _totals(participants["breakdowns"]["weeks_in_insats_band"]) == {
        "0-3": 0,
        "4-6": 1,
        "7-12": 0,
        "13-": 1,
        "okand": 2,
    }
    assert _totals(participants["breakdowns"]["reason"]) == {
        **{code: 0 for code in participants["breakdowns"]["reason"]},
        "arbete": 2,
        "okand": 2,
    }
    # Those who started in 2025, as they started.
    assert new["figures"]["new"]["total"] == 2
    assert _totals(new["breakdowns"]["age_band"])["19-24"] == 1
    assert _totals(new["breakdowns"]["age_band"])["25-29"] == 1
    assert _totals(new["breakdowns"]["reason"])["okand"] == 2

    rows = list(csv.DictReader(io.StringIO(exported.text)))
    ages = {row["code"]: row["total"] for row in rows if row["name"] == "age_band"}
    assert ages == {"16-20": "1", "21-25": "1", "26-29": "1", "30-": "1", "okand": "0"}
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.content)).active
    shown = [row[0] for row in sheet.iter_rows(values_only=True)]
    assert "Fördelningarna räknar alla deltagare under perioden." in shown
    assert "Deltagare under perioden efter ålder vid start" in shown
    assert "30 år eller mer" in shown


async def test_bad_edges_or_base_are_422_naming_the_parameter(
    settings: Settings, redis: Redis
) -> None:
    async with running_reporting(settings, redis, *CHANGES) as client:
        for params, field in [
            ({"age_bands": "30,15"}, "age_bands"),
            ({"support_year_bands": "1,,2"}, "support_year_bands"),
            ({"month_bands": "0,4,x"}, "month_bands"),
            ({"month_bands": "-3"}, "month_bands"),
            ({"base": "everyone"}, "base"),
        ]:
            refused = await client.get("/api/v1/reports", params={**HELAR, **params}, headers=AUTH)
            assert refused.status_code == 422, params
            assert [error["field"] for error in refused.json()["detail"]] == [field], params


async def test_the_förbund_s_bands_are_the_default_and_checked_at_start(
    settings: Settings, redis: Redis
) -> None:
    configured = settings.model_copy(update={"bands": {"age_band": [15, 25, 40]}})
    async with running_reporting(configured, redis, *CHANGES) as client:
        default = await report(client, **HELAR, base="participants")
        asked = await report(client, **HELAR, base="participants", age_bands="15,30")
    assert _totals(default["breakdowns"]["age_band"]) == {
        "15-24": 2,
        "25-39": 1,
        "40-": 1,
        "okand": 0,
    }
    assert _totals(asked["breakdowns"]["age_band"]) == {"15-29": 3, "30-": 1, "okand": 0}

    for bands, reason in [
        ({"age_band": [40, 15]}, "STEGVIS_BANDS: age_band: the edges must increase"),
        ({"reason": [1]}, "STEGVIS_BANDS: 'reason' is not a banded breakdown"),
    ]:
        with pytest.raises(SystemExit, match=reason):
            bootstrap.create_app(settings.model_copy(update={"bands": bands}))
