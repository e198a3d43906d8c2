"""Reporting as it runs: outcomes' changes on a real Redis stream into a real database
(SQLite and PostgreSQL), read back over HTTP."""

import asyncio
import csv
import io
import time
from datetime import UTC, date, datetime, timedelta

import httpx
import openpyxl
from redis.asyncio import Redis

from services.reporting import bootstrap
from shared.contract.records import (
    InsatsRegistered,
    OutcomeChange,
    ParticipantRecord,
    ParticipantRecordChanged,
    VolumeCounted,
)
from shared.platform.settings import Settings
from shared.platform.streams import Topology, dead_letter_stream, ensure_group
from tests.conftest import SERVICE_AUTH as AUTH
from tests.reporting.running import processed_through, publish_changes, report

T0 = datetime(2025, 5, 1, 8, 0, tzinfo=UTC)


def _common(position: int, generation: int = 1) -> dict:
    return {
        "change_id": f"g{generation}-c{position}",
        "generation": generation,
        "position": position,
        "occurred_at": T0 + timedelta(minutes=position),
    }


def _changed(position: int, before, after, generation: int = 1) -> ParticipantRecordChanged:
    record = after or before
    return ParticipantRecordChanged(
        **_common(position, generation),
        insats_id=record.insats_id,
        participant_id=record.participant_id,
        before=before,
        after=after,
    )


P1 = ParticipantRecord(
    participant_id="P1",
    insats_id="a",
    gender="kvinna",
    start_date=date(2024, 3, 10),
    birth_year=1985,
    municipality="2480",
)
P1_ENDED = ParticipantRecord.model_validate(
    {
        **P1.model_dump(),
        "end_date": date(2025, 2, 14),
        "reason": "arbete",
        "outcome_class": "positive",
        "direct_to_work_or_studies": True,
        "health_better": True,
    }
)
P2 = ParticipantRecord(
    participant_id="P2", insats_id="a", gender="man", start_date=date(2025, 4, 1)
)

HISTORY: list[OutcomeChange] = [
    InsatsRegistered(**_common(1), insats_id="a", name="Arbetsrehab", registration="individ"),
    InsatsRegistered(**_common(2), insats_id="v", name="Hälsoskolan", registration="volym"),
    _changed(3, None, P1),
    _changed(4, P1, P1_ENDED),
    _changed(5, None, P2),
    VolumeCounted(
        **_common(6),
        insats_id="v",
        date=date(2025, 3, 10),
        counts={"kvinna": 12, "man": 8, "annan": 1},
    ),
]


def _columns(total: int, kvinna: int, man: int, annan: int) -> dict[str, int]:
    return {"total": total, "kvinna": kvinna, "man": man, "annan": annan}


