"""The state intake validates commands against (the event log holds everything else)."""

from dataclasses import dataclass, replace
from datetime import date

from shared.contract.codes import Registration


@dataclass(frozen=True)
class Insats:
    insats_id: str
    name: str
    registration: Registration


@dataclass(frozen=True)
class Participant:
    """A registration: the participant's code in one insats (a code moved on has one in
    each insats it was in)."""

    participant_id: str
    insats_id: str
    start_date: date
    end_date: date | None = None
    voided: bool = False
    """Its start was voided (felregistrering): it takes no more events."""
    moved_from: str | None = None
    """The insats the participant moved on from to start here; None: the code's first."""

    @property
    def stopped(self) -> bool:
        return self.end_date is not None

    def stopped_on(self, end_date: date) -> "Participant":
        return replace(self, end_date=end_date)
