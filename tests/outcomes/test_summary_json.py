"""A participant's summary as stored: what it was is what it loads as, and a summary stored
before it was written compactly (`json.dumps`, spaces after separators) loads the same."""

from services.outcomes.adapters.repositories import _summary, summary_json
from services.outcomes.domain.incremental import NOTHING_YET, Summary

_SUMMARY = Summary(
    41,
    True,
    {
        "activity_hours": (2, ("2024-01-02", 7, -0.0), ("2024-02-01", 41, 12.5)),
        "vas": (1, ("2024-01-02", 7, 30.0), ("2024-01-02", 7, 30.0)),
    },
)


def test_a_summary_loads_as_it_was_stored() -> None:
    assert _summary(summary_json(_SUMMARY)) == _SUMMARY
    assert _summary(summary_json(None)) is None


def test_a_summary_stored_with_spaces_loads_the_same() -> None:
    stored = (
        '[41, true, {"activity_hours": [2, ["2024-01-02", 7, -0.0], ["2024-02-01", 41, 12.5]],'
        ' "vas": [1, ["2024-01-02", 7, 30.0], ["2024-01-02", 7, 30.0]]}]'
    )
    assert _summary(stored) == _SUMMARY


def test_a_summary_is_stored_as_compact_arrays() -> None:
    assert summary_json(_SUMMARY) == (
        '[41,true,{"activity_hours":[2,["2024-01-02",7,-0.0],["2024-02-01",41,12.5]],'
        '"vas":[1,["2024-01-02",7,30.0],["2024-01-02",7,30.0]]}]'
    )


def test_a_summary_without_observations_is_stored_and_loads_the_same() -> None:
    assert summary_json(NOTHING_YET) == "[-1,false,{}]"
    assert _summary(summary_json(NOTHING_YET)) == NOTHING_YET