def _client(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


async def test_changes_become_figures_once_and_garbage_is_dead_lettered(
    settings: Settings, redis: Redis
) -> None:
    # Published before reporting ever ran: the group must see them from the start.
    await ensure_group(redis, Topology(settings.stream_prefix).outcome_changes, "reporting")
    await publish_changes(redis, settings, *HISTORY[:4])
    app = bootstrap.create_app(settings)
    async with app.router.lifespan_context(app), _client(app) as client:
        assert (await client.get("/health")).status_code == 200
        assert (await client.get("/ready")).json() == {"database": True, "redis": True}
        await processed_through(client, 4)
        await redis.xadd(
            Topology(settings.stream_prefix).outcome_changes, {"id": "garbage", "body": "not json"}
        )
        stale = _changed(99, None, P2.model_copy(update={"participant_id": "P9"}), 0)
        # A duplicate of a change already applied, another generation's, then the rest.
        await publish_changes(redis, settings, HISTORY[3], stale, *HISTORY[4:])
        through_six = await processed_through(client, 6)
        whole = await report(client, year=2025, period="helar")
        metrics = (await client.get("/metrics")).text
        insatser = (await client.get("/api/v1/insatser", headers=AUTH)).json()

        dead = dead_letter_stream(Topology(settings.stream_prefix).outcome_changes, "reporting")
        deadline = time.monotonic() + 20
        while await redis.xlen(dead) < 1:
            assert time.monotonic() < deadline, "the garbage entry was never dead-lettered"
            await asyncio.sleep(0.05)
        [(_, dead_fields)] = await redis.xrange(dead)

    assert dead_fields[b"id"] == b"garbage"
    # The stale change (position 99) neither counted nor moved the position.
    assert through_six["processed_through"] == {
        "position": 6,
        "occurred_at": (T0 + timedelta(minutes=6)).isoformat(),
    }
    assert whole["insats"] is None
    f = whole["figures"]
    assert f["opening"] == _columns(1, 1, 0, 0)
    assert f["new"] == _columns(1, 0, 1, 0)
    assert f["ended"] == _columns(1, 1, 0, 0)
    assert f["ongoing_at_end"] == _columns(1, 0, 1, 0)
    assert f["positive_exits"] == _columns(1, 1, 0, 0)
    assert f["direct_to_work_or_studies"] == _columns(1, 1, 0, 0)
    assert f["health_better"] == _columns(1, 1, 0, 0)
    assert f["volume_participants"] == _columns(21, 12, 8, 1)
    assert f["mean_weeks_in_insats"] == {
        "total": 48.7,
        "kvinna": 48.7,
        "man": None,
        "annan": None,
    }  # 341 days
    assert whole["breakdowns"]["municipality"]["2480"] == _columns(1, 1, 0, 0)
    assert whole["previous_year"]["figures"]["new"] == _columns(1, 1, 0, 0)
    assert "stegvis_reporting_stale_changes_total" in metrics
    assert insatser == [
        {"insats_id": "a", "name": "Arbetsrehab", "registration": "individ"},
        {"insats_id": "v", "name": "Hälsoskolan", "registration": "volym"},
    ]


async def test_the_report_api_refuses_what_it_cannot_answer_and_exports_csv_and_xlsx(
    settings: Settings, redis: Redis
) -> None:
    app = bootstrap.create_app(settings)
    async with app.router.lifespan_context(app), _client(app) as client:
        await publish_changes(redis, settings, *HISTORY)
        await processed_through(client, 6)

        one = await report(client, year=2025, period="2025-02", insats="a")
        assert (one["insats"], one["insats_name"]) == ("a", "Arbetsrehab")
        assert one["period"] == {"kind": "month", "from": "2025-02-01", "to": "2025-02-28"}
        assert one["figures"]["ended"] == _columns(1, 1, 0, 0)

        unauthenticated = await client.get(
            "/api/v1/reports", params={"year": 2025, "period": "helar"}
        )
        assert unauthenticated.status_code == 401
        unknown = await client.get(
            "/api/v1/reports",
            headers=AUTH,
            params={"year": 2025, "period": "helar", "insats": "nope"},
        )
        assert unknown.status_code == 404 and "nope" in unknown.json()["detail"]
        for params, field in [
            ({"year": 2025, "period": "2024-06"}, "period"),
            ({"year": 2025, "period": "sommar"}, "period"),
            ({"year": "tjugo", "period": "helar"}, "year"),
            ({"year": 2025, "period": "helar", "format": "pdf"}, "format"),
        ]:
            refused = await client.get("/api/v1/reports", params=params, headers=AUTH)
            assert refused.status_code == 422, params
            assert [error["field"] for error in refused.json()["detail"]] == [field], params

        exported = await client.get(
            "/api/v1/reports",
            headers=AUTH,
            params={"year": 2025, "period": "helar", "insats": "a", "format": "csv"},
        )
        workbook = await client.get(
            "/api/v1/reports",
            headers=AUTH,
            params={"year": 2025, "period": "helar", "insats": "a", "format": "xlsx"},
        )
    assert exported.status_code == 200
    assert exported.headers["content-type"] == "text/csv; charset=utf-8"
    assert exported.headers["content-disposition"] == (
        'attachment; filename="stegvis-a-2025-helar.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert list(rows[0]) == [
        "section",
        "name",
        "code",
        "total",
        "kvinna",
        "man",
        "annan",
        "previous_total",
        "previous_kvinna",
        "previous_man",
        "previous_annan",
    ]
    figures = {row["name"]: row for row in rows if row["section"] == "figures"}
    assert (figures["new"]["total"], figures["new"]["previous_total"]) == ("1", "1")
    assert figures["mean_weeks_in_insats"]["man"] == ""
    ended = int(figures["ended"]["total"])
    assert ended == 1
    for name in ("reason", "age_band", "education", "municipality", "weeks_in_insats_band"):
        codes = [row for row in rows if row["section"] == "breakdowns" and row["name"] == name]
        for column in ("total", "kvinna", "man", "annan"):
            assert sum(int(row[column]) for row in codes) == int(figures["ended"][column])
        assert sum(int(row["previous_total"]) for row in codes) == int(
            figures["ended"]["previous_total"]
        )

    # The XLSX is the report laid out as the förbund's template: Swedish labels, this year
    # beside last year, numbers as numbers.
    assert workbook.status_code == 200
    assert workbook.headers["content-disposition"] == (
        'attachment; filename="stegvis-a-2025-helar.xlsx"'
    )
    book = openpyxl.load_workbook(io.BytesIO(workbook.content))
    assert book.sheetnames == ["Arbetsrehab"]
    sheet = book["Arbetsrehab"]
    assert sheet["A1"].value == "Arbetsrehab: Helår 2025"
    shown = {row[0]: row[1:] for row in sheet.iter_rows(values_only=True) if row[0]}
    assert shown["Mått"] == (
        "Totalt",
        "Kvinnor",
        "Män",
        "Annat",
        "Föregående år: Totalt",
        "Föregående år: Kvinnor",
        "Föregående år: Män",
        "Föregående år: Annat",
    )
    assert shown["Nya"] == (1, 0, 1, 0, 1, 1, 0, 0)
    assert shown["Avslutade"] == (1, 1, 0, 0, 0, 0, 0, 0)
    assert shown["Positiva avslut, andel av avslutade"][:4] == (1, 1, "–", "–")  # 100 %
    assert shown["Genomsnittlig tid i insatsen (veckor)"][:3] == (48.7, 48.7, "–")
    assert shown["Arbete utan lönesubvention"][:4] == (1, 1, 0, 0)


async def _processed_position(settings: Settings) -> int:
    """What `stegvis rebuild --wait` reads."""
    async with bootstrap.processed_positions(settings) as read:
        return await read()


async def test_reset_empties_the_figures_and_starts_a_generation(
    settings: Settings, redis: Redis
) -> None:
    app = bootstrap.create_app(settings)
    async with app.router.lifespan_context(app), _client(app) as client:
        await publish_changes(redis, settings, *HISTORY)
        await processed_through(client, 6)
        assert await _processed_position(settings) == 6

        async with bootstrap.resetting(settings) as reset:
            await reset(2, ())
        emptied = await report(client, year=2025, period="helar")
        assert emptied["processed_through"] == {"position": 0, "occurred_at": None}
        assert all(columns["total"] in (0, None) for columns in emptied["figures"].values())
        assert (await client.get("/api/v1/insatser", headers=AUTH)).json() == []

        # What the rebuild sends: the same history in generation 2, beside old stragglers.
        await publish_changes(
            redis,
            settings,
            _changed(7, None, P2),
            *(
                change.model_copy(update={"change_id": f"new-{change.change_id}", "generation": 2})
                for change in HISTORY
            ),
        )
        rebuilt = await processed_through(client, 6)
    assert rebuilt["figures"]["new"] == _columns(1, 0, 1, 0)
    assert rebuilt["figures"]["ended"] == _columns(1, 1, 0, 0)
    assert rebuilt["processed_through"]["position"] == 6
    assert await _processed_position(settings) == 6
