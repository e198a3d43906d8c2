"""The CSV export opens safely in a spreadsheet: a municipality written as a formula comes out
as text, never as a formula, exact and published, while every number stays a number."""

import csv
import io
from datetime import UTC, date, datetime

from redis.asyncio import Redis

from shared.contract.records import InsatsRegistered, ParticipantRecord, ParticipantRecordChanged
from shared.platform.settings import Settings
from tests.conftest import SERVICE_AUTH as AUTH
from tests.reporting.running import running_reporting
from tests.reporting.support import POLICY

T0 = datetime(2025, 9, 1, 8, 0, tzinfo=UTC)
HOSTILE = ['=HYPERLINK("http://x")', "@SUM(1)", "+1+1", "-2+3", "\tTAB"]


def _changes() -> list:
    registered = InsatsRegistered(
        change_id="c1",
        generation=1,
        position=1,
        occurred_at=T0,
        insats_id="a",
        name="Arbetsrehab",
        registration="individ",
    )
    records = [
        ParticipantRecord(
            participant_id=f"P{n}",
            insats_id="a",
            gender="kvinna",
            start_date=date(2025, 2, 1),
            end_date=date(2025, 5, 1),
            reason="arbete",
            outcome_class=POLICY.outcome_class("arbete"),
            municipality=municipality,
        )
        for n, municipality in enumerate(HOSTILE)
    ]
    return [
        registered,
        *(
            ParticipantRecordChanged(
                change_id=f"c{position}",
                generation=1,
                position=position,
                occurred_at=T0,
                insats_id="a",
                participant_id=record.participant_id,
                before=None,
                after=record,
            )
            for position, record in enumerate(records, 2)
        ),
    ]


async def test_a_municipality_written_as_a_formula_is_exported_as_text(
    settings: Settings, redis: Redis
) -> None:
    async with running_reporting(settings, redis, *_changes()) as client:
        exports = [
            await client.get(
                "/api/v1/reports",
                headers=AUTH,
                params={"year": 2025, "period": "helar", "format": "csv", "suppress": suppress},
            )
            for suppress in (False, True)
        ]
    for exported in exports:
        assert exported.status_code == 200
        rows = list(csv.reader(io.StringIO(exported.text)))
        municipalities = [row[2] for row in rows if row[:2] == ["breakdowns", "municipality"]]
        assert municipalities == [*sorted(f"'{name}" for name in HOSTILE), "okand"]
        # Only text is neutralised: no cell but those starts as a formula would.
        starts = {cell[:1] for row in rows for cell in row if cell not in municipalities}
        assert not starts & {"=", "+", "-", "@", "\t", "\r", "'"}
    exact = {tuple(row[:3]): row[3] for row in csv.reader(io.StringIO(exports[0].text))}
    assert exact[("figures", "ended", "")] == "5"
    assert exact[("breakdowns", "municipality", "'@SUM(1)")] == "1"
