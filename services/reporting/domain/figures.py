"""Every figure of a report, declared once: its name, its kind (a count, or a mean of two
summed figures), what it is also reported as a share of, the sums it is a part of (which
small-count suppression keeps from giving a hidden cell away), its Swedish label. The report
builder, suppression, the page, the charts, the CSV and the XLSX all read it from here.

A new count figure: its contribution rule (`contributions.py`) and an entry in `FIGURES`.
"""

from dataclasses import dataclass
from enum import StrEnum

from services.reporting.domain import contributions as c
from shared.contract.codes import GENDERS, OutcomeClass, WorkCapacity


class Kind(StrEnum):
    COUNT = "count"
    """A whole number of people."""
    MEAN = "mean"
    """To one decimal; None when there is nobody to average."""
    SHARE = "share"
    """A whole percentage of another count; None when that is 0."""


NUMBER_FORMATS = {Kind.COUNT: "0", Kind.MEAN: "0.0", Kind.SHARE: "0%"}
"""How the XLSX writes each kind (a share's cell holds a fraction)."""

TOTAL = "total"
GENDER_CODES = tuple(gender.value for gender in GENDERS)
"""As plain strings: a report looks them up thousands of times, and an enum member's
hash and `.value` cost several times a string's."""
COLUMNS = (TOTAL, *GENDER_CODES)
"""The columns of every row of a report: all genders, then each."""

PARTICIPANTS = "participants"
OPENING = "opening"
ONGOING_AT_END = "ongoing_at_end"
OPENING_STOCK = (c.NEW, c.ENDED)
"""The figures the opening stock is worked out from (`reports.stock`): those new and those
ended in every month before the period."""


@dataclass(frozen=True)
class Mean:
    """Sum figure / (count figure × divisor), both summed over the period."""

    sum_of: str
    count_of: str
    divisor: int = 1


@dataclass(frozen=True)
class Figure:
    name: str
    label: str
    mean: Mean | None = None
    """A mean (of the ended, or of those of them who answered); else a count."""
    share_of: str | None = None
    """Also reported as a whole percentage of this figure (an outcome measure)."""
    share_phrase: str | None = None
    """For a figure others are shares of: what the share's label calls it."""
    sums: tuple[str, ...] = ()
    """The names of the `SUMS` it is a part of."""
    flow: bool = False
    """Drawn in the page's chart of the period's flows."""

    @property
    def kind(self) -> Kind:
        return Kind.COUNT if self.mean is None else Kind.MEAN


SUMS = {"in": PARTICIPANTS, "out": PARTICIPANTS, "exits": c.ENDED}
"""Sums by name: the figure that is the total of the figures declaring the name. (Each
single-valued breakdown's codes sum to the report's base too, `ended` unless asked:
`bases.py`.)"""

FIGURES: dict[str, Figure] = {
    figure.name: figure
    for figure in (
        Figure(PARTICIPANTS, "Deltagare under perioden"),
        Figure(OPENING, "Ingående (pågående vid periodens början)", sums=("in",), flow=True),
        Figure(c.NEW, "Nya", sums=("in",), flow=True),
        Figure(c.ENDED, "Avslutade", sums=("out",), flow=True, share_phrase="andel av avslutade"),
        Figure(ONGOING_AT_END, "Pågående vid periodens slut", sums=("out",), flow=True),
        Figure(
            c.exits(OutcomeClass.POSITIVE), "Positiva avslut", share_of=c.ENDED, sums=("exits",)
        ),
        Figure(
            c.exits(OutcomeClass.UNCLEAR),
            "Otydlig stegförflyttning",
            share_of=c.ENDED,
            sums=("exits",),
        ),
        Figure(c.exits(OutcomeClass.OTHER), "Övriga avslut", share_of=c.ENDED, sums=("exits",)),
        Figure(c.DIRECT, "Direkt till arbete/studier/arbetssökande", share_of=c.ENDED),
        Figure(c.HEALTH_BETTER, "Mår bättre", share_of=c.HEALTH_ANSWERED),
        Figure(
            c.HEALTH_ANSWERED,
            "Svarat på frågan om mående",
            share_phrase="andel av dem som svarat",
        ),
        Figure(c.ACTIVITY_INCREASED, "Utökat tid i aktivitet", share_of=c.ACTIVITY_ANSWERED),
        Figure(
            c.ACTIVITY_ANSWERED,
            "Svarat på frågan om tid i aktivitet",
            share_phrase="andel av dem som svarat",
        ),
        Figure(c.work_capacity(WorkCapacity.NARMAT), "Arbetsförmåga: närmat sig"),
        Figure(c.work_capacity(WorkCapacity.LIKA), "Arbetsförmåga: står lika långt"),
        Figure(c.work_capacity(WorkCapacity.LANGRE_BORT), "Arbetsförmåga: längre bort"),
        Figure(
            "mean_weeks_in_insats",
            "Genomsnittlig tid i insatsen (veckor)",
            mean=Mean(c.DAYS_IN_INSATS, c.ENDED, 7),
        ),
        Figure(
            "vas_mean_at_start",
            "Livssituation vid start (VAS, medel, 1–100)",
            mean=Mean(c.VAS_START_SUM, c.VAS_START_N),
        ),
        Figure(
            "vas_mean_at_end",
            "Livssituation vid avslut (VAS, medel, 1–100)",
            mean=Mean(c.VAS_END_SUM, c.VAS_END_N),
        ),
        Figure(
            "respect_mean", "Bemött med respekt (medel, 1–6)", mean=Mean(c.RESPECT_SUM, c.RESPECT_N)
        ),
        Figure(c.VOLUME_PARTICIPANTS, "Deltagare i volyminsatser"),
    )
}
"""Every figure of a report, in report order."""

