"""Moves between insatser in the reports: each insats's figures as before, the förbund's
people (each code once) beside its registrations, and the flows; through a real Redis
stream into a real database (SQLite and PostgreSQL)."""

from datetime import UTC, date, datetime

from redis.asyncio import Redis

from shared.contract.codes import OutcomeClass, Reason
from shared.contract.records import InsatsRegistered, ParticipantRecord, ParticipantRecordChanged
from shared.platform.settings import Settings
from tests.conftest import SERVICE_AUTH
from tests.reporting.running import change_fields, record_changed, report, running_reporting

T0 = datetime(2025, 5, 1, 8, 0, tzinfo=UTC)


def _changed(position: int, before, after) -> ParticipantRecordChanged:
    return record_changed(position, T0, before, after)


def _record(code: str, insats: str, gender: str, start: date, **more) -> ParticipantRecord:
    return ParticipantRecord(
        participant_id=code, insats_id=insats, gender=gender, start_date=start, **more
    )


ENDED = {"reason": Reason.ANNAN_INSATS, "outcome_class": OutcomeClass.UNCLEAR}
# K1 (a woman) goes steget → mia → steget-2 in 2025; M1 (a man) goes steget → mia in 2024;
# K2 stays in steget.
K1_STEGET = _record("K1", "steget", "kvinna", date(2025, 1, 10))
K1_STEGET_ENDED = K1_STEGET.model_copy(update={"end_date": date(2025, 3, 3), **ENDED})
K1_MIA = _record("K1", "mia", "kvinna", date(2025, 3, 3), moved_from="steget")
K1_MIA_ENDED = K1_MIA.model_copy(update={"end_date": date(2025, 6, 2), **ENDED})
K1_TWO = _record("K1", "steget-2", "kvinna", date(2025, 6, 2), moved_from="mia")
M1_STEGET = _record("M1", "steget", "man", date(2024, 2, 1), end_date=date(2024, 9, 2), **ENDED)
M1_MIA = _record("M1", "mia", "man", date(2024, 9, 2), moved_from="steget")
K2 = _record("K2", "steget", "kvinna", date(2025, 2, 1))
CHANGES = [
    *(
        InsatsRegistered(
            **change_fields(n, T0), insats_id=insats, name=insats.title(), registration="individ"
        )
        for n, insats in enumerate(("steget", "mia", "steget-2"), 1)
    ),
    _changed(4, None, K1_STEGET),
    _changed(5, K1_STEGET, K1_STEGET_ENDED),
    _changed(6, None, K1_MIA),
    _changed(7, K1_MIA, K1_MIA_ENDED),
    _changed(8, None, K1_TWO),
    _changed(9, None, M1_STEGET),
    _changed(10, None, M1_MIA),
    _changed(11, None, K2),
]


def _counts(total: int, kvinna: int, man: int, annan: int = 0) -> dict[str, int]:
    return {"total": total, "kvinna": kvinna, "man": man, "annan": annan}


async def test_the_förbund_counts_people_once_and_shows_the_flows(
    settings: Settings, redis: Redis
) -> None:
    async with running_reporting(settings, redis, *CHANGES) as client:
        forbund = await report(client, year=2025, period="helar")
        mia = await report(client, year=2025, period="helar", insats="mia")
        steget = await report(client, year=2025, period="helar", insats="steget")
        march = await report(client, year=2025, period="2025-04")
        published = await report(client, year=2025, period="helar", suppress="true")
        csv_text = (
            await client.get(
                "/api/v1/reports",
                params={"year": 2025, "period": "helar", "format": "csv"},
                headers=SERVICE_AUTH,
            )
        ).text

    # Registrations: K1 three times, K2, and M1 in mia (M1's steget stay ended in 2024).
    assert forbund["figures"]["participants"] == _counts(5, 4, 1)
    assert forbund["people"] == _counts(3, 2, 1)
    assert forbund["flows"] == [
        {"from": "mia", "to": "steget-2", **_counts(1, 1, 0)},
        {"from": "steget", "to": "mia", **_counts(1, 1, 0)},
    ]
    assert forbund["previous_year"]["flows"] == [
        {"from": "steget", "to": "mia", **_counts(1, 0, 1)}
    ]
    assert forbund["previous_year"]["figures"]["participants"] == _counts(2, 0, 2)
    assert forbund["previous_year"]["people"] == _counts(1, 0, 1)
    # Each insats as before: its own registrations, its people the same.
    assert mia["figures"]["participants"] == _counts(2, 1, 1)
    assert mia["figures"]["new"] == _counts(1, 1, 0)
    assert mia["figures"]["unclear_exits"] == _counts(1, 1, 0)
    assert mia["people"] == mia["figures"]["participants"]
    assert mia["flows"] == [{"from": "steget", "to": "mia", **_counts(1, 1, 0)}]
    assert steget["figures"]["participants"] == _counts(2, 2, 0)
    assert steget["flows"] == []
    # April: no move; K1 and M1 in mia, K2 in steget: a registration each.
    assert march["figures"]["participants"] == march["people"] == _counts(3, 2, 1)
    assert march["flows"] == []
    assert published["flows"] is None and published["previous_year"]["flows"] is None
    assert published["people"] is None
    lines = csv_text.splitlines()
    assert "people,,,3,2,1,0,1,0,1,0" in lines
    assert "flows,steget,mia,1,1,0,0,1,0,1,0" in lines
    assert "flows,mia,steget-2,1,1,0,0,0,0,0,0" in lines
