"""Swedish words for a report: figure, breakdown and code labels, periods, and how a value is
written ("117 (97)", "34,2", "–"). Pure data and formatting, for the pages and the exports."""

from datetime import date, datetime

from services.reporting.domain import breakdowns, figures
from services.reporting.domain.breakdowns import UNKNOWN
from services.reporting.domain.charts import ChartLabels
from services.reporting.domain.document import ClosingModel, ReportPeriod
from services.reporting.domain.figures import COLUMNS as report_columns
from services.reporting.domain.months import Month, quarter_months
from services.reporting.domain.suppression import HIDDEN
from shared.contract.kommuner import KOMMUNER
from shared.contract.swedish_time import LOCAL_TIME
from shared.web import code_labels

COLUMNS = dict(zip(report_columns, ("Totalt", "Kvinnor", "Män", "Annat"), strict=True))
"""The report's columns (`figures.COLUMNS`) as the pages and the XLSX head them."""

FIGURES = {name: figure.label for name, figure in figures.FIGURES.items()}
BREAKDOWNS = {name: breakdown.label for name, breakdown in breakdowns.BREAKDOWNS.items()}

UNKNOWN_LABEL = "Uppgift saknas"
"""The label of `okand`, under which every breakdown counts an unanswered field."""

CODES: dict[str, dict[str, str]] = {
    breakdowns.REASON: code_labels.REASON,
    breakdowns.EDUCATION: code_labels.EDUCATION,
    breakdowns.REFERRER: code_labels.REFERRER,
    breakdowns.SUPPORT_AT_START: code_labels.SUPPORT,
    breakdowns.SUPPORT_AT_END: code_labels.SUPPORT,
    breakdowns.MUNICIPALITY: KOMMUNER,
}
"""The labels of the breakdowns whose codes are a code list's (band codes are labelled by
their unit)."""

MULTI_VALUED_NOTE = "En deltagare med flera försörjningar räknas en gång per försörjning."
"""Under the breakdowns that may sum to more than `ended` (`breakdowns.MULTI_VALUED`)."""

STEP_METRICS = {name: metric.label for name, metric in figures.STEP_METRICS.items()}
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

ECONOMY = {
    "budget": "Budget (kr)",
    "costs": "Kostnader (kr)",
    "budget_used_percent": "Andel av budgeten",
    "cost_per_participant": "Kostnad per deltagare (kr)",
    "cost_per_ended": "Kostnad per avslutad (kr)",
    "individual_share_percent": "Andel till individinsatser",
}
"""The economy's fields (`document.Economy`), whole kronor or (`…_percent`) percent."""
FORBUND = "Hela förbundet"
OVERVIEW = "Översikt"
"""The överblick's sheet, first in the whole förbund's XLSX."""
OVERVIEW_PAGE = "Överblick"
OVERVIEW_INSATS = "Insats"
REGISTRATION = code_labels.REGISTRATION
OVERVIEW_GOALS = ("Mål uppnådda", "Mål ej uppnådda", "Mål totalt")
"""The överblick's goal columns: `document.GoalsMet`'s met, not_met and count."""

DASH = "–"
"""What an empty value (a mean of nobody, a share of nobody) is written as."""


def figure_label(name: str) -> str:
    return FIGURES.get(name, name)


def share_label(name: str) -> str:
    whole = figures.FIGURES[figures.SHARES[name]]
    return f"{figure_label(name)}, {whole.share_phrase}"


def code_label(breakdown: str, code: str) -> str:
    if code == UNKNOWN:
        return UNKNOWN_LABEL
    known = breakdowns.BREAKDOWNS.get(breakdown)
    unit = known and known.band_unit
    if unit is not None:
        # The open last band: `13-` as configured, `13+` as the v1 bands write it.
        if code.endswith(("-", "+")):
            return f"{code[:-1]} {unit} eller mer"
        return f"{code.replace('-', '–')} {unit}"
    return CODES.get(breakdown, {}).get(code, code)


