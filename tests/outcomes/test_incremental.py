"""Taking events one at a time from the record and its summary agrees with the full
derivation (`derive_record`, the reference) for random histories with corrections, voids
and follow-ups, arriving in any order, repeated, in any batches: the same changes, the same
records."""

import uuid
from datetime import date, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from services.outcomes import bootstrap
from services.outcomes.adapters import tables
from services.outcomes.adapters.unit_of_work import SqlUnitOfWork
from services.outcomes.domain.records import derive_record
from services.outcomes.service_layer.handlers import PositionedEvent, apply_events
from shared.contract.codes import OutcomePolicy
from shared.contract.events import (
    ParticipantEvent,
    ParticipantEventCorrected,
    ParticipantEventVoided,
    ParticipantFollowedUp,
    ParticipantProgressed,
    ParticipantStarted,
    ParticipantStopped,
    correction_kind,
)
from shared.contract.records import (
    ParticipantRecord,
    ParticipantRecordChanged,
    counted_alike,
    parse_outcome_change,
)
from shared.platform.service import migrated_sessions
from shared.platform.settings import Settings
from tests.outcomes.conftest import MemoryDatabase

POLICY = OutcomePolicy()
DAYS = st.integers(0, 2).map(lambda n: date(2025, 3, 1) + timedelta(days=n))  # same-day ties
VAS = st.integers(1, 100) | st.none()
HOURS = st.none() | st.sampled_from([0.0, 4.5, 10.0, 20.0])
REASONS = st.sampled_from(["arbete", "studier", "sjukdom", "flytt"])

_START = st.fixed_dictionaries(
    {"start_date": DAYS, "gender": st.sampled_from(["kvinna", "man"]), "vas": VAS},
    optional={"activity_hours_per_week": HOURS},
)
_PROGRESS = st.fixed_dictionaries(
    {"date": DAYS, "vas": VAS},
    optional={
        "activity_hours_per_week": HOURS,
        "indicators": st.dictionaries(st.sampled_from(["halsa", "mod"]), st.integers(1, 5)),
    },
)
_STOP = st.fixed_dictionaries({"end_date": DAYS, "reason": REASONS}, optional={"vas": VAS})
_FOLLOWUP = st.fixed_dictionaries(
    {"date": DAYS, "months_after": st.sampled_from([3, 6, 12]), "reached": st.just(False)}
) | st.fixed_dictionaries(
    {"date": DAYS, "months_after": st.sampled_from([3, 6, 12]), "reached": st.just(True)},
    optional={"status": REASONS, "support": st.sampled_from([["ingen"], ["a_kassa"]])},
)
_DETAILS = {"start": _START, "progress": _PROGRESS, "stop": _STOP, "followup": _FOLLOWUP}
_REGISTERED = {
    "start": ParticipantStarted,
    "progress": ParticipantProgressed,
    "followup": ParticipantFollowedUp,
}


@st.composite
def histories(draw, participants: tuple[str, ...]) -> list[PositionedEvent]:
    """A log of registrations, corrections and voids of a few participants."""
    log: list[ParticipantEvent] = []
    for _ in range(draw(st.integers(1, 16))):
        participant = draw(st.sampled_from(participants))
        mine = [
            e
            for e in log
            if e.participant_id == participant
            and isinstance(
                e,
                ParticipantStarted
                | ParticipantProgressed
                | ParticipantStopped
                | ParticipantFollowedUp,
            )
        ]
        action = draw(
            st.sampled_from(
                ["start", "progress", "progress", "stop", "followup", "correct", "void"]
            )
        )
        common = {"insats_id": "a", "participant_id": participant}
        if action in ("correct", "void") and mine:
            target = draw(st.sampled_from(mine))
            if action == "void":
                log.append(ParticipantEventVoided(**common, voids=target.event_id))
            else:
                kind = correction_kind(target)
                log.append(
                    ParticipantEventCorrected(
                        **common, corrects=target.event_id, **{kind: draw(_DETAILS[kind])}
                    )
                )
        elif action in _REGISTERED:
            log.append(_REGISTERED[action](**common, **draw(_DETAILS[action])))
        else:
            log.append(ParticipantStopped(**common, **draw(_STOP)))
    return [PositionedEvent(position, event) for position, event in enumerate(log, start=1)]


