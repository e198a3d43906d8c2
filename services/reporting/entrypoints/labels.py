"""Swedish words for a report: figure, breakdown and code labels, periods, and how a value is
written ("117 (97)", "34,2", "–"). Pure data and formatting, for the pages and the exports."""

from datetime import date, datetime

from services.reporting.domain import breakdowns, figures
from services.reporting.domain.breakdowns import UNKNOWN
from services.reporting.domain.charts import Bar, ChartLabels
from services.reporting.domain.contributions import ENDED
from services.reporting.domain.document import ClosingModel, GoalResult, ReportPeriod
from services.reporting.domain.economy import PERCENTS
from services.reporting.domain.figures import COLUMNS as report_columns
from services.reporting.domain.figures import TOTAL
from services.reporting.domain.goals import REASON_SHARE
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

FOLLOWUP = "Uppföljning efter avslut"
FOLLOWUP_NOTE = (
    "Räknas i den period där uppföljningen infaller (avslutsdatum plus månaderna), för dem "
    "som avslutades; den som gick vidare till en annan insats följs upp där."
)
FOLLOWUP_METRICS = {name: metric.label for name, metric in figures.FOLLOWUP_METRICS.items()}


def followup_caption(months: str) -> str:
    return f"Uppföljning {months} månader efter avslut"


PEOPLE = "Personer under perioden (den som gått vidare räknas en gång)"
FLOWS = "Gått vidare till annan insats"
FLOWS_NOTE = "Deltagare som gått vidare från en insats till en annan under perioden."


def flow_label(from_insats: str, to_insats: str) -> str:
    return f"{from_insats} → {to_insats}"


ACTIVITIES = "Strukturinsatser: aktiviteter"
ACTIVITIES_NOTE = (
    "Utbildningar, nätverk, konferenser och kartläggningar, skilda från deltagarna ovan: "
    "antal närvarande, inte personer som följs, och aldrig dolda."
)
ACTIVITY_ROWS = {
    "count": "Aktiviteter",
    "kinds": "Aktiviteter",
    "participants": "Deltagare i aktiviteterna",
    "organisations": "Deltagare från",
    "places": "Erbjudna platser",
    "places_used_percent": "Nyttjade platser",
}
"""The rows of a report's `activities` (`document.Activities.rows`); those per code name it
after a colon."""
ACTIVITY_CODES = {"kinds": code_labels.ACTIVITY_KIND, "organisations": code_labels.REFERRER}

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

GOAL_MET = {True: "✓ Uppnått", False: "✗ Ej uppnått", None: "Inget underlag"}
"""Whether a goal was met; None: its share is of nobody (this year or, for a trend, the
year before), or its count or share is hidden for publishing."""

ECONOMY = {
    "budget": "Budget (året)",
    "costs": "Kostnader under perioden (utfall)",
    "budget_used_percent": "Andel av budgeten som använts",
    "cost_per_participant": "Kostnad per deltagare",
    "cost_per_ended": "Kostnad per avslutad deltagare",
    "individual_share_percent": "Andel av kostnaderna till individinsatser",
}
"""The economy's rows (`document.Economy`), in report order."""
ECONOMY_PUBLISHED_NOTE = (
    "Ekonomin är inga antal personer och visas som den är, utom kostnaden per person där "
    "antalet den delas med är dolt: den skulle annars avslöja antalet."
)

GENDER_GROUPS = {"kvinna": "kvinnor", "man": "män", "annan": "annan definition av kön"}
"""Whom a goal of one gender is of."""
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


def activity_label(name: str, code: str) -> str:
    label = ACTIVITY_ROWS[name]
    return f"{label}: {ACTIVITY_CODES[name][code]}" if code else label


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
    share: bool = False,
) -> str:
    """This period's value beside last year's, as the förbund's reports write it: `117 (97)`
    (`hidden`: whether each is hidden for publishing; `share`: whole percentages)."""
    if share:
        assert not isinstance(value, float) and not isinstance(previous, float)
        return f"{percent(value, hidden[0])} ({percent(previous, hidden[1])})"
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


def chart_value(value: int | None, percent_scale: bool) -> str:
    """A chart's number: a count, or a whole percentage (`percent_scale`); a dash for a
    share of nobody."""
    if value is None:
        return DASH
    return percent(value) if percent_scale else str(value)


def chart_values(bar: Bar, percent_scale: bool) -> dict[str, str]:
    """A bar's total and each gender's as its chart writes them (`chart_value`), by column:
    one call a bar, the template's calls being what a chart costs."""
    return {
        column: chart_value(bar.total if column == TOTAL else bar.counts[column], percent_scale)
        for column in report_columns
    }


def month_name(month: Month) -> str:
    """`Januari 2026`."""
    return f"{MONTHS[month.number - 1].capitalize()} {month.year}"


def charts(base: str) -> ChartLabels:
    """The charts' labels of a report whose breakdowns count `base`."""
    return ChartLabels(
        flows_title="Ingående, nya, avslutade och pågående",
        breakdown_title=lambda name: breakdown_caption(name, base),
        figure=figure_label,
        code=code_label,
        trend_title=lambda name: f"{figure_label(name)} per år",
        shares_title="Andelar per år (totalt, alla kön)",
        share=lambda name: figure_label(name),
        month_title=lambda name: f"{figure_label(name)}, månad för månad",
        month=month_name,
    )


SERIES_CHARTS = charts(ENDED)
"""The series' charts (of figures, no breakdown)."""


def kronor(value: int | None) -> str:
    """Whole kronor with spaces between the thousands (`1 200 000 kr`), nothing as a dash."""
    if value is None:
        return DASH
    return f"{value:,}\u00a0kr".replace(",", "\u00a0")


def economy_value(name: str, value: int | None, hidden: bool = False) -> str:
    """An economy's value (`ECONOMY`): a whole percentage or whole kronor (`hidden`: hidden
    for publishing)."""
    if hidden:
        return HIDDEN
    return percent(value) if name in PERCENTS else kronor(value)


def _goal_share(share: str) -> str:
    if share.startswith(REASON_SHARE):
        reason = share.removeprefix(REASON_SHARE)
        return f"avslut med anledning {code_labels.REASON[reason].lower()}"
    return figure_label(share).lower()


def goal_text(goal: GoalResult, previous_year: int) -> str:
    """A goal as a board writes it: `Minst 50 nya, kvinnor`, `Minst 30 % avslut med
    anledning arbetsträning/praktik`, `Högre andel positiva avslut än 2025`."""
    among = f" bland {GENDER_GROUPS[goal.gender]}" if goal.gender else ""
    if goal.figure is not None:
        of = f", {GENDER_GROUPS[goal.gender]}" if goal.gender else ""
        return f"Minst {goal.at_least} {figure_label(goal.figure).lower()}{of}"
    assert goal.share is not None
    if goal.higher_than_previous_year:
        return f"Högre andel {_goal_share(goal.share)}{among} än {previous_year}"
    return f"Minst {goal.at_least_percent}\u00a0% {_goal_share(goal.share)}{among}"


def goal_outcome(goal: GoalResult, hidden: bool = False) -> str:
    """The outcome of a goal: its count, or its share (`hidden`: None is hidden)."""
    if goal.outcome is None and hidden:
        return HIDDEN
    return number(goal.outcome) if goal.figure is not None else percent(goal.outcome)
