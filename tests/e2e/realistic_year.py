"""A förbund's realistic year, generated from a seed, and the figures it should give, worked
out by an independent oracle: plain Python over what was generated, never Stegvis's code.

Five individ insatser, a volume insats and a structural insats (training days, network
meetings, conferences) in Västerbotten. The previous year, 2025, is a
spreadsheet for `stegvis import` (participants started 2024–2025, most stopped in 2025);
the current year, January–October 2026, is registrations for intake's API: starts,
check-ins, stops and monthly volumes, with what staff get wrong and put right (starts and
stops corrected, mistaken starts and stops voided), stops registered weeks late, and 2025's
ongoing participants stopped with 2026 end dates; the structural insats's activities of both
years go through the API; a few of 2026's participants move on to another insats (`move`:
the stop and a start there with the same code); many of those who ended are followed up
six months after (`followup`: some late, some not reached, one corrected). Pure:
`year_loader.py` sends it.
"""

import csv
import random
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

SEED = 2026
PREVIOUS_PARTICIPANTS = 200
CURRENT_PARTICIPANTS = 200
CURRENT_YEAR_ENDS = date(2026, 10, 31)
"""The current year is registered through October."""
GENDERS = ("kvinna", "man", "annan")


@dataclass(frozen=True)
class Insats:
    insats_id: str
    name: str
    registration: str
    weight: int = 0
    """Its share of the förbund's participants."""
    ages: tuple[int, int] = (18, 64)


INDIVID_INSATSER = (
    Insats("arbetsrehab", "Arbetsrehab", "individ", 30, (25, 64)),
    Insats("steget", "Steget", "individ", 20),
    Insats("cresco-plus", "Cresco+", "individ", 15),
    Insats("halsoskolan-individ", "Hälsoskolan-individ", "individ", 15, (30, 64)),
    Insats("unga-vuxna", "Unga vuxna", "individ", 20, (18, 29)),
)
VOLUME_INSATS = Insats("halsoskolan-grupp", "Hälsoskolan grupp", "volym")
STRUCTURAL_INSATS = Insats("kunskapslyftet", "Kunskapslyftet", "struktur")
INSATSER = (*INDIVID_INSATSER, VOLUME_INSATS, STRUCTURAL_INSATS)
BIP_INSATSER = frozenset({"arbetsrehab", "cresco-plus"})
"""Those that score the BIP indicator cards at check-ins."""

# Weights, roughly as the förbund's reports have them.
GENDER_WEIGHTS = {"kvinna": 55, "man": 43, "annan": 2}
EDUCATION_WEIGHTS = {
    "grundskola": 26,
    "gymnasium": 40,
    "eftergymnasial": 8,
    "hogskola_upp_till_1": 5,
    "hogskola_upp_till_3": 8,
    "hogskola_over_3": 6,
    "saknas": 7,
}
SUPPORT_WEIGHTS = {
    "sjukpenning": 20,
    "aktivitetsersattning": 12,
    "sjukersattning": 6,
    "a_kassa": 6,
    "aktivitetsstod": 15,
    "forsorjningsstod": 25,
    "etableringsersattning": 6,
    "annan": 3,
    "ingen": 7,
}
REFERRER_WEIGHTS = {"fk": 25, "af": 30, "kommun": 30, "region": 12, "annan": 3}
MUNICIPALITY_WEIGHTS = {  # SCB codes of Umeå, Skellefteå, Vännäs, Nordmaling, Robertsfors,
    # Vindeln, Lycksele and Bjurholm
    "2480": 48,
    "2482": 20,
    "2460": 8,
    "2401": 6,
    "2409": 5,
    "2404": 5,
    "2481": 5,
    "2403": 3,
}
REASON_WEIGHTS = {
    "annan_insats": 20,
    "arbete": 11,
    "arbete_subventionerat": 6,
    "studier": 9,
    "arbetssokande": 8,
    "arbetstraning": 7,
    "tillbaka_remittent": 9,
    "sjukdom": 10,
    "foraldraledighet": 3,
    "flytt": 3,
    "egen_begaran": 5,
    "ej_kontakt": 6,
    "annat": 3,
}
"""`pension` is drawn apart, only for those near the age."""
WORK_CAPACITY_WEIGHTS = {"narmat": 55, "lika": 35, "langre_bort": 10}
ACTIVITY_KINDS = ("utbildning", "natverk", "konferens", "kartlaggning", "annan")
ACTIVITY_KIND_WEIGHTS = {
    "utbildning": 45,
    "natverk": 30,
    "konferens": 10,
    "kartlaggning": 10,
    "annan": 5,
}
ORGANISATIONS = ("fk", "af", "kommun", "region", "annan")
INDICATORS = ("arbetssokande", "kompetens", "social_kompetens", "halsa", "livssituation")

# The default outcome classes of api.md ("Codes").
POSITIVE = frozenset(
    {"arbete", "arbete_subventionerat", "studier", "arbetssokande", "arbetstraning"}
)
UNCLEAR = frozenset({"tillbaka_remittent", "annan_insats"})
DIRECT = frozenset({"arbete", "arbete_subventionerat", "studier", "arbetssokande"})
WORK_OR_STUDIES = frozenset({"arbete", "arbete_subventionerat", "studier"})
FOLLOWUP_MONTHS = 6
"""The förbund's follow-up after the stop (STEGVIS_FOLLOWUPS' default)."""
FOLLOWUP_STATUS_WEIGHTS = {
    "arbete": 25,
    "arbete_subventionerat": 10,
    "studier": 12,
    "arbetssokande": 20,
    "sjukdom": 15,
    "foraldraledighet": 3,
    "annat": 15,
}

