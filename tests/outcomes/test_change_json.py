"""The outbox's JSON of a change, its records written once each (`RecordTexts`): reporting
parses it as the change it is, whether a record was made here or read as stored."""

from datetime import UTC, date, datetime

from services.outcomes.adapters.repositories import RecordTexts, change_json
from shared.contract.records import (
    FollowupRecord,
    ParticipantRecord,
    ParticipantRecordChanged,
    PositionPassed,
    StepMovement,
    parse_outcome_change,
)

_OPENED = ParticipantRecord(
    participant_id="P1",
    insats_id="a",
    gender="kvinna",
    start_date=date(2024, 1, 2),
    municipality="1281",
    steps={"vas": StepMovement(first=20, latest=35.5)},
)
_CLOSED = ParticipantRecord.model_validate(
    _OPENED.model_dump()
    | {
        "end_date": date(2024, 6, 1),
        "reason": "arbete",
        "outcome_class": "positive",
        "direct_to_work_or_studies": True,
        "followups": (
            FollowupRecord(months_after=6, date=date(2024, 12, 1), reached=True, status="arbete"),
        ),
    }
)
_STAMP = {
    "generation": 3,
    "occurred_at": datetime(2024, 6, 1, 8, 30, tzinfo=UTC),
    "insats_id": "a",
}


def _changed(change_id: str, position: int, before, after) -> ParticipantRecordChanged:
    return ParticipantRecordChanged(
        change_id=change_id,
        position=position,
        participant_id="P1",
        before=before,
        after=after,
        **_STAMP,
    )


def test_a_record_change_parses_as_itself_its_records_made_or_read():
    texts = RecordTexts()
    stored = texts.read(_OPENED.model_dump_json())  # as an older outcomes stored it
    changes = [
        _changed("e1", 1, None, _OPENED),
        _changed("e2", 2, stored, _CLOSED),
        _changed("e3", 3, _CLOSED, None),
        PositionPassed(change_id="e4", position=4, **_STAMP),
    ]
    for change in changes:
        assert parse_outcome_change(change_json(change, texts)) == change


def test_a_record_is_written_once_and_without_its_defaults():
    texts = RecordTexts()
    text = texts.of(_CLOSED)
    assert texts.of(_CLOSED) is text
    assert '"moved_to"' not in text and '"support_at_start"' not in text
    assert ParticipantRecord.model_validate_json(text) == _CLOSED
