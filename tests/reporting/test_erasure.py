"""An erased participant: reporting keeps its whole contribution, anonymous (cells of an
insats, gender and month, dated by the month whose closing counted them), and every figure
stays as it was, the months as closed included; a rebuild that starts from what is kept
gives them again."""

from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.reporting.adapters.memory import MemoryDatabase
from services.reporting.domain.bases import Base, Counting
from services.reporting.domain.contributions import Cell, contributions
from services.reporting.domain.erasure import step_contributions
from services.reporting.domain.periods import parse_period
from services.reporting.domain.reports import ProcessedThrough
from services.reporting.service_layer.handlers import apply_changes
from shared.contract.records import (
    ANONYMOUS,
    ParticipantRecord,
    ParticipantRecordChanged,
    ParticipantRecordErased,
    RecordStep,
)
from tests.reporting.support import built_of, records

CLOSE_DAYS = 5
P1 = ParticipantRecord(
    participant_id="P1", insats_id="a", gender="man", start_date=date(2025, 1, 10), vas_start=3
)
T0 = datetime(2025, 1, 20, 9, 0, tzinfo=UTC)


def _at(n: int) -> datetime:
    """Changes five weeks apart: each in a later month's closing."""
    return T0 + timedelta(days=35 * n)


def _changes(versions: list[ParticipantRecord]) -> list[ParticipantRecordChanged]:
    return [
        ParticipantRecordChanged(
            change_id=f"e{n}",
            generation=1,
            position=n,
            occurred_at=_at(n),
            insats_id=after.insats_id,
            participant_id=after.participant_id,
            before=before,
            after=after,
        )
        for n, (before, after) in enumerate(zip([None, *versions], versions), start=1)
    ]


def _erasure(
    changes: list[ParticipantRecordChanged], generation: int = 1
) -> ParticipantRecordErased:
    last = changes[-1]
    return ParticipantRecordErased(
        change_id="erasure",
        generation=generation,
        position=last.position,
        occurred_at=_at(len(changes) + 1),
        insats_id=last.insats_id,
        history=tuple(
            RecordStep(
                change_id=change.change_id,
                occurred_at=change.occurred_at,
                after=change.after.model_copy(update={"participant_id": ANONYMOUS}),
            )
            for change in changes
            if change.after is not None
        ),
        event_ids=(*(change.change_id for change in changes), "erasure"),
    )


def _nonzero(cells: dict[Cell, float]) -> dict[Cell, float]:
    return {cell: value for cell, value in cells.items() if value != 0}


@settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=60, deadline=None
)
@given(st.lists(records(participant_id="P1"), min_size=1, max_size=4), st.data())
async def test_the_figures_stay_whatever_reporting_had_applied(versions, data) -> None:
    changes = _changes(versions)
    everything = MemoryDatabase()
    await apply_changes(everything.unit_of_work(), changes, CLOSE_DAYS)
    figures = _nonzero(everything.state.monthly)

    # Outcomes withdrew the changes it had not published yet; the erasure carries them.
    database = MemoryDatabase()
    chosen = data.draw(st.lists(st.sampled_from(range(len(changes))), unique=True))
    applied = [changes[n] for n in sorted(chosen)]
    if applied:
        await apply_changes(database.unit_of_work(), applied, CLOSE_DAYS)
    redelivered = data.draw(st.lists(st.sampled_from(range(len(changes)))))
    late = [changes[n] for n in redelivered]  # redelivered after the erasure
    for batch in ([_erasure(changes)], late):
        if batch:
            await apply_changes(database.unit_of_work(), batch, CLOSE_DAYS)

    assert _nonzero(database.state.monthly) == figures
    assert _nonzero(database.state.retained) == figures
    # A rebuild starts the figures from what is kept: the same, as closed too.
    rebuilt = MemoryDatabase()
    rebuilt.state.monthly = dict(database.state.retained)
    assert _nonzero(rebuilt.state.monthly) == figures


async def test_what_is_kept_is_the_final_records_contribution_in_months() -> None:
    started = P1
    ended = P1.model_copy(
        update={"end_date": date(2025, 3, 1), "reason": "arbete", "outcome_class": "positive"}
    )
    history = _erasure(_changes([started, ended])).history
    kept: dict[Cell, float] = {}
    for _, added in step_contributions(history, CLOSE_DAYS):
        for cell, value in added.items():
            undated = cell._replace(known_by="")
            kept[undated] = kept.get(undated, 0) + value
    assert _nonzero(kept) == _nonzero(contributions(ended))
    assert all(len(cell.month) == len("2025-01") for cell in kept)


async def test_the_erasure_names_the_entries_to_delete_also_when_stale(database) -> None:
    changes = _changes([P1])
    current = await apply_changes(database.unit_of_work(), [_erasure(changes)], CLOSE_DAYS)
    assert set(current.erased) == {"e1", "erasure"}
    stale = await apply_changes(
        database.unit_of_work(), [_erasure(changes, generation=0)], CLOSE_DAYS
    )
    assert (stale.stale, set(stale.erased)) == (1, {"e1", "erasure"})


async def test_the_erased_are_counted_by_every_base() -> None:
    """What is kept holds the breakdowns' cells of those started, so a base other than
    `ended` counts the erased as it did."""
    versions = [P1.model_copy(update={"birth_year": 1993})]
    changes = _changes(versions)
    everything, erased = MemoryDatabase(), MemoryDatabase()
    await apply_changes(everything.unit_of_work(), changes, CLOSE_DAYS)
    await apply_changes(erased.unit_of_work(), [*changes, _erasure(changes)], CLOSE_DAYS)
    period, processed = parse_period(2025, "helar", 8), ProcessedThrough(1, None)
    for base in (Base.NEW, Base.PARTICIPANTS, Base.ONGOING_AT_END):
        counting = Counting(base)
        before, after = (
            built_of(database.state.monthly, period, None, None, processed, counting)
            for database in (everything, erased)
        )
        assert after.breakdowns == before.breakdowns
        assert after.model_dump()["breakdowns"]["age_band"]["30-34"]["man"] == 1
