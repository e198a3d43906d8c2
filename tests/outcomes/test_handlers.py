"""The use case: each event applied once, whatever the batching and redelivery."""

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.outcomes.domain.records import derive_record
from services.outcomes.service_layer.handlers import PositionedEvent, apply_events
from shared.contract.codes import OutcomePolicy
from shared.contract.events import (
    ActivityRegistered,
    InsatsDefined,
    ParticipantProgressed,
    ParticipantStarted,
    ParticipantStopped,
    VolumeRegistered,
)
from shared.contract.records import ParticipantRecordChanged

POLICY = OutcomePolicy()


def _log() -> list[PositionedEvent]:
    events = [
        InsatsDefined(insats_id="a", name="Arbetsrehab", registration="individ"),
        ParticipantStarted(
            insats_id="a", participant_id="P1", start_date=date(2025, 1, 1), gender="man", vas=30
        ),
        ParticipantStarted(
            insats_id="a", participant_id="P2", start_date=date(2025, 2, 1), gender="kvinna"
        ),
        ParticipantProgressed(insats_id="a", participant_id="P1", date=date(2025, 3, 1), vas=50),
        VolumeRegistered(insats_id="v", date=date(2025, 3, 2), kvinna=3, man=2, annan=0),
        ParticipantStopped(
            insats_id="a", participant_id="P1", end_date=date(2025, 4, 1), reason="arbete", vas=70
        ),
    ]
    return [PositionedEvent(n, event) for n, event in enumerate(events, start=1)]


async def test_changes_say_what_each_batch_changed(database) -> None:
    log = _log()
    assert await apply_events(database.unit_of_work(), log[:3], POLICY) == 0
    assert await apply_events(database.unit_of_work(), log[3:], POLICY) == 0

    published = database.state.published
    assert [change.type for change in published] == [
        "InsatsRegistered",
        "ParticipantRecordChanged",
        "ParticipantRecordChanged",
        "VolumeCounted",
        "ParticipantRecordChanged",
    ]
    # P1's check-in (4) moved only the step movements of an open record: reporting counts it
    # as before, so no change; the stop, in the same batch, is named after its own event.
    assert [change.position for change in published] == [1, 2, 3, 5, 6]
    p1_started, p1_stopped = published[1], published[4]
    assert p1_started.before is None and p1_started.after.end_date is None
    assert p1_stopped.change_id == log[5].event.event_id
    assert p1_stopped.before == derive_record([log[1].event, log[3].event], POLICY)
    assert p1_stopped.before.steps["vas"].change == 20
    assert p1_stopped.after.reason == "arbete"
    assert p1_stopped.after.steps["vas"].change == 40
    assert published[3].counts == {"kvinna": 3, "man": 2, "annan": 0}
    assert {change.generation for change in published} == {1}


async def test_a_redelivered_batch_changes_nothing(database) -> None:
    log = _log()
    await apply_events(database.unit_of_work(), log, POLICY)
    state = database.state
    assert await apply_events(database.unit_of_work(), log[2:4] + log[2:4], POLICY) == 4
    assert database.state.published == state.published
    assert database.state.records == state.records


async def test_a_failed_batch_leaves_nothing_behind(database) -> None:
    class Broken(Exception):
        pass

    async def fail(_changes) -> None:
        raise Broken

    unit = database.unit_of_work()
    unit.publish = fail  # staging the changes fails, after everything else was applied
    with pytest.raises(Broken):
        await apply_events(unit, _log(), POLICY)
    assert database.state.processed == set()
    await apply_events(database.unit_of_work(), _log(), POLICY)
    assert len(database.state.records) == 2


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
async def test_any_batching_with_redelivery_ends_in_the_records_of_the_whole_log(data) -> None:
    from tests.outcomes.conftest import MemoryDatabase, assert_chained

    database = MemoryDatabase()
    log = _log()
    deliveries = data.draw(st.lists(st.sampled_from(log), min_size=0, max_size=12))
    delivered = sorted(deliveries + log, key=lambda item: item.position)  # in order, repeats
    cuts = sorted(data.draw(st.sets(st.integers(1, len(delivered) - 1), max_size=6)))
    for start, end in zip([0, *cuts], [*cuts, len(delivered)]):
        await apply_events(database.unit_of_work(), delivered[start:end], POLICY)

    for participant in ("P1", "P2"):
        events = [
            item.event for item in log if getattr(item.event, "participant_id", None) == participant
        ]
        assert database.state.records[f"a/{participant}"] == derive_record(events, POLICY)
    # Each participant's changes chain to its record.
    for participant in ("P1", "P2"):
        chain = [
            c
            for c in database.state.published
            if isinstance(c, ParticipantRecordChanged) and c.participant_id == participant
        ]
        assert_chained(chain)
        assert chain[-1].after == database.state.records[f"a/{participant}"]
    change_ids = [c.change_id for c in database.state.published]
    assert len(change_ids) == len(set(change_ids))


async def test_an_activity_becomes_a_change_of_its_counts_once(database) -> None:
    activity = ActivityRegistered(
        insats_id="s",
        date=date(2025, 5, 6),
        kind="konferens",
        participants={"kvinna": 40, "man": 31, "annan": 2},
        organisations={"af": 7},
        places=90,
    )
    bare = ActivityRegistered(
        insats_id="s",
        date=date(2025, 5, 7),
        kind="natverk",
        participants={"kvinna": 1, "man": 0, "annan": 0},
    )
    log = [PositionedEvent(1, activity), PositionedEvent(2, bare)]
    assert await apply_events(database.unit_of_work(), log, POLICY) == 0
    assert await apply_events(database.unit_of_work(), log[:1], POLICY) == 1
    counted, counted_bare = database.state.published
    assert (counted.type, counted.change_id, counted.insats_id) == (
        "ActivityCounted",
        activity.event_id,
        "s",
    )
    assert (counted.date, counted.kind, counted.places) == (date(2025, 5, 6), "konferens", 90)
    assert counted.participants == {"kvinna": 40, "man": 31, "annan": 2}
    assert counted.organisations == {"fk": 0, "af": 7, "kommun": 0, "region": 0, "annan": 0}
    assert (counted_bare.organisations, counted_bare.places) == ({}, None)


async def test_a_code_moved_on_has_a_record_in_each_insats(database) -> None:
    started = ParticipantStarted(
        insats_id="a", participant_id="P1", start_date=date(2025, 1, 1), gender="man"
    )
    stopped = ParticipantStopped(
        insats_id="a",
        participant_id="P1",
        end_date=date(2025, 5, 1),
        reason="annan_insats",
        moved_to="b",
    )
    moved = ParticipantStarted(
        insats_id="b",
        participant_id="P1",
        start_date=date(2025, 5, 1),
        gender="man",
        moved_from="a",
    )
    log = [PositionedEvent(n, e) for n, e in enumerate((started, stopped, moved), start=1)]
    await apply_events(database.unit_of_work(), log, POLICY)
    records = database.state.records
    assert set(records) == {"a/P1", "b/P1"}
    assert (records["a/P1"].end_date, records["a/P1"].reason) == (date(2025, 5, 1), "annan_insats")
    assert (records["b/P1"].start_date, records["b/P1"].end_date) == (date(2025, 5, 1), None)
    assert [change.after.insats_id for change in database.state.published] == ["a", "a", "b"]
