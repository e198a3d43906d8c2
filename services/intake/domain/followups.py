"""Which follow-ups after the stop staff have to make now (*Att följa upp*): of each
registration that ended by an exit (not a move), every follow-up the förbund makes that is
not registered yet and whose due date (the stop date plus the months) is within the window
around today."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from shared.contract.codes import followup_due
from shared.contract.events import (
    ParticipantEvent,
    ParticipantFollowedUp,
    ParticipantStopped,
    effective_events,
)


@dataclass(frozen=True, order=True)
class DueFollowup:
    due: date
    participant_id: str
    months_after: int
    end_date: date


@dataclass(frozen=True)
class FollowupWindow:
    """From `before` days before a follow-up's due date until `after` days after it."""

    before: int
    after: int

    def lists(self, due: date, today: date) -> bool:
        return due - timedelta(days=self.before) <= today <= due + timedelta(days=self.after)


ON_THE_DAY = FollowupWindow(0, 0)


def due_followups(
    histories: Iterable[tuple[str, Sequence[ParticipantEvent]]],
    months: Iterable[int],
    window: FollowupWindow,
    today: date,
) -> list[DueFollowup]:
    """Of the registrations' events (by code), the follow-ups to make now, oldest first."""
    due = []
    for participant_id, history in histories:
        effective = effective_events(history)
        stop = next((e for e in effective if isinstance(e, ParticipantStopped)), None)
        if stop is None or stop.moved_to is not None:
            continue
        made = {e.months_after for e in effective if isinstance(e, ParticipantFollowedUp)}
        for months_after in months:
            day = followup_due(stop.end_date, months_after)
            if months_after not in made and window.lists(day, today):
                due.append(DueFollowup(day, participant_id, months_after, stop.end_date))
    return sorted(due)