BASES = {
    "ended": "de som avslutades under perioden",
    "participants": "alla deltagare under perioden",
    "new": "de som började under perioden, som de började",
    "ongoing_at_end": "de som var kvar i insatsen vid periodens slut",
}
"""Whom a report's breakdowns count (`bases.Base`), as the page and the XLSX say it."""
EXITS_NOTE = (
    "Avslutsanledning, försörjning vid avslut och tid i insatsen räknas för dem som avslutades "
    "under perioden; övriga under Uppgift saknas."
)
"""Under the breakdowns of a base that is not only those ended."""


BAND_FIELDS = {
    breakdown.parameter or name: f"{breakdown.label}: gränser ({breakdown.band_unit})"
    for name, breakdown in breakdowns.BANDED.items()
}
"""The page's fields for the bands' lower edges, by query parameter."""
BANDS_ERROR = "Ange gränserna som heltal i stigande ordning med komma emellan, t.ex. 16,21,26,30."


def base_line(base: str) -> str:
    return f"Fördelningarna räknar {BASES[base]}."


def breakdown_caption(name: str, base: str) -> str:
    """E.g. "Avslutade efter ålder vid start": the base (whom it counts, a figure) first."""
    return f"{figure_label(base)} efter {BREAKDOWNS.get(name, name).lower()}"


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


def breakable(heading: str) -> str:
    """A column's heading that may wrap after a slash (to a browser `arbete/studier` is one
    word, as wide as a narrow column's heading must not be)."""
    return heading.replace("/", "/\u200b")


def kronor(amount: int | None) -> str:
    """Whole kronor with a space between thousands (`1 250 000`), nothing as a dash."""
    return DASH if amount is None else f"{amount:,}".replace(",", "\u00a0")


def goals_met(met: int, not_met: int, count: int) -> str:
    """`✓ 2 ✗ 1 av 3`: an överblick row's targets and goals met and not (a dash: none set)."""
    return DASH if count == 0 else f"✓\u00a0{met} ✗\u00a0{not_met} av {count}"


def target_state(met: bool | None) -> str:
    return {True: "met", False: "missed", None: "none"}[met]


def restated_title(closing: ClosingModel, other: int | float | str | None) -> str:
    """What a value marked as changed since closing was (or, as closed, is now)."""
    shown = other if isinstance(other, str) else number(other)
    return f"Nu: {shown}" if closing.as_closed else f"Vid stängningen: {shown}"


def _day(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]}"


def quarter_label(quarter: int) -> str:
    """`Kvartal 1 (jan–mar)`: a quarter (1–4) as the period selector lists it."""
    first, last = quarter_months(quarter)
    return f"Kvartal {quarter} ({MONTHS[first - 1][:3]}–{MONTHS[last - 1][:3]})"


def period_title(period: ReportPeriod) -> str:
    """`Helår 2025`, `Delår 2025 (1 januari–31 augusti)`, `Kvartal 2 2025 (april–juni)` or
    `Juni 2025`, from a report's `period`."""
    first, last = period.from_, period.to
    if period.kind == "helar":
        return f"Helår {first.year}"
    if period.kind == "delar":
        return f"Delår {first.year} ({_day(first)}–{_day(last)})"
    if period.kind == "quarter":
        months = f"{MONTHS[first.month - 1]}–{MONTHS[last.month - 1]}"
        return f"Kvartal {Month.of(first).quarter} {first.year} ({months})"
    return f"{MONTHS[first.month - 1].capitalize()} {first.year}"


def timestamp(moment: datetime | str) -> str:
    """A moment (or its ISO text) in Swedish time, e.g. `2025-05-01 10:06 CEST`."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment.astimezone(LOCAL_TIME).strftime("%Y-%m-%d %H:%M %Z")


def charts(base: str) -> ChartLabels:
    """The charts' labels of a report whose breakdowns count `base`."""
    return ChartLabels(
        flows_title="Ingående, nya, avslutade och pågående",
        breakdown_title=lambda name: breakdown_caption(name, base),
        figure=figure_label,
        code=code_label,
    )