@st.composite
def deliveries(draw, participants: tuple[str, ...]) -> tuple[list, list[list[PositionedEvent]]]:
    """A log, and its events in log order (as mostly) or any order, some twice, cut into
    batches."""
    log = draw(histories(participants))
    arrival = list(draw(st.just(log) | st.permutations(log)))
    arrival += draw(st.lists(st.sampled_from(log), max_size=4))
    cuts = sorted(draw(st.sets(st.integers(1, len(arrival)), max_size=5)) - {len(arrival)})
    batches = [arrival[a:b] for a, b in zip([0, *cuts], [*cuts, len(arrival)], strict=True)]
    return log, batches


def _reference_changes(batches: list[list[PositionedEvent]]) -> list[tuple]:
    """What the full derivation says each batch changes: per participant, per arrived event
    in log order, the record of everything stored and arrived so far, where reporting counts
    it otherwise than the record before."""
    stored: dict[str, list[PositionedEvent]] = {}
    records: dict[str, ParticipantRecord | None] = {}
    changes = []
    for batch in batches:
        seen = {item.event.event_id for items in stored.values() for item in items}
        arrived: dict[str, list[PositionedEvent]] = {}
        for item in batch:
            if item.event.event_id not in seen:
                seen.add(item.event.event_id)
                arrived.setdefault(item.event.participant_id, []).append(item)
        in_batch = []
        for participant, items in arrived.items():
            for item in sorted(items, key=lambda i: i.position):
                stored.setdefault(participant, []).append(item)
                events = [i.event for i in sorted(stored[participant], key=lambda i: i.position)]
                before, after = records.get(participant), derive_record(events, POLICY)
                records[participant] = after
                if after != before and not counted_alike(before, after):
                    in_batch.append((item.position, item.event.event_id, before, after))
        changes += sorted(in_batch, key=lambda change: change[0])  # a batch's, in log order
    return changes


def _changes_of(published, participants) -> list[tuple]:
    return [
        (change.position, change.change_id, change.before, change.after)
        for change in published
        if isinstance(change, ParticipantRecordChanged) and change.participant_id in participants
    ]


def _records_of_the_log(log: list[PositionedEvent], participant: str) -> ParticipantRecord | None:
    return derive_record([i.event for i in log if i.event.participant_id == participant], POLICY)


@settings(max_examples=300, deadline=None)
@given(deliveries(("P1", "P2")))
async def test_taking_events_one_by_one_agrees_with_the_full_derivation(delivered) -> None:
    log, batches = delivered
    database = MemoryDatabase()
    seen: set[str] = set()
    for batch in batches:
        published_before = len(database.state.published)
        await apply_events(database.unit_of_work(), batch, POLICY)
        fresh = [item.position for item in batch if item.event.event_id not in seen]
        seen.update(item.event.event_id for item in batch)
        # Reporting's processed position reaches the newest event of every batch, changed
        # or not (else `stegvis rebuild --wait` could wait for ever).
        published = database.state.published[published_before:]
        assert max((c.position for c in published), default=None) == max(fresh, default=None)

    assert _changes_of(database.state.published, ("P1", "P2")) == _reference_changes(batches)
    for participant in ("P1", "P2"):
        assert database.state.records.get(f"a/{participant}") == _records_of_the_log(
            log, participant
        )


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
async def test_the_stored_summaries_agree_with_the_full_derivation_in_sql(
    data, database_url: str, tmp_path: Path
) -> None:
    # Participants of their own per example: the database lives across the examples.
    own = "-" + uuid.uuid4().hex[:8].upper()
    participants = (f"P1{own}", f"P2{own}")

    def renamed(items: list[PositionedEvent]) -> list[PositionedEvent]:
        return [
            PositionedEvent(
                item.position,
                item.event.model_copy(update={"participant_id": item.event.participant_id + own}),
            )
            for item in items
        ]

    drawn_log, drawn_batches = data.draw(deliveries(("P1", "P2")))
    log, batches = renamed(drawn_log), [renamed(batch) for batch in drawn_batches]
    settings_ = Settings(database_url=database_url, data_dir=tmp_path)
    async with migrated_sessions(settings_, bootstrap.SERVICE, bootstrap.REVISIONS_DIR) as made:
        for batch in batches:
            await apply_events(SqlUnitOfWork(made, lambda: None), batch, POLICY)
        async with made() as session:
            rows = await session.execute(select(tables.outbox.c.body, tables.outbox.c.id))
            published = [parse_outcome_change(body) for body, _ in sorted(rows, key=lambda r: r[1])]
            records = {
                row.registration: ParticipantRecord.model_validate_json(row.record)
                for row in await session.execute(select(tables.participants))
                if row.record is not None
            }
    assert _changes_of(published, participants) == _reference_changes(batches)
    for participant in participants:
        assert records.get(f"a/{participant}") == _records_of_the_log(log, participant)
