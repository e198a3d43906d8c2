"""Swedish words for a report: figure, breakdown and code labels, periods, and how a value is
written ("117 (97)", "34,2", "–"). Pure data and formatting, for the pages and the exports."""

from collections.abc import Mapping
from datetime import date, datetime

from services.reporting.domain.breakdowns import UNKNOWN
from services.reporting.domain.charts import ChartLabels
from services.reporting.domain.reports import SHARES
from services.reporting.domain.suppression import HIDDEN
from shared.contract.swedish_time import LOCAL_TIME
from shared.web import code_labels

COLUMNS = {"total": "Totalt", "kvinna": "Kvinnor", "man": "Män", "annan": "Annat"}

FIGURES = {
    "participants": "Deltagare under perioden",
    "opening": "Ingående (pågående vid periodens början)",
    "new": "Nya",
    "ended": "Avslutade",
    "ongoing_at_end": "Pågående vid periodens slut",
    "positive_exits": "Positiva avslut",
    "unclear_exits": "Otydlig stegförflyttning",
    "other_exits": "Övriga avslut",
    "direct_to_work_or_studies": "Direkt till arbete/studier/arbetssökande",
    "health_better": "Mår bättre",
    "health_answered": "Svarat på frågan om mående",
    "activity_increased": "Utökat tid i aktivitet",
    "activity_answered": "Svarat på frågan om tid i aktivitet",
    "work_capacity_narmat": "Arbetsförmåga: närmat sig",
    "work_capacity_lika": "Arbetsförmåga: står lika långt",
    "work_capacity_langre_bort": "Arbetsförmåga: längre bort",
    "mean_weeks_in_insats": "Genomsnittlig tid i insatsen (veckor)",
    "vas_mean_at_start": "Livssituation vid start (VAS, medel, 1–100)",
    "vas_mean_at_end": "Livssituation vid avslut (VAS, medel, 1–100)",
    "respect_mean": "Bemött med respekt (medel, 1–6)",
    "volume_participants": "Deltagare i volyminsatser",
}

SHARE_OF = {
    "ended": "andel av avslutade",
    "health_answered": "andel av dem som svarat",
    "activity_answered": "andel av dem som svarat",
}
"""What a share (`reports.SHARES`) is a percentage of."""

BREAKDOWNS = {
    "reason": "Avslutsanledning",
    "age_band": "Ålder vid start",
    "education": "Utbildning",
    "support_at_start": "Försörjning vid start",
    "support_at_end": "Försörjning vid avslut",
    "years_in_support": "Tid i offentlig försörjning före start",
    "weeks_in_insats_band": "Tid i insatsen",
    "referrer": "Remittent",
    "municipality": "Kommun",
}

UNKNOWN_LABEL = "Uppgift saknas"
"""The label of `okand`, under which every breakdown counts an unanswered field."""

CODES: dict[str, dict[str, str]] = {
    "reason": code_labels.REASON,
    "education": code_labels.EDUCATION,
    "referrer": code_labels.REFERRER,
    "support_at_start": code_labels.SUPPORT,
    "support_at_end": code_labels.SUPPORT,
}

BAND_UNITS = {"age_band": "år", "years_in_support": "år", "weeks_in_insats_band": "månader"}
"""Breakdowns whose codes are bands such as `25-29` or `13+`, and their unit (the
`weeks_in_insats_band` bands count whole months, as in the förbund's templates)."""

MULTI_VALUED_NOTE = "En deltagare med flera försörjningar räknas en gång per försörjning."
"""Under the breakdowns that may sum to more than `ended` (`breakdowns.MULTI_VALUED`)."""

STEP_METRICS = {
    "participants": "Deltagare med mätning",
    "improved": "Förbättrat sig",
    "mean_change": "Genomsnittlig förändring",
}
STEP_MEASURES = {
    "activity_hours": "Tid i aktivitet (timmar per vecka)",
    "vas": "Skattad livssituation (VAS, 1–100)",
}
INDICATOR_PREFIX = "indicator:"

MONTHS = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)

TARGET_MET = {True: "✓ Uppnått", False: "✗ Ej uppnått", None: "– Ingen avslutad"}
"""Whether an outcome met its target, in words and not only by a colour."""

DASH = "–"
"""What an empty value (a mean of nobody, a share of nobody) is written as."""


def figure_label(name: str) -> str:
    return FIGURES.get(name, name)


def share_label(name: str) -> str:
    return f"{figure_label(name)}, {SHARE_OF[SHARES[name]]}"


def code_label(breakdown: str, code: str) -> str:
    if code == UNKNOWN:
        return UNKNOWN_LABEL
    unit = BAND_UNITS.get(breakdown)
    if unit is not None:
        if code.endswith("+"):
            return f"{code[:-1]} {unit} eller mer"
        return f"{code.replace('-', '–')} {unit}"
    # Municipalities are free text and listed as given.
    return CODES.get(breakdown, {}).get(code, code)


def breakdown_caption(name: str) -> str:
    return f"Avslutade efter {BREAKDOWNS.get(name, name).lower()}"


def step_measure_label(measure: str) -> str:
    if measure.startswith(INDICATOR_PREFIX):
        return f"Indikator: {measure.removeprefix(INDICATOR_PREFIX)}"
    return STEP_MEASURES.get(measure, measure)


def number(value: int | float | None, hidden: bool = False) -> str:
    """A count as is, a mean with one decimal and a decimal comma, nothing as a dash, a
    value hidden for publishing as `..`."""
    if hidden:
        return HIDDEN
    if value is None:
        return DASH
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",").replace("-", "−")
    return str(value)


def cell(
    value: int | float | None,
    previous: int | float | None,
    hidden: tuple[bool, bool] = (False, False),
) -> str:
    """This period's value beside last year's, as the förbund's reports write it: `117 (97)`
    (`hidden`: whether each is hidden for publishing)."""
    return f"{number(value, hidden[0])} ({number(previous, hidden[1])})"


def percent(value: int | None, hidden: bool = False) -> str:
    """A report's share (a whole percentage), or a dash when it is a share of nobody."""
    if hidden:
        return HIDDEN
    return DASH if value is None else f"{value}\u00a0%"  # no line break before %


def target_state(met: bool | None) -> str:
    return {True: "met", False: "missed", None: "none"}[met]


def restated_title(closing: Mapping, other: object) -> str:
    """What a value marked as changed since closing was (or, as closed, is now)."""
    shown = other if isinstance(other, str) else number(other)
    return f"Nu: {shown}" if closing["as_closed"] else f"Vid stängningen: {shown}"


def _day(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]}"


def period_title(period: Mapping[str, str]) -> str:
    """`Helår 2025`, `Delår 2025 (1 januari–31 augusti)` or `Juni 2025`, from a report's
    `period`."""
    first, last = date.fromisoformat(period["from"]), date.fromisoformat(period["to"])
    if period["kind"] == "helar":
        return f"Helår {first.year}"
    if period["kind"] == "delar":
        return f"Delår {first.year} ({_day(first)}–{_day(last)})"
    return f"{MONTHS[first.month - 1].capitalize()} {first.year}"


def timestamp(moment: datetime | str) -> str:
    """A moment (or its ISO text) in Swedish time, e.g. `2025-05-01 10:06 CEST`."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment.astimezone(LOCAL_TIME).strftime("%Y-%m-%d %H:%M %Z")


CHARTS = ChartLabels(
    flows_title="Ingående, nya, avslutade och pågående",
    breakdown_title=breakdown_caption,
    figure=figure_label,
    code=code_label,
)