# Registration waves: each after all earlier ones; 1–10 are the months of 2026.
PREVIOUS_YEAR_WAVE, LATE_WAVE, CORRECTION_WAVE = 0, 11, 12

# The import's columns as README.md lists them, each beside the API field it fills.
_SHEET_START = {
    "startdatum": "start_date",
    "kön": "gender",
    "födelseår": "birth_year",
    "utbildning": "education",
    "försörjning_start": "support_at_start",
    "år_i_försörjning": "years_in_support",
    "remittent": "referrer",
    "kommun": "municipality",
    "aktivitetstimmar": "activity_hours_per_week",
    "vas_start": "vas",
}
_SHEET_STOP = {
    "slutdatum": "end_date",
    "avslutsanledning": "reason",
    "försörjning_avslut": "support_at_end",
    "mår_bättre": "health_better",
    "utökad_aktivitet": "activity_increased",
    "arbetsförmåga": "work_capacity",
    "vas_avslut": "vas",
    "respekt": "respect",
}
SHEET_HEADER = ("insats", *_SHEET_START, *_SHEET_STOP)


@dataclass
class Participant:
    """One registration, as staff first registered it, and what was done to it after."""

    key: str
    """Stable across runs (intake draws the participant's code)."""
    insats_id: str
    start: dict
    """The API's start fields, as first registered."""
    stop: dict | None = None
    """As first registered."""
    check_ins: list[dict] = field(default_factory=list)
    corrected_start: dict | None = None
    """All the start's fields anew."""
    corrected_stop: dict | None = None
    start_voided: bool = False
    stop_voided: bool = False
    imported: bool = False
    stop_through_api: bool = False
    """Imported, and stopped later through the API."""
    stop_registered_late: bool = False
    moved_to: str | None = None
    """Its stop is a move on to this insats (reason `annan_insats`), where it starts anew."""
    followup: dict | None = None
    """The follow-up after the stop, as first registered (the API's body)."""
    corrected_followup: dict | None = None


@dataclass(frozen=True)
class Volume:
    day: date
    counts: dict[str, int]


@dataclass(frozen=True)
class Activity:
    day: date
    kind: str
    participants: dict[str, int]
    organisations: dict[str, int] | None
    """Some of the participants by organisation; None: not asked."""
    places: int | None


@dataclass(frozen=True)
class Registration:
    """One call to intake's API."""

    wave: int
    chain: str
    """A chain's registrations are sent in order; different chains side by side."""
    kind: str
    """`start`, `progress`, `stop`, `move`, `followup`, `volume`, `activity`, `correction`
    or `void`."""
    insats_id: str
    day: date
    body: dict | None = None
    target: str = ""
    """Of a correction or void: the event concerned, `start`, `stop` or `followup`."""


@dataclass(frozen=True)
class Budget:
    amount: int
    financiers: dict[str, int]
    """Who pays how much; they sum to `amount`."""


@dataclass
class Money:
    """What the förbund's admin enters of each insats's economy, in whole kronor."""

    budgets: dict[tuple[str, int], Budget]
    """By (insats, year)."""
    costs: dict[tuple[str, str], int]
    """The utfall by (insats, `YYYY-MM`), as first entered."""
    correction: tuple[str, str, int]
    """(insats, month, amount): a closed month's cost put right after the year's registrations."""

    def cost(self, insats_id: str, month: str) -> int:
        """The month's cost in the end (the correction wins)."""
        if self.correction[:2] == (insats_id, month):
            return self.correction[2]
        return self.costs.get((insats_id, month), 0)


@dataclass
class RealisticYear:
    participants: list[Participant]
    volumes: list[Volume]
    activities: list[Activity]
    money: Money = field(default_factory=lambda: Money({}, {}, ("", "", 0)))
    goals: dict[str, list[dict]] = field(default_factory=dict)
    """Each individ insats's goals, as the API takes them."""

    def imported(self) -> list[Participant]:
        return [p for p in self.participants if p.imported]