MEANS = {name: figure.mean for name, figure in FIGURES.items() if figure.mean is not None}
SHARES = {name: figure.share_of for name, figure in FIGURES.items() if figure.share_of}
"""Figure → the figure it is also reported as a share of, in report order."""


def sum_parts(name: str) -> tuple[str, ...]:
    """The figures that sum to the total of the sum `name`."""
    return tuple(figure.name for figure in FIGURES.values() if name in figure.sums)


@dataclass(frozen=True)
class StepMetric:
    name: str
    label: str
    kind: Kind


STEP_PARTICIPANTS, STEP_IMPROVED, STEP_MEAN_CHANGE = "participants", "improved", "mean_change"
STEP_METRICS: dict[str, StepMetric] = {
    metric.name: metric
    for metric in (
        StepMetric(STEP_PARTICIPANTS, "Deltagare med mätning", Kind.COUNT),
        StepMetric(STEP_IMPROVED, "Förbättrat sig", Kind.COUNT),
        StepMetric(STEP_MEAN_CHANGE, "Genomsnittlig förändring", Kind.MEAN),
    )
}
"""What a report gives of each step measure, in report order."""


@dataclass(frozen=True)
class FollowupMetric:
    name: str
    label: str
    counted_as: str | None = None
    """The cells it is the sum of (`contributions`); None: a share."""
    share: tuple[str, str] | None = None
    """A share's part and whole (metric names)."""

    @property
    def kind(self) -> Kind:
        return Kind.COUNT if self.share is None else Kind.SHARE


FOLLOWUP = "followup"
"""The report's section of the follow-ups after the stop, by months after."""
FOLLOWUP_DUE, FOLLOWUP_REACHED = "due", "reached"
FOLLOWUP_METRICS: dict[str, FollowupMetric] = {
    metric.name: metric
    for metric in (
        FollowupMetric(FOLLOWUP_DUE, "Att följa upp (avslut som följs upp nu)", c.FOLLOWUP_DUE),
        FollowupMetric(FOLLOWUP_REACHED, "Nådda vid uppföljningen", c.FOLLOWUP_REACHED),
        FollowupMetric(
            "reached_percent",
            "Svarsfrekvens (nådda av dem att följa upp)",
            share=(FOLLOWUP_REACHED, FOLLOWUP_DUE),
        ),
        FollowupMetric("work_or_studies", "I arbete eller studier", c.FOLLOWUP_WORK_OR_STUDIES),
        FollowupMetric("positive", "Positivt utfall (som positiva avslut)", c.FOLLOWUP_POSITIVE),
    )
}
"""What a report gives of each follow-up (by months after the stop), in report order:
counted in the period where it falls due (the stop date plus the months)."""


def kind_of(path: tuple[str, ...]) -> Kind:
    """The kind of the row at `path` in a report's section (`suppression.Path`)."""
    section, name, *rest = path
    if section == "shares":
        return Kind.SHARE
    if section == "figures":
        return FIGURES[name].kind
    if section == "step_movement":
        return STEP_METRICS[rest[0]].kind
    if section == FOLLOWUP:
        return FOLLOWUP_METRICS[rest[0]].kind
    return Kind.COUNT
