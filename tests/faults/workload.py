"""A known set of commands (starts, check-ins, stops over a few insatser, every gender and
every avslutsanledning, moves on from one insats to the next, follow-ups after a third of
the exits; activities of a structural insats) and a sender that gets each of them accepted
exactly once, however often the system fails under it: every command carries an
Idempotency-Key and is retried until it is answered 201."""

import random
import threading
import time
import uuid
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import httpx

from shared.contract.codes import GENDERS, Reason
from tests.faults.cluster import HEADERS

INSATSER = ("faults-arbete", "faults-halsa", "faults-steg")
"""The individ insatser the stays are in."""
STRUCTURAL = "faults-kurs"
"""The structural insats the activities are in."""
ACTIVITY_EVERY = 5
"""One activity per this many stays."""
YEAR = 2025
"""Starts fall in YEAR − 1 and YEAR, so YEAR's reports have opening figures."""
SEND_SECONDS = 180.0
"""Give up on a command the system has refused to answer for this long (not a measurement)."""


@dataclass(frozen=True)
class Stay:
    """One participant's time in an insats, as the commands sent describe it."""

    insats: str
    gender: str
    start: date
    end: date | None
    reason: Reason | None
    health_better: bool | None
    check_ins: tuple[date, ...]
    moved_to: str | None = None
    """It ends by a move on to this insats (its reason `annan_insats`)."""
    moved_from: str | None = None
    """It is the stay a move started (no command of its own: the move's)."""
    followup: dict | None = None
    """The follow-up after its end (the API's body), if it has one."""