# --- generating -----------------------------------------------------------------------------


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _weekday(rng: random.Random, first: date, last: date, early: bool = False) -> date:
    """A weekday from `first` to `last`; `early`: more often in the first months."""
    span = (last - first).days
    while True:
        days = int(rng.triangular(0, span, span // 5)) if early else rng.randint(0, span)
        if (day := first + timedelta(days)).weekday() < 5:
            return day


def _sometimes(rng: random.Random, share: float, value: object, answer: dict, name: str) -> None:
    """`answer[name] = value` for about `share` of the participants: the rest left it out."""
    if rng.random() < share:
        answer[name] = value


def _support(rng: random.Random) -> list[str]:
    first = _pick(rng, SUPPORT_WEIGHTS)
    if first != "ingen" and rng.random() < 0.2:  # e.g. sjukpenning and försörjningsstöd
        second = _pick(rng, SUPPORT_WEIGHTS)
        if second not in (first, "ingen"):
            return [first, second]
    return [first]


def _start(rng: random.Random, insats: Insats, day: date) -> dict:
    start = {
        "start_date": day.isoformat(),
        "gender": _pick(rng, GENDER_WEIGHTS),
        "birth_year": day.year - rng.randint(*insats.ages),
    }
    _sometimes(rng, 0.95, _pick(rng, EDUCATION_WEIGHTS), start, "education")
    _sometimes(rng, 0.95, _support(rng), start, "support_at_start")
    _sometimes(rng, 0.85, min(int(rng.expovariate(1 / 4)), 30), start, "years_in_support")
    _sometimes(rng, 0.97, _pick(rng, REFERRER_WEIGHTS), start, "referrer")
    _sometimes(rng, 0.95, _pick(rng, MUNICIPALITY_WEIGHTS), start, "municipality")
    _sometimes(rng, 0.8, rng.choice((0, 2, 4, 5, 7.5, 10, 15)), start, "activity_hours_per_week")
    _sometimes(rng, 0.85, rng.randint(12, 65), start, "vas")
    return start


def _reason(rng: random.Random, start: dict, end: date) -> str:
    if end.year - start["birth_year"] >= 63 and rng.random() < 0.3:
        return "pension"
    return _pick(rng, REASON_WEIGHTS)


def _stop(rng: random.Random, start: dict, end: date) -> dict:
    reason = _reason(rng, start, end)
    stop = {"end_date": end.isoformat(), "reason": reason}
    if reason == "ej_kontakt":  # dropped out: no one asked the exit questions
        return stop
    support = ["ingen"] if reason in DIRECT and rng.random() < 0.6 else _support(rng)
    _sometimes(rng, 0.85, support, stop, "support_at_end")
    positive = reason in POSITIVE
    _sometimes(rng, 0.75, rng.random() < (0.75 if positive else 0.45), stop, "health_better")
    _sometimes(rng, 0.7, rng.random() < (0.7 if positive else 0.4), stop, "activity_increased")
    _sometimes(rng, 0.7, _pick(rng, WORK_CAPACITY_WEIGHTS), stop, "work_capacity")
    vas_end = min(100, max(1, start.get("vas", 40) + rng.randint(-10, 30)))
    _sometimes(rng, 0.65, vas_end, stop, "vas")
    _sometimes(rng, 0.6, rng.choice((3, 4, 5, 5, 6, 6, 6)), stop, "respect")
    return stop


def _check_ins(rng: random.Random, insats_id: str, start: dict, until: date) -> list[dict]:
    """1–3 check-ins after the start and before `until`, each a step further on average."""
    first = date.fromisoformat(start["start_date"]) + timedelta(14)
    if until - first < timedelta(7):
        return []
    days = sorted(_weekday(rng, first, until - timedelta(1)) for _ in range(rng.randint(1, 3)))
    hours, vas = start.get("activity_hours_per_week", 2), start.get("vas", 35)
    scores = {name: rng.randint(1, 3) for name in INDICATORS}
    check_ins = []
    for day in dict.fromkeys(days):
        hours, vas = min(40, hours + rng.choice((0, 2, 4, 5))), min(100, vas + rng.randint(-5, 12))
        check_in = {"date": day.isoformat(), "activity_hours_per_week": hours, "vas": vas}
        if insats_id in BIP_INSATSER:
            scores = {name: min(5, score + rng.choice((0, 0, 1))) for name, score in scores.items()}
            check_in["indicators"] = dict(scores)
        check_ins.append(check_in)
    return check_ins


def _days_in_insats(rng: random.Random) -> int:
    return int(rng.triangular(14, 420, 90))


def _insats(rng: random.Random) -> Insats:
    return rng.choices(INDIVID_INSATSER, weights=[i.weight for i in INDIVID_INSATSER])[0]


def _previous(rng: random.Random, number: int) -> Participant:
    """Started in 2024 or 2025; stopped in the sheet if by the end of 2025, else through
    the API if by October 2026, else still going."""
    insats = _insats(rng)
    if rng.random() < 0.3:
        day = _weekday(rng, date(2024, 2, 1), date(2024, 12, 20))
    else:
        day = _weekday(rng, date(2025, 1, 7), date(2025, 12, 19))
    start = _start(rng, insats, day)
    end = day + timedelta(_days_in_insats(rng))
    participant = Participant(f"P2025-{number:03d}", insats.insats_id, start, imported=True)
    if end <= CURRENT_YEAR_ENDS:
        participant.stop = _stop(rng, start, end)
        participant.stop_through_api = end.year == 2026
    return participant


def _current(rng: random.Random, number: int) -> Participant:
    insats = _insats(rng)
    day = _weekday(rng, date(2026, 1, 5), date(2026, 10, 28), early=True)
    start = _start(rng, insats, day)
    end = day + timedelta(_days_in_insats(rng))
    participant = Participant(f"P2026-{number:03d}", insats.insats_id, start)
    participant.check_ins = _check_ins(rng, insats.insats_id, start, min(end, CURRENT_YEAR_ENDS))
    if end <= CURRENT_YEAR_ENDS:
        participant.stop = _stop(rng, start, end)
    return participant


def _volumes(rng: random.Random, first: date, last: date) -> list[Volume]:
    """One to three group sessions a month, none in July."""
    volumes = []
    month = first
    while month <= last:
        if month.month != 7:
            for _ in range(rng.randint(1, 3)):
                day = _weekday(rng, month, month.replace(day=28))
                counts = {
                    "kvinna": rng.randint(4, 12),
                    "man": rng.randint(2, 8),
                    "annan": int(rng.random() < 0.15),
                }
                volumes.append(Volume(day, counts))
        month = (month + timedelta(32)).replace(day=1)
    return sorted(volumes, key=lambda volume: volume.day)


def _activities(rng: random.Random, first: date, last: date) -> list[Activity]:
    """Two to four a month but in July: most offer a number of places (some fill them, a
    few more come than there were places), some say where the participants came from."""
    activities = []
    month = first
    while month <= last:
        if month.month != 7:
            for _ in range(rng.randint(2, 4)):
                counts = {
                    "kvinna": rng.randint(3, 30),
                    "man": rng.randint(1, 20),
                    "annan": int(rng.random() < 0.2),
                }
                came = sum(counts.values())
                places = rng.choice((None, came, came + rng.randint(1, 15), max(1, came - 2)))
                organisations = None
                if rng.random() < 0.6:
                    organisations = {
                        name: rng.randint(0, came // 3) for name in rng.sample(ORGANISATIONS, 3)
                    }
                activities.append(
                    Activity(
                        _weekday(rng, month, month.replace(day=28)),
                        _pick(rng, ACTIVITY_KIND_WEIGHTS),
                        counts,
                        organisations,
                        places,
                    )
                )
        month = (month + timedelta(days=32)).replace(day=1)
    return sorted(activities, key=lambda activity: activity.day)


def _other(rng: random.Random, weights: dict[str, int], than: str) -> str:
    return _pick(rng, {code: weight for code, weight in weights.items() if code != than})


def _wrong_reason(rng: random.Random, participant: Participant) -> None:
    stop = participant.stop
    assert stop is not None  # only a stopped participant's stop is corrected
    participant.corrected_stop = stop
    participant.stop = stop | {"reason": _other(rng, REASON_WEIGHTS, stop["reason"])}


def _wrong_gender(rng: random.Random, participant: Participant) -> None:
    participant.corrected_start = participant.start
    wrong = _other(rng, GENDER_WEIGHTS, participant.start["gender"])
    participant.start = participant.start | {"gender": wrong}


def _wrong_end(rng: random.Random, participant: Participant) -> None:
    stop = participant.stop
    assert stop is not None  # only a stopped participant's stop is corrected
    participant.corrected_stop = stop
    end = date.fromisoformat(stop["end_date"]) + timedelta(rng.randint(3, 12))
    participant.stop = stop | {"end_date": end.isoformat()}


def _wrong_start(rng: random.Random, participant: Participant) -> None:
    # Earlier than the truth, so that the check-ins and the stop follow both dates.
    participant.corrected_start = participant.start
    start = date.fromisoformat(participant.start["start_date"]) - timedelta(rng.randint(3, 20))
    participant.start = participant.start | {"start_date": start.isoformat()}


def _mistakes(
    rng: random.Random, current: list[Participant], previous: list[Participant]
) -> list[Participant]:
    """Get some registrations wrong, as staff do, and put them right: what was registered
    first becomes the mistake, the correction the truth. Returns the mistaken starts: each
    a participant registered twice, the second time voided."""
    chosen = rng.sample([p for p in current if p.stop], 11)
    for participant in chosen[:5]:
        _wrong_reason(rng, participant)
    for participant in chosen[5:9]:
        _wrong_gender(rng, participant)
    for participant in chosen[9:]:  # stopped by mistake: they go on
        participant.stop_voided = True
    others = [p for p in current if p not in chosen]
    # Late stops end well before the year's last events; moved dates stay in the year.
    stopped_by_august = [p for p in others if p.stop and p.stop["end_date"] < "2026-09"]
    stopped_by_mid_october = [p for p in others if p.stop and p.stop["end_date"] <= "2026-10-15"]
    started_from_february = [p for p in others if p.start["start_date"] >= "2026-02"]
    stopped_in_2025 = [p for p in previous if p.stop and p.stop["end_date"].startswith("2025")]
    for participant in rng.sample(stopped_by_august, 8):
        participant.stop_registered_late = True
    for participant in rng.sample(stopped_by_mid_october, 2):
        _wrong_end(rng, participant)
    for participant in rng.sample(started_from_february, 2):
        _wrong_start(rng, participant)
    for participant in rng.sample(stopped_in_2025, 2):  # last year's, put right now
        _wrong_reason(rng, participant)
    return [
        Participant(f"P2026-D{number}", original.insats_id, dict(original.start), start_voided=True)
        for number, original in enumerate(rng.sample(current, 2), 1)
    ]


ECONOMY_YEARS = (2025, 2026)
ESF_FUNDED = frozenset({"unga-vuxna", "steget"})
"""Co-financed by the ESF; the förbund pays the rest (and all of the others)."""
CORRECTED_MONTH = "2026-03"
"""The month whose cost the bookkeeping corrects after it closed."""


def _months(first: date, last: date) -> list[str]:
    months, month = [], first
    while month <= last:
        months.append(f"{month.year:04d}-{month.month:02d}")
        month = (month + timedelta(32)).replace(day=1)
    return months


def _money(rng: random.Random) -> Money:
    """A budget per insats and year (whole thousands; the ESF's part for some), and each
    month's costs around a twelfth of it; one month's cost corrected after it closed."""
    budgets, costs = {}, {}
    for insats in INSATSER:
        for year in ECONOMY_YEARS:
            amount = rng.randrange(300, 2_400) * 1_000
            financiers = {"forbundet": amount}
            if insats.insats_id in ESF_FUNDED:
                esf = amount * rng.choice((25, 40, 50)) // 100
                financiers = {"forbundet": amount - esf, "esf": esf}
            budgets[(insats.insats_id, year)] = Budget(amount, financiers)
        for month in _months(date(2025, 1, 1), CURRENT_YEAR_ENDS):
            twelfth = budgets[(insats.insats_id, int(month[:4]))].amount // 12
            costs[(insats.insats_id, month)] = twelfth * rng.randint(60, 125) // 100 + rng.randint(
                0, 999
            )
    corrected = INDIVID_INSATSER[0].insats_id
    amount = costs[(corrected, CORRECTED_MONTH)] + rng.randint(5_000, 40_000)
    return Money(budgets, costs, (corrected, CORRECTED_MONTH, amount))


def _goals(rng: random.Random) -> dict[str, list[dict]]:
    """Goals of every kind for each individ insats: counts (of all and of one gender), a
    share and a reason's share at least (of all and of one gender), and higher than last
    year (of all and of one gender)."""
    goals = {}
    for insats in INDIVID_INSATSER:
        gender = rng.choice(("kvinna", "man"))
        reason = rng.choice(("arbetstraning", "studier", "arbete", "annan_insats"))
        goals[insats.insats_id] = [
            {"figure": "new", "at_least": rng.randint(15, 45), "gender": gender},
            {"figure": "participants", "at_least": rng.randint(40, 90)},
            {"share": "positive_exits", "at_least_percent": rng.randint(25, 45)},
            {"share": f"reason:{reason}", "at_least_percent": rng.randint(5, 20)},
            {"share": "direct_to_work_or_studies", "at_least_percent": 20, "gender": gender},
            {"share": "positive_exits", "higher_than_previous_year": True},
            {"share": f"reason:{reason}", "higher_than_previous_year": True, "gender": "kvinna"},
        ]
    return goals


def generate(seed: int = SEED) -> RealisticYear:
    """The same year for the same seed."""
    rng = random.Random(seed)
    previous = [_previous(rng, n) for n in range(1, PREVIOUS_PARTICIPANTS + 1)]
    current = [_current(rng, n) for n in range(1, CURRENT_PARTICIPANTS + 1)]
    duplicates = _mistakes(rng, current, previous)
    volumes = _volumes(rng, date(2025, 1, 1), date(2026, 10, 1))
    activities = _activities(rng, date(2025, 1, 1), date(2026, 10, 1))
    _moves(random.Random(seed + 1), current)
    _followups(random.Random(seed + 2), previous + current)
    # Drawn last: the registrations stay those of the same seed before the economy was added.
    return RealisticYear(
        previous + current + duplicates, volumes, activities, _money(rng), _goals(rng)
    )


MOVES = 12


def _moves(rng: random.Random, current: list[Participant]) -> None:
    """Some of the year's stops, not put right afterwards, become moves on to another
    individ insats (a random generator of their own: the rest of the year stays as it was)."""
    plain = [
        p
        for p in current
        if p.stop
        and not (p.corrected_start or p.corrected_stop or p.stop_voided or p.start_voided)
        and not p.stop_registered_late
    ]
    for participant in rng.sample(plain, MOVES):
        others = [i.insats_id for i in INDIVID_INSATSER if i.insats_id != participant.insats_id]
        participant.moved_to = rng.choice(others)
        assert participant.stop is not None
        participant.stop = {"end_date": participant.stop["end_date"], "reason": "annan_insats"}


def months_later(day: date, months: int) -> date:
    """The same day `months` months on (the month's last day where it has no such day)."""
    years, month = divmod(day.month - 1 + months, 12)
    first = date(day.year + years, month + 1, 1)
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return first.replace(day=min(day.day, last.day))


def _followups(rng: random.Random, participants: list[Participant]) -> None:
    """Most of those whose stop stands (not moved on, not put right, not late) are followed
    up six months after it, when that falls in the year: some weeks late, some not
    reached; one such follow-up is corrected at the end (a random generator of its own)."""
    followed = []
    for participant in participants:
        if (
            not participant.stop
            or participant.moved_to
            or participant.corrected_stop
            or participant.stop_voided
            or participant.start_voided
            or participant.stop_registered_late
        ):
            continue
        due = months_later(date.fromisoformat(participant.stop["end_date"]), FOLLOWUP_MONTHS)
        if due > CURRENT_YEAR_ENDS or rng.random() < 0.25:
            continue
        late = rng.random() < 0.15
        after = rng.randint(40, 90) if late else rng.randint(0, 14)
        day = min(due + timedelta(after), CURRENT_YEAR_ENDS)
        body: dict = {"date": day.isoformat(), "months_after": FOLLOWUP_MONTHS, "reached": False}
        if rng.random() < 0.7:
            body |= {"reached": True, "status": _pick(rng, FOLLOWUP_STATUS_WEIGHTS)}
            if rng.random() < 0.5:
                body["support"] = _support(rng)
        participant.followup = body
        followed.append(participant)
    corrected = rng.choice([p for p in followed if p.followup and not p.followup["reached"]])
    assert corrected.followup is not None
    corrected.corrected_followup = corrected.followup | {"reached": True, "status": "studier"}


# --- what to send ---------------------------------------------------------------------------


def _wave(day: date) -> int:
    return day.month if day.year == 2026 else PREVIOUS_YEAR_WAVE


def _participant_registrations(p: Participant) -> Iterable[Registration]:
    def dated(kind: str, day: str, body: dict, wave: int | None = None) -> Registration:
        on = date.fromisoformat(day)
        return Registration(_wave(on) if wave is None else wave, p.key, kind, p.insats_id, on, body)

    def afterwards(kind: str, target: str, body: dict | None = None) -> Registration:
        return Registration(
            CORRECTION_WAVE, p.key, kind, p.insats_id, CURRENT_YEAR_ENDS, body, target
        )

    if not p.imported:
        yield dated("start", p.start["start_date"], p.start)
    for check_in in p.check_ins:
        yield dated("progress", check_in["date"], check_in)
    if p.moved_to is not None and p.stop:
        move = {"date": p.stop["end_date"], "to_insats": p.moved_to}
        yield dated("move", p.stop["end_date"], move)
    elif p.stop and (p.stop_through_api or not p.imported):
        wave = LATE_WAVE if p.stop_registered_late else None
        yield dated("stop", p.stop["end_date"], p.stop, wave)
    if p.followup:
        yield dated("followup", p.followup["date"], p.followup)
    if p.corrected_start:
        yield afterwards("correction", "start", {"start": p.corrected_start})
    if p.corrected_stop:
        yield afterwards("correction", "stop", {"stop": p.corrected_stop})
    if p.corrected_followup:
        yield afterwards("correction", "followup", {"followup": p.corrected_followup})
    if p.stop_voided:
        yield afterwards("void", "stop")
    if p.start_voided:
        yield afterwards("void", "start")


_ORDER = {"start": 0, "progress": 1, "stop": 2, "move": 2, "followup": 3}


def registrations(year: RealisticYear) -> list[Registration]:
    """Every call to intake's API, in the order to send them: by wave, and within a chain
    by date."""
    calls = [call for p in year.participants for call in _participant_registrations(p)]
    calls += [
        Registration(
            _wave(v.day),
            f"volume-{n}",
            "volume",
            VOLUME_INSATS.insats_id,
            v.day,
            {"date": v.day.isoformat(), **v.counts},
        )
        for n, v in enumerate(year.volumes)
    ]
    calls += [
        Registration(
            _wave(a.day),
            f"activity-{n}",
            "activity",
            STRUCTURAL_INSATS.insats_id,
            a.day,
            {
                "date": a.day.isoformat(),
                "kind": a.kind,
                "participants": a.participants,
                **({"organisations": a.organisations} if a.organisations is not None else {}),
                **({"places": a.places} if a.places is not None else {}),
            },
        )
        for n, a in enumerate(year.activities)
    ]
    return sorted(calls, key=lambda call: (call.wave, call.day, _ORDER.get(call.kind, 3)))


def _sheet_cell(value: object) -> str:
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, list):
        return ",".join(value)
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")  # Swedish Excel's decimal comma
    return "" if value is None else str(value)


def _sheet_row(p: Participant) -> list[str]:
    stop = p.stop if p.stop and not p.stop_through_api else {}
    return [
        p.insats_id,
        *(_sheet_cell(p.start.get(name)) for name in _SHEET_START.values()),
        *(_sheet_cell(stop.get(name)) for name in _SHEET_STOP.values()),
    ]


def write_import_sheet(year: RealisticYear, path: Path) -> dict[int, str]:
    """The previous year as `stegvis import` reads it; returns each row's participant key by
    its row number (the header is row 1)."""
    with path.open("w", encoding="utf-8", newline="") as sheet:
        writer = csv.writer(sheet, delimiter=";")
        writer.writerow(SHEET_HEADER)
        writer.writerows(_sheet_row(p) for p in year.imported())
    return {row: p.key for row, p in enumerate(year.imported(), 2)}


# --- the oracle -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Counted:
    """A participant as the registrations count in the end."""

    insats_id: str
    gender: str
    start: date
    end: date | None
    reason: str | None
    person: str
    """The participant's key: the same in each insats a move took it to."""
    moved_from: str | None = None
    moved_to: str | None = None
    followup: dict | None = None
    """The follow-up after the stop, as corrected."""


def counted(year: RealisticYear) -> list[Counted]:
    """The latest correction of an event wins; a voided stop never happened; a voided
    start takes the whole registration with it. A move ends one registration and makes
    another, in the insats moved to, from the move's day on."""
    result = []
    for p in year.participants:
        if p.start_voided:
            continue
        start = p.corrected_start or p.start
        stop = None if p.stop_voided else p.corrected_stop or p.stop
        end = date.fromisoformat(stop["end_date"]) if stop else None
        result.append(
            Counted(
                p.insats_id,
                start["gender"],
                date.fromisoformat(start["start_date"]),
                end,
                stop["reason"] if stop else None,
                p.key,
                moved_to=p.moved_to,
                followup=p.corrected_followup or p.followup,
            )
        )
        if p.moved_to is not None:
            result.append(Counted(p.moved_to, start["gender"], end, None, None, p.key, p.insats_id))
    return result


def _columns(genders: Iterable[str]) -> dict[str, int]:
    counts = Counter(genders)
    return {"total": sum(counts.values()), **{gender: counts[gender] for gender in GENDERS}}


def quarter(report_year: int, number: int) -> tuple[date, date]:
    """The first and last day of the calendar quarter `number` (1–4)."""
    first = date(report_year, 3 * number - 2, 1)
    after = date(report_year + 1, 1, 1) if number == 4 else date(report_year, 3 * number + 1, 1)
    return first, after - timedelta(days=1)


def expected_figures(
    year: RealisticYear, first: date, last: date, insats_id: str | None = None
) -> dict[str, dict[str, int]]:
    """The period's figures of the insats (None: the whole förbund), by column."""
    people = [c for c in counted(year) if insats_id in (None, c.insats_id)]
    opening = [c for c in people if c.start < first and (c.end is None or c.end >= first)]
    new = [c for c in people if first <= c.start <= last]
    ended = [c for c in people if c.end is not None and first <= c.end <= last]
    ongoing = [c for c in people if c.start <= last and (c.end is None or c.end > last)]
    volumes = [
        v
        for v in year.volumes
        if first <= v.day <= last and insats_id in (None, VOLUME_INSATS.insats_id)
    ]
    volume = {gender: sum(v.counts[gender] for v in volumes) for gender in GENDERS}

    def of(group: list[Counted]) -> dict[str, int]:
        return _columns(c.gender for c in group)

    return {
        "participants": of(opening + new),
        "opening": of(opening),
        "new": of(new),
        "ended": of(ended),
        "ongoing_at_end": of(ongoing),
        "positive_exits": of([c for c in ended if c.reason in POSITIVE]),
        "unclear_exits": of([c for c in ended if c.reason in UNCLEAR]),
        "other_exits": of([c for c in ended if c.reason not in POSITIVE | UNCLEAR]),
        "direct_to_work_or_studies": of([c for c in ended if c.reason in DIRECT]),
        "volume_participants": {"total": sum(volume.values()), **volume},
    }


def expected_followup(
    year: RealisticYear, first: date, last: date, insats_id: str | None = None
) -> dict[str, dict[str, dict[str, int | None]]]:
    """The period's follow-ups of the insats (None: the whole förbund): of those who ended
    (not moved on) and whose follow-up falls due in the period, by column, those reached,
    the share reached (half up), and of them those in work or studies and with a positive
    status."""
    due = [
        c
        for c in counted(year)
        if insats_id in (None, c.insats_id)
        and c.end is not None
        and c.moved_to is None
        and first <= months_later(c.end, FOLLOWUP_MONTHS) <= last
    ]
    reached = [c for c in due if c.followup and c.followup["reached"]]
    due_columns, reached_columns = (_columns(c.gender for c in group) for group in (due, reached))
    status = {id(c): c.followup["status"] for c in reached if c.followup}
    return {
        str(FOLLOWUP_MONTHS): {
            "due": due_columns,
            "reached": reached_columns,
            "reached_percent": {
                column: _half_up(100 * reached_columns[column], due_columns[column])
                for column in due_columns
            },
            "work_or_studies": _columns(
                c.gender for c in reached if status[id(c)] in WORK_OR_STUDIES
            ),
            "positive": _columns(c.gender for c in reached if status[id(c)] in POSITIVE),
        }
    }


def expected_activities(
    year: RealisticYear, first: date, last: date, insats_id: str | None = None
) -> dict:
    """The period's activities of the insats (None: the whole förbund): how many, of each
    kind, their participants and organisations, the places offered and the share of them
    taken (by the activities that offered places; half up, None when none were offered)."""
    held = [
        a
        for a in year.activities
        if first <= a.day <= last and insats_id in (None, STRUCTURAL_INSATS.insats_id)
    ]
    offering = [a for a in held if a.places is not None]
    places = sum(a.places or 0 for a in offering)
    taken = sum(sum(a.participants.values()) for a in offering)
    by_gender = {gender: sum(a.participants[gender] for a in held) for gender in GENDERS}
    return {
        "count": len(held),
        "kinds": {kind: sum(a.kind == kind for a in held) for kind in ACTIVITY_KINDS},
        "participants": {"total": sum(by_gender.values()), **by_gender},
        "organisations": {
            name: sum((a.organisations or {}).get(name, 0) for a in held) for name in ORGANISATIONS
        },
        "places": places,
        "places_used_percent": None if places == 0 else (200 * taken + places) // (2 * places),
    }


def expected_flows(
    year: RealisticYear, first: date, last: date, insats_id: str | None = None
) -> list[dict]:
    """The moves of the period (by the day of the move) from one insats to another, by
    column, ordered by the insatser's ids: the whole förbund's, or those into the insats."""
    moves = [
        c
        for c in counted(year)
        if c.moved_from is not None
        and c.start is not None
        and first <= c.start <= last
        and insats_id in (None, c.insats_id)
    ]
    pairs = sorted({(c.moved_from, c.insats_id) for c in moves})
    return [
        {
            "from": from_insats,
            "to": to_insats,
            **_columns(
                c.gender for c in moves if (c.moved_from, c.insats_id) == (from_insats, to_insats)
            ),
        }
        for from_insats, to_insats in pairs
    ]


def expected_people(
    year: RealisticYear, first: date, last: date, insats_id: str | None = None
) -> dict[str, int]:
    """The participants of the period counted once each, by the key each of their
    registrations shares, however many insatser they were in."""
    people = {
        c.person: c.gender
        for c in counted(year)
        if insats_id in (None, c.insats_id)
        and c.start <= last
        and (c.end is None or c.end >= first)
    }
    return _columns(people.values())


def _half_up(numerator: int, denominator: int) -> int | None:
    """numerator ÷ denominator in whole units, halves up, in integers; None dividing by 0."""
    return None if denominator == 0 else (2 * numerator + denominator) // (2 * denominator)


def expected_economy(
    year: RealisticYear, first: date, last: date, insats_id: str | None = None
) -> dict[str, int | None]:
    """The period's economy of the insats (None: the whole förbund, with the share of its
    costs spent on insatser of individuals)."""
    insatser = [i for i in INSATSER if insats_id in (None, i.insats_id)]
    months = _months(first, last)
    costs = {i.insats_id: sum(year.money.cost(i.insats_id, m) for m in months) for i in insatser}
    budgets = [
        year.money.budgets[(i.insats_id, first.year)].amount
        for i in insatser
        if (i.insats_id, first.year) in year.money.budgets
    ]
    budget = sum(budgets) if budgets else None
    total = sum(costs.values())
    # Costs of an insats without a budget are not measured against the others' budgets.
    unbudgeted = any(
        costs[i.insats_id] and (i.insats_id, first.year) not in year.money.budgets for i in insatser
    )
    figures = expected_figures(year, first, last, insats_id)
    economy = {
        "budget": budget,
        "costs": total,
        "budget_used_percent": (
            None if budget is None or unbudgeted else _half_up(100 * total, budget)
        ),
        "cost_per_participant": _half_up(total, figures["participants"]["total"]),
        "cost_per_ended": _half_up(total, figures["ended"]["total"]),
    }
    if insats_id is None:
        individual = sum(costs[i.insats_id] for i in insatser if i.registration == "individ")
        economy["individual_share_percent"] = _half_up(100 * individual, total)
    return economy


def _reason_counts(
    year: RealisticYear, first: date, last: date, insats_id: str
) -> dict[str, dict[str, int]]:
    ended = [
        c
        for c in counted(year)
        if c.insats_id == insats_id and c.end is not None and first <= c.end <= last
    ]
    return {
        reason: _columns(c.gender for c in ended if c.reason == reason)
        for reason in {c.reason for c in ended if c.reason}
    }


def _share(year: RealisticYear, first: date, last: date, insats_id: str, goal: dict) -> int | None:
    column = goal.get("gender", "total")
    figures = expected_figures(year, first, last, insats_id)
    ended = figures["ended"][column]
    if goal["share"].startswith("reason:"):
        reason = goal["share"].removeprefix("reason:")
        part = _reason_counts(year, first, last, insats_id).get(reason, {}).get(column, 0)
    else:
        part = figures[goal["share"]][column]
    return _half_up(100 * part, ended)


def expected_goals(
    year: RealisticYear, first: date, last: date, insats_id: str | None = None
) -> list[dict]:
    """The goals of the insat (None: of every insats, by id, each with its `insats`), each
    with its outcome and whether it was met (None: of nobody)."""
    results = []
    for insats in sorted(year.goals) if insats_id is None else [insats_id]:
        for goal in year.goals.get(insats, []):
            column = goal.get("gender", "total")
            if "figure" in goal:
                outcome = expected_figures(year, first, last, insats)[goal["figure"]][column]
                met = outcome >= goal["at_least"]
            else:
                outcome = _share(year, first, last, insats, goal)
                if outcome is None:
                    met = None
                elif "at_least_percent" in goal:
                    met = outcome >= goal["at_least_percent"]
                else:
                    before = _share(
                        year,
                        first.replace(year=first.year - 1),
                        last.replace(year=last.year - 1),
                        insats,
                        goal,
                    )
                    met = None if before is None else outcome > before
            where = {} if insats_id is not None else {"insats": insats}
            results.append(where | goal | {"outcome": outcome, "met": met})
    return results


def first_registration_year(year: RealisticYear, insats_id: str | None = None) -> int:
    """The year of the insats's (None: the förbund's) first start, volume or activity
    registered."""
    starts = [c.start for c in counted(year) if insats_id in (None, c.insats_id)]
    volumes = [v.day for v in year.volumes if insats_id in (None, VOLUME_INSATS.insats_id)]
    held = [a.day for a in year.activities if insats_id in (None, STRUCTURAL_INSATS.insats_id)]
    return min(starts + volumes + held).year
