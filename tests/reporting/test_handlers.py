"""The use case: each change applied once, only the current generation's."""

from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.reporting.adapters.memory import MemoryDatabase
from services.reporting.domain.contributions import Cell, contributions
from services.reporting.domain.model import Insats
from services.reporting.service_layer.handlers import STALE_CHANGES, Applied, apply_changes
from shared.contract.records import (
    InsatsRegistered,
    ParticipantRecord,
    ParticipantRecordChanged,
    PositionPassed,
    VolumeCounted,
)
from tests.reporting.support import records

T0 = datetime(2025, 5, 1, 8, 0, tzinfo=UTC)


def _common(position: int, generation: int = 1, change_id: str | None = None) -> dict:
    return {
        "change_id": change_id or f"c{position}",
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


def _registered(position: int, name: str) -> InsatsRegistered:
    return InsatsRegistered(**_common(position), insats_id="a", name=name, registration="individ")


P1 = ParticipantRecord(
    participant_id="P1", insats_id="a", gender="man", start_date=date(2025, 1, 10)
)
P1_ENDED = ParticipantRecord.model_validate(
    {
        **P1.model_dump(),
        "end_date": date(2025, 3, 1),
        "reason": "arbete",
        "outcome_class": "positive",
    }
)


CLOSE_DAYS = 5


def _nonzero(cells: dict[Cell, float]) -> dict[Cell, float]:
    """The cells' sums whenever they were known (the figures as they are now)."""
    summed: dict[Cell, float] = {}
    for cell, value in cells.items():
        undated = cell._replace(known_by="")
        summed[undated] = summed.get(undated, 0) + value
    return {cell: value for cell, value in summed.items() if value != 0}


async def test_a_batch_adds_the_deltas_registers_insatser_and_advances_the_position(
    database: MemoryDatabase,
) -> None:
    batch = [
        _registered(1, "Arbetsrehab"),
        _changed(2, None, P1),
        VolumeCounted(
            **_common(3),
            insats_id="v",
            date=date(2025, 3, 9),
            counts={"kvinna": 2, "man": 0, "annan": 1},
        ),
        _changed(5, P1, P1_ENDED),
    ]
    assert await apply_changes(database.unit_of_work(), batch, CLOSE_DAYS) == Applied(0, 0)
    state = database.state
    assert _nonzero(state.monthly) == {
        **contributions(P1_ENDED),
        Cell("v", "2025-03", "kvinna", "volume_participants"): 2,
        Cell("v", "2025-03", "annan", "volume_participants"): 1,
    }
    assert state.insatser == {"a": Insats("a", "Arbetsrehab", "individ", 1)}
    assert (state.processed_through.position, state.processed_through.occurred_at) == (
        5,
        T0 + timedelta(minutes=5),
    )


async def test_a_redelivered_change_is_acknowledged_without_effect(database) -> None:
    first = _changed(2, None, P1)
    for batch in ([first, first], [first]):
        assert await apply_changes(database.unit_of_work(), batch, CLOSE_DAYS) == Applied(1, 0)
    assert _nonzero(database.state.monthly) == contributions(P1)


async def test_a_position_passed_moves_the_position_and_no_figure(database) -> None:
    await apply_changes(database.unit_of_work(), [_changed(2, None, P1)], CLOSE_DAYS)
    passed = PositionPassed(**_common(6), insats_id="a")
    assert await apply_changes(database.unit_of_work(), [passed], CLOSE_DAYS) == Applied(0, 0)
    assert _nonzero(database.state.monthly) == contributions(P1)
    assert (
        database.state.processed_through.position,
        database.state.processed_through.occurred_at,
    ) == (
        6,
        T0 + timedelta(minutes=6),
    )


async def test_a_position_passed_again_changes_nothing_and_is_no_duplicate(database) -> None:
    # Its id is not claimed (it counts nothing): a redelivery is applied again, to no effect.
    await apply_changes(database.unit_of_work(), [_changed(2, None, P1)], CLOSE_DAYS)
    passed = PositionPassed(**_common(6), insats_id="a")
    for batch in ([passed, passed], [passed]):
        assert await apply_changes(database.unit_of_work(), batch, CLOSE_DAYS) == Applied(0, 0)
    assert _nonzero(database.state.monthly) == contributions(P1)
    assert database.state.processed_through.position == 6


async def test_changes_of_another_generation_are_ignored_and_move_no_position(database) -> None:
    database.state.generation = 2
    stale_before = STALE_CHANGES._value.get()
    batch = [_changed(7, None, P1, generation=1), _changed(3, None, P1_ENDED, generation=2)]
    applied = await apply_changes(database.unit_of_work(), batch, CLOSE_DAYS)
    assert applied == Applied(0, 1)
    assert STALE_CHANGES._value.get() == stale_before + 1
    assert _nonzero(database.state.monthly) == contributions(P1_ENDED)
    assert database.state.processed_through.position == 3


async def test_the_newest_registration_of_an_insats_wins_whatever_the_order(database) -> None:
    await apply_changes(
        database.unit_of_work(),
        [_registered(4, "Nytt namn"), _registered(2, "Gammalt")],
        CLOSE_DAYS,
    )
    await apply_changes(database.unit_of_work(), [_registered(3, "Mellan")], CLOSE_DAYS)
    assert database.state.insatser["a"].name == "Nytt namn"
    assert database.state.processed_through.position == 4


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=50)
@given(st.lists(records(participant_id="P1"), min_size=1, max_size=4), st.data())
async def test_any_batching_and_redelivery_gives_the_final_records_figures(versions, data) -> None:
    database = MemoryDatabase()
    changes = [
        _changed(n, before, after)
        for n, (before, after) in enumerate(zip([None, *versions], versions), start=1)
    ]
    redelivered = data.draw(st.lists(st.sampled_from(changes)))
    deliveries = data.draw(st.permutations(changes + redelivered))
    cut = data.draw(st.integers(0, len(deliveries)))
    for batch in (deliveries[:cut], deliveries[cut:]):
        if batch:
            await apply_changes(database.unit_of_work(), batch, CLOSE_DAYS)
    assert _nonzero(database.state.monthly) == _nonzero(contributions(versions[-1]))
    assert database.state.processed_through.position == len(versions)


async def test_each_change_is_dated_by_the_first_month_closing_it_was_in_time_for(
    database: MemoryDatabase,
) -> None:
    # With 5 days, March closes when 5 April ends in Sweden (22:00 UTC, summer time).
    in_time = datetime(2025, 4, 5, 21, 59, tzinfo=UTC)
    late = datetime(2025, 4, 5, 22, 0, tzinfo=UTC)
    started = ParticipantRecordChanged(
        change_id="c1",
        generation=1,
        position=1,
        occurred_at=in_time,
        insats_id="a",
        participant_id="P1",
        before=None,
        after=P1,
    )
    stopped = ParticipantRecordChanged(
        change_id="c2",
        generation=1,
        position=2,
        occurred_at=late,
        insats_id="a",
        participant_id="P1",
        before=P1,
        after=P1_ENDED,
    )
    await apply_changes(database.unit_of_work(), [started, stopped], CLOSE_DAYS)

    known_by = {cell.known_by for cell in database.state.monthly}
    assert known_by == {"2025-03", "2025-04"}
    new = Cell("a", "2025-01", "man", "new", known_by="2025-03")
    ended = Cell("a", "2025-03", "man", "ended", known_by="2025-04")
    assert (database.state.monthly[new], database.state.monthly[ended]) == (1, 1)