def plan(participants: int, seed: str) -> list[Stay]:
    """`participants` stays spread over the insatser, genders and reasons; about three in
    four end, about one in two has a check-in. The same seed, the same stays."""
    rng = random.Random(seed)
    reasons = list(Reason)
    stays = []
    for n in range(participants):
        start = date(YEAR - 1, 1, 1) + timedelta(days=rng.randrange(2 * 365))
        ended = rng.random() < 0.75
        end = min(start + timedelta(days=rng.randrange(1, 300)), date(YEAR, 12, 31))
        check_ins = (start + timedelta(days=rng.randrange(0, 60)),) if rng.random() < 0.5 else ()
        stays.append(
            Stay(
                insats=INSATSER[n % len(INSATSER)],
                gender=GENDERS[(n // len(INSATSER)) % len(GENDERS)].value,
                start=start,
                end=end if ended else None,
                reason=reasons[n % len(reasons)] if ended else None,
                health_better=rng.choice((True, False, None)) if ended else None,
                check_ins=check_ins,
            )
        )
    return _followed_up(_moved_on(stays))


FOLLOWUP_MONTHS = 6
"""The follow-up the system makes (STEGVIS_FOLLOWUPS' default)."""


def _followed_up(stays: list[Stay]) -> list[Stay]:
    """Every third stay that ends by an exit (not a move) is followed up six months and a
    few days after, every other one of them reached, with a status of every kind."""
    reasons = list(Reason)
    followed = []
    for n, stay in enumerate(stays):
        if stay.end is not None and stay.moved_to is None and n % 3 == 0:
            body: dict = {
                "date": (stay.end + timedelta(days=190)).isoformat(),
                "months_after": FOLLOWUP_MONTHS,
                "reached": n % 2 == 0,
            }
            if body["reached"]:
                body["status"] = reasons[n // 6 % len(reasons)].value
            stay = replace(stay, followup=body)
        followed.append(stay)
    return followed


def _moved_on(stays: list[Stay]) -> list[Stay]:
    """Each stay ending `annan_insats` moves on to the next insats instead, where a stay
    starts on the day of the move (and goes on)."""
    moved = []
    for n, stay in enumerate(stays):
        if stay.reason is Reason.ANNAN_INSATS and stay.end is not None:
            to = INSATSER[(INSATSER.index(stay.insats) + 1) % len(INSATSER)]
            stays[n] = replace(stay, moved_to=to, health_better=None)
            moved.append(
                Stay(to, stay.gender, stay.end, None, None, None, (), moved_from=stay.insats)
            )
    return stays + moved


@dataclass(frozen=True)
class Activity:
    """One activity of the structural insats, as the command sent describes it."""

    day: date
    participants: dict[str, int]
    places: int | None


def activities(stays: list[Stay]) -> list[Activity]:
    """The activities sent beside the stays, worked out from them (the same stays, the
    same activities): one per `ACTIVITY_EVERY`, on its start date, some offering places."""
    return [
        Activity(
            stay.start,
            {gender.value: (n + rank) % 7 for rank, gender in enumerate(GENDERS)},
            n % 11 + 5 if n % 3 else None,
        )
        for n, stay in enumerate(stays[::ACTIVITY_EVERY])
    ]


@dataclass
class Sender:
    """Sends each stay's commands in order, from a few threads, in the background."""

    intake_url: str
    stays: list[Stay]
    rate: float = 100.0
    """Commands per second at most, so that faults land while commands still flow."""
    threads: int = 6
    sent: int = 0
    """Commands accepted so far."""
    newest_position: int = 0
    """The newest event position intake has answered with."""
    retries: int = 0
    """Attempts that failed (connection refused, 5xx) and were tried again."""
    errors: list[BaseException] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.activities = activities(self.stays)
        self._run = uuid.uuid4().hex[:8]
        self._lock = threading.Lock()
        self._started = 0.0
        self._slots = 0
        self._workers = [
            threading.Thread(target=self._send_share, args=(n,), daemon=True)
            for n in range(self.threads)
        ]

    @property
    def total(self) -> int:
        """Commands to send."""
        stays = sum(
            1 + len(s.check_ins) + (s.end is not None) + (s.followup is not None)
            for s in self.stays
            if s.moved_from is None
        )
        return stays + len(self.activities)

    def define_insatser(self) -> None:
        with self._client() as intake:
            registrations = [(insats, "individ") for insats in INSATSER]
            for insats, registration in [*registrations, (STRUCTURAL, "struktur")]:
                response = intake.put(
                    f"/api/v1/insatser/{insats}",
                    json={"name": insats, "registration": registration},
                )
                assert response.status_code in (200, 201), response.text

    def _client(self) -> httpx.Client:
        return httpx.Client(base_url=self.intake_url, headers=HEADERS, timeout=30)

    def start(self) -> None:
        self._started = time.monotonic()
        for worker in self._workers:
            worker.start()

    def join(self) -> None:
        for worker in self._workers:
            worker.join()
        if self.errors:
            raise self.errors[0]

    def wait_until_sent(self, count: int) -> None:
        """Until `count` commands are accepted (or every one, if fewer)."""
        count = min(count, self.total)
        while self.sent < count:
            if self.errors:
                raise self.errors[0]
            time.sleep(0.01)

    def _send_share(self, worker: int) -> None:
        try:
            with self._client() as intake:  # one each: a client is not shared by threads
                for index in range(worker, len(self.stays), self.threads):
                    self._send_stay(intake, index, self.stays[index])
                for index in range(worker, len(self.activities), self.threads):
                    self._send_activity(intake, index, self.activities[index])
        except BaseException as error:
            self.errors.append(error)

    def _send_stay(self, intake: httpx.Client, index: int, stay: Stay) -> None:
        if stay.moved_from is not None:
            return  # started by its origin's move
        base = f"/api/v1/insatser/{stay.insats}/participants"
        start = {"start_date": stay.start.isoformat(), "gender": stay.gender}
        participant = self._accepted(intake, f"{index}-start", base, start)["participant_id"]
        for n, day in enumerate(stay.check_ins):
            body = {"date": day.isoformat(), "vas": 50}
            self._accepted(intake, f"{index}-progress-{n}", f"{base}/{participant}/progress", body)
        if stay.moved_to is not None and stay.end is not None:
            body = {"date": stay.end.isoformat(), "to_insats": stay.moved_to}
            self._accepted(intake, f"{index}-move", f"{base}/{participant}/move", body)
        elif stay.end is not None:
            body = {"end_date": stay.end.isoformat(), "reason": stay.reason}
            if stay.health_better is not None:
                body["health_better"] = stay.health_better
            self._accepted(intake, f"{index}-stop", f"{base}/{participant}/stop", body)
        if stay.followup is not None:
            path = f"{base}/{participant}/followup"
            self._accepted(intake, f"{index}-followup", path, stay.followup)

    def _send_activity(self, intake: httpx.Client, index: int, activity: Activity) -> None:
        body: dict = {
            "date": activity.day.isoformat(),
            "kind": "utbildning",
            "participants": activity.participants,
        }
        if activity.places is not None:
            body["places"] = activity.places
        path = f"/api/v1/insatser/{STRUCTURAL}/activities"
        self._accepted(intake, f"activity-{index}", path, body)

    def _accepted(self, intake: httpx.Client, key: str, path: str, body: dict) -> dict:
        with self._lock:
            slot = self._started + self._slots / self.rate
            self._slots += 1
        time.sleep(max(0.0, slot - time.monotonic()))
        # A letter between the run's hex (all digits one run in 40) and the key's index:
        # together their digits could spell an identity number, which intake refuses.
        headers = {"Idempotency-Key": f"{self._run}-key{key}"}
        deadline = time.monotonic() + SEND_SECONDS
        while True:
            try:
                response = intake.post(path, json=body, headers=headers)
                if response.status_code == 201:
                    break
                assert response.status_code >= 500, f"{path}: {response.text}"
            except httpx.TransportError:
                pass  # intake is down or restarting: the key makes the retry safe
            assert time.monotonic() < deadline, f"{path} never accepted"
            with self._lock:
                self.retries += 1
            time.sleep(0.2)
        answer = response.json()
        with self._lock:
            self.sent += 1
            self.newest_position = max(self.newest_position, answer["position"])
        return answer
