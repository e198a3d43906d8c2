"""Erasing a participant in outcomes: its events, record and summary go, its changes not yet
published are withdrawn, and reporting is told its record's history without its code; its
events, redelivered, bring nothing back."""

from datetime import date

from services.outcomes.service_layer.erasure import apply_batch
from services.outcomes.service_layer.handlers import PositionedEvent
from shared.contract.codes import OutcomePolicy
from shared.contract.events import (
    ParticipantErased,
    ParticipantProgressed,
    ParticipantStarted,
    ParticipantStopped,
)
from shared.contract.records import ParticipantRecordChanged
from shared.contract.records import ParticipantRecordErased as Erased
from tests.outcomes.conftest import MemoryDatabase

POLICY = OutcomePolicy()


def _log() -> list[PositionedEvent]:
    events = [
        ParticipantStarted(
            insats_id="a", participant_id="P1", start_date=date(2025, 1, 1), gender="man", vas=3
        ),
        ParticipantStarted(
            insats_id="a", participant_id="P2", start_date=date(2025, 2, 1), gender="kvinna"
        ),
        ParticipantProgressed(insats_id="a", participant_id="P1", date=date(2025, 3, 1), vas=5),
        ParticipantStopped(
            insats_id="a", participant_id="P1", end_date=date(2025, 4, 1), reason="arbete", vas=7
        ),
    ]
    return [PositionedEvent(n, event) for n, event in enumerate(events, start=1)]


def _erasure(log: list[PositionedEvent]) -> PositionedEvent:
    ids = tuple(item.event.event_id for item in log if item.event.participant_id == "P1")
    return PositionedEvent(4, ParticipantErased(insats_id="a", participant_id="P1", event_ids=ids))


async def test_the_participant_leaves_outcomes_and_reporting_gets_its_history_without_code(
    database: MemoryDatabase,
) -> None:
    log = _log()
    await apply_batch(database.unit_of_work, log[:3], POLICY)
    published = list(database.state.published)  # the relay published these
    database.state.published.clear()
    # The stop and the erasure in one batch: the stop's change was never published.
    erasure = _erasure(log)
    await apply_batch(database.unit_of_work, [log[3], erasure], POLICY)

    state = database.state
    assert set(state.events) == set(state.participants) == set(state.records) == {"a/P2"}
    (erased,) = state.published
    assert isinstance(erased, Erased)
    assert "P1" not in erased.model_dump_json()
    p1_changes = [
        c for c in published if isinstance(c, ParticipantRecordChanged) and c.participant_id == "P1"
    ]
    # The history is every change of the record as published, the withdrawn stop's included
    # (the check-in of the open record was none).
    assert [step.change_id for step in erased.history] == [
        *(change.change_id for change in p1_changes),
        log[3].event.event_id,
    ]
    assert [step.after.model_dump(exclude={"participant_id"}) for step in erased.history[:-1]] == [
        change.after.model_dump(exclude={"participant_id"}) for change in p1_changes
    ]
    assert erased.history[-1].after.end_date == date(2025, 4, 1)
    # The stream entries to delete: its events', and the erasure's own.
    p1_events = {item.event.event_id for item in (log[0], log[2], log[3])}
    assert erased.change_id == erasure.event.event_id
    assert set(erased.event_ids) == p1_events | {erasure.event.event_id}


async def test_a_redelivered_event_or_erasure_brings_nothing_back(database: MemoryDatabase) -> None:
    log = _log()
    erasure = _erasure(log)
    await apply_batch(database.unit_of_work, [*log, erasure], POLICY)
    database.state.published.clear()
    duplicates = await apply_batch(database.unit_of_work, [log[0], log[3], erasure], POLICY)
    assert duplicates == 3
    assert set(database.state.events) == {"a/P2"}
    assert database.state.published == []
