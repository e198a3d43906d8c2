"""A realistic, reproducible history of one förbund, as intake's events.

Several individual insatser and two volume insatser; participants start with background,
check in with progress now and then, and most stop with a reason; dates spread over two
years. The participants' start/end dates are kept beside the events, so that a benchmark can
fill the plain table of the SQL baseline and knows the figures the reports must show.
"""

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from shared.contract.codes import (
    Education,
    Gender,
    Reason,
    Referrer,
    Registration,
    SupportType,
    WorkCapacity,
)
from shared.contract.events import (
    InsatsDefined,
    IntakeEvent,
    ParticipantProgressed,
    ParticipantStarted,
    ParticipantStopped,
    VolumeRegistered,
)

FIRST_YEAR = 2023
LAST_YEAR = 2024
INDIVIDUAL_INSATSER = (
    "arbetsrehab",
    "cresco-plus",
    "steget-vidare",
    "unga-vuxna",
    "jobbspar",
    "kom-igang",
    "ips",
    "vagen-ut",
)
VOLUME_INSATSER = ("halsoskolan", "friskvard")
MUNICIPALITIES = ("1281", "1285", "1267", "1266", "1261", "1262", "1230")
"""SCB codes of Lund, Eslöv, Höör, Hörby, Kävlinge, Lomma and Staffanstorp."""
INDICATORS = ("jobbsokning", "kompetens", "social", "halsa", "livssituation")
# Gender mix of the real reports: more women than men, a few "annan".
GENDER_WEIGHTS = {Gender.KVINNA: 0.62, Gender.MAN: 0.36, Gender.ANNAN: 0.02}
_FIRST_DAY = date(FIRST_YEAR, 1, 1)
_LAST_DAY = date(LAST_YEAR, 12, 31)
_DAYS = (_LAST_DAY - _FIRST_DAY).days + 1
# Order within a day: starts, then check-ins (progress, volume), then stops.
_STARTS, _CHECK_INS, _STOPS = 0, 1, 2


@dataclass(frozen=True)
class Participant:
    participant_id: str
    insats_id: str
    gender: Gender
    start_date: date
    end_date: date | None


@dataclass(frozen=True)
class CoreCounts:
    """The counts both the report and the SQL baseline compute, by gender."""

    new: dict[str, int]
    ended: dict[str, int]
    opening: dict[str, int]


@dataclass(frozen=True)
class Workload:
    events: list[IntakeEvent]
    """In log order: the position of `events[i]` is `i + 1` in a fresh event log."""
    participants: list[Participant]

    def core_counts(self, year: int) -> CoreCounts:
        first, last = date(year, 1, 1), date(year, 12, 31)
        new, ended, opening = _zeros(), _zeros(), _zeros()
        for p in self.participants:
            if first <= p.start_date <= last:
                new[p.gender] += 1
            if p.end_date is not None and first <= p.end_date <= last:
                ended[p.gender] += 1
            if p.start_date < first and (p.end_date is None or p.end_date >= first):
                opening[p.gender] += 1
        return CoreCounts(new, ended, opening)


def _zeros() -> dict[str, int]:
    return {gender.value: 0 for gender in Gender}


def generate(events: int, participants: int, seed: int = 7) -> Workload:
    """About `events` events for `participants` participants (at least a start each)."""
    rng = random.Random(seed)
    generator = _Generator(rng)
    people = [generator.participant() for _ in range(participants)]
    dated: list[tuple[date, int, IntakeEvent]] = []
    for person in people:
        dated.append((person.start_date, _STARTS, generator.start(person)))
        if person.end_date is not None:
            dated.append((person.end_date, _STOPS, generator.stop(person)))
    volume = [
        (day, _CHECK_INS, generator.volume(insats_id, day))
        for insats_id in VOLUME_INSATSER
        for day in _month_ends()
    ]
    dated += volume
    for _ in range(max(0, events - len(dated) - len(INDIVIDUAL_INSATSER + VOLUME_INSATSER))):
        person = rng.choice(people)
        last = person.end_date or _LAST_DAY
        day = person.start_date + timedelta(days=rng.randint(0, (last - person.start_date).days))
        dated.append((day, _CHECK_INS, generator.progress(person, day)))
    dated.sort(key=lambda item: (item[0], item[1]))
    # The log ends with a start (which always changes a record), so that the reports'
    # processed position reaches the log's last position.
    last_start = max(i for i, (_, order, _) in enumerate(dated) if order == _STARTS)
    dated.append(dated.pop(last_start))
    definitions = [generator.insats(insats_id) for insats_id in INDIVIDUAL_INSATSER] + [
        generator.insats(insats_id, Registration.VOLYM) for insats_id in VOLUME_INSATSER
    ]
    ordered = definitions + [_stamped(event, day, i) for i, (day, _, event) in enumerate(dated)]
    return Workload(ordered, people)


