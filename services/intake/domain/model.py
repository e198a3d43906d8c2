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
    participant_id: str
    insats_id: str
    start_date: date
    end_date: date | None = None
    voided: bool = False
    """Its start was voided (felregistrering): it takes no more events."""

    @property
    def stopped(self) -> bool:
        return self.end_date is not None

    def stopped_on(self, end_date: date) -> "Participant":
        return replace(self, end_date=end_date)
