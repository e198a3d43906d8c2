"""Reading outcomes' changes off the stream: a check-in, which counts nothing, is read as the
position it passes; everything else as the contract says; a poison entry never reaches the
use case."""

import json
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.reporting.domain.contributions import change_delta
from services.reporting.entrypoints.subscriber import decode
from shared.contract.records import (
    ParticipantRecord,
    ParticipantRecordChanged,
    PositionPassed,
    StepMovement,
    parse_outcome_change,
)
from shared.platform.consumer import PoisonMessage
from shared.platform.streams import StreamEntry
from tests.reporting.support import KNOWN_AT_START, records

DRAWING_RECORDS = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
"""Records are slow to draw (two an example here): no health check on the pace."""


def _entry(body: str | bytes) -> StreamEntry:
    return StreamEntry(b"1-0", {b"body": body.encode() if isinstance(body, str) else body})


_ENVELOPE = {
    "change_id": "c1",
    "generation": 2,
    "position": 41,
    "occurred_at": datetime(2025, 5, 1, 8, 0, tzinfo=UTC),
}


def _change(
    before: ParticipantRecord | None, after: ParticipantRecord | None, **envelope: object
) -> str:
    """The change's body; its envelope `_ENVELOPE` but for what `envelope` says."""
    record = after or before
    assert record is not None
    return ParticipantRecordChanged.model_validate(
        _ENVELOPE
        | envelope
        | {
            "insats_id": record.insats_id,
            "participant_id": record.participant_id,
            "before": before,
            "after": after,
        }
    ).model_dump_json()


def _checked_in(record: ParticipantRecord) -> tuple[ParticipantRecord, ParticipantRecord]:
    opened = record.model_copy(update={"end_date": None})
    later = opened.model_copy(update={"steps": {"vas": StepMovement(first=20, latest=70)}})
    return opened, later


@DRAWING_RECORDS
@given(records())
def test_a_check_in_is_read_as_the_position_it_passes(record) -> None:
    before, after = _checked_in(record)
    assert decode(_entry(_change(before, after))) == PositionPassed(
        change_id="c1",
        generation=2,
        position=41,
        occurred_at=datetime(2025, 5, 1, 8, 0, tzinfo=UTC),
        insats_id=record.insats_id,
    )


@DRAWING_RECORDS
@given(
    records(),
    st.text(min_size=1, max_size=64),
    st.integers(min_value=1, max_value=2**31),
    st.integers(min_value=1, max_value=2**62),
    st.datetimes(timezones=st.just(UTC)),
)
def test_a_check_in_passes_the_position_the_whole_change_says(
    record, change_id, generation, position, occurred_at
) -> None:
    before, after = _checked_in(record)
    body = _change(
        before,
        after,
        change_id=change_id,
        generation=generation,
        position=position,
        occurred_at=occurred_at,
    )
    whole = parse_outcome_change(body)
    assert decode(_entry(body)) == PositionPassed(
        **{name: getattr(whole, name) for name in PositionPassed.model_fields if name != "type"}
    )


def _with_start_of(
    record: ParticipantRecord, other: ParticipantRecord, changed: set[str]
) -> ParticipantRecord:
    """`record`, its start as `other`'s but for the fields `changed` (a corrected start)."""
    return record.model_copy(
        update={name: getattr(other, name) for name in KNOWN_AT_START if name not in changed}
    )


@DRAWING_RECORDS
@given(st.none() | records(), records(), st.sets(st.sampled_from(KNOWN_AT_START)))
def test_a_change_that_counts_is_read_whole(before, after, changed) -> None:
    if before is not None:
        after = _with_start_of(after, before, changed)
    for body in (_change(before, after), _change(after, before)):
        if change_delta(before, after):
            assert decode(_entry(body)) == parse_outcome_change(body)


@DRAWING_RECORDS
@given(records(), records(), st.sets(st.sampled_from(KNOWN_AT_START), min_size=1))
def test_an_open_record_s_corrected_start_is_read_whole(before, after, changed) -> None:
    before = before.model_copy(update={"end_date": None})
    after = _with_start_of(after.model_copy(update={"end_date": None}), before, changed)
    body = _change(before, after)
    if change_delta(before, after):
        assert decode(_entry(body)) == parse_outcome_change(body)


@pytest.mark.parametrize(
    "broken",
    [
        {"position": "not a position"},
        {"occurred_at": None},
        {"generation": None, "change_id": None},
    ],
)
def test_a_check_in_with_a_broken_envelope_is_poison(broken) -> None:
    before, after = _checked_in(
        ParticipantRecord(
            participant_id="P1", insats_id="a", gender="kvinna", start_date="2025-01-02"
        )
    )
    body = json.loads(_change(before, after)) | broken
    with pytest.raises(PoisonMessage):
        decode(_entry(json.dumps(body)))


@pytest.mark.parametrize(
    "body",
    [
        b"\x00\xff",
        b'{"type": "ParticipantRecordChanged", "change_id": "c-bad"}',
        b'{"type": "ParticipantRecordChanged", "before": {}, "after": {}}',
        # A change's envelope whose records are no objects: not even glanced at as a check-in.
        b'{"type": "ParticipantRecordChanged", "change_id": "c", "generation": 1,'
        b' "position": 1, "occurred_at": "2025-01-01T00:00:00Z", "insats_id": "a",'
        b' "participant_id": "P", "before": [1], "after": [1]}',
        b"[1, 2]",
        b'"' + b"9" * 5000 + b'"',
        b"9" * 5000,
    ],
)
def test_what_is_no_change_is_poison(body) -> None:
    with pytest.raises(PoisonMessage):
        decode(_entry(body))