def _month_ends() -> list[date]:
    days = []
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        for month in range(1, 13):
            following = date(year + month // 12, month % 12 + 1, 1)
            days.append(following - timedelta(days=1))
    return days


def _stamped(event: IntakeEvent, day: date, index: int) -> IntakeEvent:
    # Registered on the day it happened, during office hours, in log order.
    moment = datetime.combine(day, time(8), UTC) + timedelta(milliseconds=index)
    return event.model_copy(update={"occurred_at": moment})


class _Generator:
    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._codes: set[str] = set()

    def _event_id(self) -> str:
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def _code(self) -> str:
        alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
        while True:
            chars = "".join(self._rng.choice(alphabet) for _ in range(8))
            code = f"{chars[:4]}-{chars[4:]}"
            if code not in self._codes:
                self._codes.add(code)
                return code

    def participant(self) -> Participant:
        rng = self._rng
        start = _FIRST_DAY + timedelta(days=rng.randrange(_DAYS))
        # Most stay a few months, some more than a year; those not ended by the end of the
        # second year are still ongoing.
        end = start + timedelta(days=int(rng.expovariate(1 / 150)))
        gender = rng.choices(list(GENDER_WEIGHTS), weights=list(GENDER_WEIGHTS.values()))[0]
        return Participant(
            participant_id=self._code(),
            insats_id=rng.choice(INDIVIDUAL_INSATSER),
            gender=gender,
            start_date=start,
            end_date=end if end <= _LAST_DAY else None,
        )

    def insats(self, insats_id: str, registration=Registration.INDIVID) -> InsatsDefined:
        name = insats_id.replace("-", " ").title()
        return InsatsDefined(
            event_id=self._event_id(),
            occurred_at=datetime.combine(_FIRST_DAY, time(7), UTC),
            insats_id=insats_id,
            name=name,
            registration=registration,
        )

    def start(self, person: Participant) -> ParticipantStarted:
        rng = self._rng
        return ParticipantStarted(
            event_id=self._event_id(),
            insats_id=person.insats_id,
            participant_id=person.participant_id,
            start_date=person.start_date,
            gender=person.gender,
            birth_year=person.start_date.year - rng.randint(18, 64),
            education=rng.choice(list(Education)),
            support_at_start=rng.sample(list(SupportType), rng.randint(1, 2)),
            years_in_support=rng.randint(0, 15),
            referrer=rng.choice(list(Referrer)),
            municipality=rng.choice(MUNICIPALITIES),
            activity_hours_per_week=float(rng.randint(0, 20)),
            vas=rng.randint(10, 70),
        )

    def progress(self, person: Participant, day: date) -> ParticipantProgressed:
        rng = self._rng
        indicators = (
            {name: rng.randint(1, 5) for name in rng.sample(INDICATORS, 3)}
            if rng.random() < 0.4
            else {}
        )
        return ParticipantProgressed(
            event_id=self._event_id(),
            insats_id=person.insats_id,
            participant_id=person.participant_id,
            date=day,
            activity_hours_per_week=float(rng.randint(0, 40)),
            vas=rng.randint(10, 95),
            indicators=indicators,
        )

    def stop(self, person: Participant) -> ParticipantStopped:
        rng = self._rng
        assert person.end_date is not None
        return ParticipantStopped(
            event_id=self._event_id(),
            insats_id=person.insats_id,
            participant_id=person.participant_id,
            end_date=person.end_date,
            reason=rng.choice(list(Reason)),
            support_at_end=rng.sample(list(SupportType), rng.randint(1, 2)),
            health_better=rng.choice((True, False, None)),
            activity_increased=rng.choice((True, False, None)),
            work_capacity=rng.choice((*WorkCapacity, None)),
            vas=rng.randint(20, 95),
            respect=rng.randint(1, 6),
        )

    def volume(self, insats_id: str, day: date) -> VolumeRegistered:
        rng = self._rng
        return VolumeRegistered(
            event_id=self._event_id(),
            insats_id=insats_id,
            date=day,
            kvinna=rng.randint(5, 20),
            man=rng.randint(2, 12),
            annan=rng.randint(0, 1),
        )
