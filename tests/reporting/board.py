"""Histories for the board's tests (economy, goals): insatser registered and participants
started and ended, as outcomes' changes reporting consumes."""

from datetime import UTC, date, datetime

from shared.contract.codes import OutcomePolicy, Reason
from shared.contract.records import (
    InsatsRegistered,
    OutcomeChange,
    ParticipantRecord,
    ParticipantRecordChanged,
)

POLICY = OutcomePolicy()
AT = datetime(2025, 1, 2, tzinfo=UTC)


def history(
    insatser: dict[str, str],
    participants: list[tuple[str, str, date, date | None, Reason | None]],
) -> list[OutcomeChange]:
    """`insatser` (id: registration) registered, then each participant (insats, gender,
    start, end, reason) as one change from nothing to their record."""
    changes: list[OutcomeChange] = [
        InsatsRegistered(
            change_id=f"i-{insats_id}",
            generation=1,
            position=position,
            occurred_at=AT,
            insats_id=insats_id,
            name=f"Insats {insats_id}",
            registration=registration,
        )
        for position, (insats_id, registration) in enumerate(insatser.items(), 1)
    ]
    for number, (insats_id, gender, start, end, reason) in enumerate(participants, 1):
        ended = {}
        if end is not None and reason is not None:
            ended = {
                "end_date": end,
                "reason": reason,
                "outcome_class": POLICY.outcome_class(reason),
                "direct_to_work_or_studies": POLICY.is_direct(reason),
            }
        record = ParticipantRecord.model_validate(
            {
                "participant_id": f"P{number}",
                "insats_id": insats_id,
                "gender": gender,
                "start_date": start,
                **ended,
            }
        )
        changes.append(
            ParticipantRecordChanged(
                change_id=f"p-{number}",
                generation=1,
                position=len(insatser) + number,
                occurred_at=AT,
                insats_id=insats_id,
                participant_id=record.participant_id,
                before=None,
                after=record,
            )
        )
    return changes
