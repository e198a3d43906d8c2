"""An insats's economy as boards read it ("budget, utfall och avvikelse", "kostnaden per
individ"): the year's budget, the period's costs (utfall) and what they come to per
participant. Money is whole kronor, integers throughout: every quotient is rounded half-up
on integers, never through a float.

Economy is not a count of people, so suppression leaves it as it is, but for a cost per
person whose count it hides: dividing the costs by it would give the count away.
"""

from collections.abc import Mapping
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from services.reporting.domain import contributions as c
from services.reporting.domain.document import Economy, OverviewRow, Section
from services.reporting.domain.figures import PARTICIPANTS
from services.reporting.domain.reports import percent
from shared.contract.identity import NoIdentityNumber

MAX_KRONOR = 10**12
"""Far above any förbund's budget, and far below what a BIGINT sum could overflow at."""
Kronor = Annotated[int, Field(strict=True, ge=0, le=MAX_KRONOR)]
"""Whole kronor: a JSON integer (a float or a string is refused), never negative."""
PER_PERSON = {"cost_per_participant": PARTICIPANTS, "cost_per_ended": c.ENDED}
"""Each cost per person, and the count figure (its total) it divides the costs by."""
PERCENTS = frozenset({"budget_used_percent", "individual_share_percent"})
"""The economy's whole percentages; the rest are whole kronor."""
MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
"""The month a cost is of: `YYYY-MM`."""
FINANCIER_PATTERN = r"^[a-z0-9_]{1,32}$"
Financier = Annotated[str, StringConstraints(pattern=FINANCIER_PATTERN), NoIdentityNumber]
"""Who pays part of a budget, as a short code (`forbundet`, `esf`): never a person's name."""


class Budget(BaseModel):
    """An insats's budget for a year, and optionally who pays how much of it."""

    # Errors name the field and why, never the input.
    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)

    budget: Kronor
    financiers: dict[Financier, Kronor] = Field(
        default_factory=dict, description="Parts of the budget by who pays; they sum to it"
    )

    @field_validator("financiers")
    @classmethod
    def _sum_to_the_budget(cls, financiers: dict[str, int], info: ValidationInfo) -> dict:
        budget = info.data.get("budget")
        if financiers and budget is not None and sum(financiers.values()) != budget:
            raise ValueError(f"the financiers sum to {sum(financiers.values())}, not {budget}")
        return financiers


class Cost(BaseModel):
    """The utfall of one month of an insats."""

    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)

    amount: Kronor


def divide_half_up(numerator: int, denominator: int) -> int | None:
    """numerator ÷ denominator in whole units, halves up; None when dividing by 0."""
    if denominator == 0:
        return None
    return (2 * numerator + denominator) // (2 * denominator)


def _count(section: Section, name: str) -> int:
    """The section's total of a count figure (0 where it has nobody)."""
    count = section.figure(name).total
    assert isinstance(count, int), name
    return count


def economy(budget: int | None, costs: int, section: Section) -> Economy:
    """The economy of a report's `section`: `costs` beside the year's `budget` (None: none
    set) and per participant and per ended of its figures."""
    return Economy(
        budget=budget,
        costs=costs,
        budget_used_percent=None if budget is None else percent(costs, budget),
        **{name: divide_half_up(costs, _count(section, base)) for name, base in PER_PERSON.items()},
    )


def forbund_economy(
    budgets: Mapping[str, int],
    costs: Mapping[str, int],
    individual: set[str],
    section: Section,
) -> Economy:
    """The whole förbund's economy: its insatser's `budgets` (None when none has one) and
    `costs` summed, and the share of the costs spent on the `individual` insatser (those
    registered `individ`; None when nothing was spent). The share of the budget used is None
    while an insats with costs has no budget: its costs measured against the others' budgets
    would overstate the share."""
    total = sum(costs.values())
    spent_on_individuals = sum(amount for insats, amount in costs.items() if insats in individual)
    unbudgeted = any(amount and insats not in budgets for insats, amount in costs.items())
    summed = economy(sum(budgets.values()) if budgets else None, total, section)
    update: dict[str, int | None] = {
        "individual_share_percent": percent(spent_on_individuals, total)
    }
    if unbudgeted:
        update["budget_used_percent"] = None
    return summed.model_copy(update=update)


def is_hidden_cost(section: Section | OverviewRow, name: str) -> bool:
    """Whether a suppressed section's (or överblick row's) economy value `name` is hidden:
    a cost per person whose count is (the costs are shown, so it would give the count away)."""
    base = PER_PERSON.get(name)
    return base is not None and getattr(section.figures, base).total is None


def hide_costs_per_hidden_count(section: Section) -> None:
    """A published section's costs per person whose count is hidden (`is_hidden_cost`)."""
    if section.economy is None:
        return
    for name in PER_PERSON:
        if is_hidden_cost(section, name):
            setattr(section.economy, name, None)
