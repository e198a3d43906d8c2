"""Reading a report's CSV export back: its economy and goals rows, as the JSON has them."""

from collections.abc import Iterable, Mapping

from services.reporting.domain.document import Report
from services.reporting.domain.economy import is_hidden_cost
from services.reporting.domain.suppression import HIDDEN

COLUMNS = ("total", "kvinna", "man", "annan")
OWN_ROWS = ("economy", "goals")
"""The sections that are no figure's or breakdown's rows."""


def _value(text: str) -> int | str | None:
    if text == "":
        return None
    return text if text == HIDDEN else int(text)


def economy_of(rows: Iterable[Mapping[str, str]]) -> tuple[dict, dict]:
    """The economy rows: this period's values and last year's, by name."""
    economy = [row for row in rows if row["section"] == "economy"]
    return (
        {row["name"]: _value(row["total"]) for row in economy},
        {row["name"]: _value(row["previous_total"]) for row in economy},
    )


def expected_economy(report: Mapping) -> tuple[dict, dict]:
    """The report JSON's economy (and last year's) as `economy_of` reads it back: a cost
    per person a published report hid, `..`."""
    typed = Report.model_validate(report)
    suppressed = "suppression" in report
    return tuple(  # type: ignore[return-value]
        {
            name: HIDDEN if value is None and suppressed and is_hidden_cost(model, name) else value
            for name, value in section["economy"].items()
        }
        for section, model in zip((report, report["previous_year"]), typed.sections())
    )


def goals_of(rows: Iterable[Mapping[str, str]]) -> list[tuple[str, str, str, int | str | None]]:
    """The goal rows: (figure or share, condition, column, outcome), the column the one
    that holds the outcome (its gender's, or `total`)."""
    goals = []
    for row in rows:
        if row["section"] == "goals":
            [(column, outcome)] = [(c, row[c]) for c in COLUMNS if row[c] != ""] or [("total", "")]
            goals.append((row["name"], row["code"], column, _value(outcome)))
    return goals


def expected_goals(report: Mapping) -> list[tuple[str, str, str, int | str | None]]:
    """The report JSON's goals as `goals_of` reads them back."""
    expected = []
    for goal in report.get("goals") or []:
        if "at_least" in goal:
            condition = f"at_least={goal['at_least']}"
        elif "at_least_percent" in goal:
            condition = f"at_least_percent={goal['at_least_percent']}"
        else:
            condition = "higher_than_previous_year"
        if "insats" in goal:
            condition = f"{goal['insats']}/{condition}"
        outcome = goal["outcome"]
        if outcome is None and "suppression" in report:
            outcome = HIDDEN
        name = goal.get("figure") or goal["share"]
        expected.append((name, condition, goal.get("gender", "total"), outcome))
    return expected
