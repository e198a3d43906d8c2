"""The förbund's targets for an insats ("40 % till arbete eller studier", "70 % mår bättre")
and whether the outcome met them."""

from collections.abc import Mapping

from services.reporting.domain import contributions as c
from services.reporting.domain.document import Section, Target
from shared.contract.codes import OutcomeClass

TARGET_SHARES = (
    c.exits(OutcomeClass.POSITIVE),
    c.DIRECT,
    c.HEALTH_BETTER,
    c.ACTIVITY_INCREASED,
)
"""The shares a target can be set on: each is better the higher it is, so "met" is
outcome ≥ target."""


def target_results(targets: Mapping[str, int], section: Section) -> list[Target]:
    """Each target beside the period's outcome (the share over all genders); `met` is None
    where the share is of nobody."""
    results = []
    for share in TARGET_SHARES:
        if share not in targets:
            continue
        outcome = section.share(share).total
        met = None if outcome is None else outcome >= targets[share]
        results.append(Target(share=share, target=targets[share], outcome=outcome, met=met))
    return results
