"""`stegvis rebuild`'s bulk computation (outcomes' `entrypoints.bulk.derive`, then
reporting's `entrypoints.bulk.project`, an insats at a time) makes of a random log what the
consumers make of it, batch by batch as the stream delivers it (any batching, redeliveries):
the same events, records, summaries and processed ids in outcomes; the same cells, insatser
and position in reporting."""

import itertools
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.outcomes.adapters.bulk import derived_rows
from services.outcomes.adapters.memory import MemoryDatabase as OutcomesDatabase
from services.outcomes.entrypoints.bulk import derive
from services.outcomes.service_layer.erasure import apply_batch
from services.outcomes.service_layer.handlers import PositionedEvent
from services.reporting.adapters.bulk import projected
from services.reporting.adapters.memory import MemoryDatabase as ReportingDatabase
from services.reporting.entrypoints.bulk import project
from services.reporting.service_layer.handlers import apply_changes
from shared.contract.codes import OutcomePolicy
from shared.contract.events import ActivityRegistered, InsatsDefined, VolumeRegistered
from tests.outcomes.test_incremental import histories

POLICY = OutcomePolicy()
CLOSE_DAYS = 5
GENERATION = 2
INSATSER = ("a", "b")
DAYS = st.integers(0, 400).map(lambda n: date(2024, 11, 1) + timedelta(days=n))
COUNTS = st.integers(0, 9)


def _insats_events(insats_id: str):
    defined = st.builds(
        InsatsDefined,
        insats_id=st.just(insats_id),
        name=st.sampled_from(["Steget", "Vidare"]),
        registration=st.sampled_from(["individ", "volym", "struktur"]),
    )
    volume = st.builds(
        VolumeRegistered,
        insats_id=st.just(insats_id),
        date=DAYS,
        kvinna=COUNTS,
        man=COUNTS,
        annan=COUNTS,
    )
    activity = st.builds(
        ActivityRegistered,
        insats_id=st.just(insats_id),
        date=DAYS,
        kind=st.sampled_from(["konferens", "natverk"]),
        participants=st.fixed_dictionaries({"kvinna": COUNTS, "man": COUNTS, "annan": COUNTS}),
    )
    return defined | volume | activity


@st.composite
def logs(draw) -> list[PositionedEvent]:
    """A log of participants' registrations, corrections and voids in insats `a`,
    interleaved with insatser's definitions, volumes and activities of `a` and `b`."""
    participants = [item.event for item in draw(histories(("P1", "P2", "P3")))]
    others = draw(
        st.lists(st.sampled_from(INSATSER).flatmap(_insats_events), min_size=1, max_size=6)
    )
    merged = list(participants)
    for event in others:
        merged.insert(draw(st.integers(0, len(merged))), event)
    return [PositionedEvent(position, event) for position, event in enumerate(merged, start=1)]


def _cuts(draw, items: list) -> list[list]:
    cuts = sorted(draw(st.sets(st.integers(1, max(1, len(items) - 1)), max_size=5)))
    bounds = [0, *[c for c in cuts if c < len(items)], len(items)]
    return [items[a:b] for a, b in itertools.pairwise(bounds)]


async def _consumed(draw, log: list[PositionedEvent]) -> tuple:
    """The consumers' state after the stream delivered the log in random batches, some
    events twice (as after a relay's crash)."""
    database = OutcomesDatabase(GENERATION)
    redelivered = draw(st.lists(st.sampled_from(log), max_size=3))
    delivered = sorted(log + redelivered, key=lambda item: item.position)
    for batch in _cuts(draw, delivered):
        await apply_batch(database.unit_of_work, batch, POLICY)
    figures = ReportingDatabase(GENERATION)
    for batch in _cuts(draw, database.state.published):
        await apply_changes(figures.unit_of_work(), batch, CLOSE_DAYS)
    return derived_rows(database.state), projected(figures.state)


async def _bulk(log: list[PositionedEvent]) -> tuple:
    """What the rebuild computes: each insats's events apart, as its processes do."""
    parts = []
    for insats_id in INSATSER:
        events = [(item.position, item.json()) for item in log if item.event.insats_id == insats_id]
        derived, changes = await derive(events, GENERATION, POLICY)
        parts.append((derived, await project(changes, GENERATION, CLOSE_DAYS)))
    return parts


def _outcomes_tables(parts) -> dict:
    return {
        "processed": sorted(i for part in parts for i in part.processed),
        "events": sorted(row for part in parts for row in part.events),
        "participants": sorted(tuple(row.values()) for part in parts for row in part.participants),
    }


def _reporting_tables(parts) -> dict:
    cells: dict = {}
    for part in parts:
        for cell, value in part.monthly.items():
            cells[cell] = cells.get(cell, 0) + value
    return {
        "monthly": {cell: round(value, 9) for cell, value in cells.items() if value},
        "insatser": sorted(
            tuple(vars(insats).values()) for part in parts for insats in part.insatser
        ),
        "position": max(part.processed_through.position for part in parts),
    }


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
async def test_the_bulk_computation_equals_the_consumers(data) -> None:
    log = data.draw(logs())
    consumed_outcomes, consumed_reporting = await _consumed(data.draw, log)
    bulk = await _bulk(log)

    assert _outcomes_tables([derived for derived, _ in bulk]) == _outcomes_tables(
        [consumed_outcomes]
    )
    assert _reporting_tables([part for _, part in bulk]) == _reporting_tables([consumed_reporting])
    assert _reporting_tables([consumed_reporting])["position"] == len(log)
