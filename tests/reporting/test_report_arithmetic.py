"""The report's arithmetic done in whole numbers gives what exact fractions give, and the
trend's years open with every year before them."""

import math
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from services.reporting.domain import contributions as c
from services.reporting.domain.reports import _mean, percent
from services.reporting.domain.series import YearRow, helar_sums

# Counts and sums as the monthly rows hold them (whole numbers as floats), and other floats
# (not so near 0 that the mean is too large for a float: then both ways fail alike).
whole = st.integers(-100_000, 100_000).map(float)
values = st.one_of(
    whole, st.floats(-1e6, 1e6).filter(lambda value: value == 0 or abs(value) > 1e-6)
)


def _mean_by_fractions(total: float, count: float, divisor: int) -> float | None:
    if count == 0:
        return None
    value = Fraction(total) / (Fraction(count) * divisor)
    tenths = math.floor(abs(value) * 10 + Fraction(1, 2))
    return float(Fraction(tenths if value >= 0 else -tenths, 10))


@given(values, values, st.sampled_from([1, 7, c.STEP_SCALE]))
def test_a_mean_is_the_exact_fractions_rounded_half_up(total, count, divisor) -> None:
    assert _mean(total, count, divisor) == _mean_by_fractions(total, count, divisor)


@given(whole, whole.filter(lambda value: value != 0))
def test_a_share_is_the_exact_percentage_rounded_half_up(part, of) -> None:
    exact = Fraction(100 * round(part), round(of)) + Fraction(1, 2)
    assert percent(part, of) == math.floor(exact)


def test_each_helar_opens_with_the_years_before_it() -> None:
    rows = [
        YearRow(2021, "kvinna", c.NEW, 3),
        YearRow(2021, "kvinna", c.ENDED, 1),
        YearRow(2023, "kvinna", c.NEW, 2),
        YearRow(2023, "man", c.ENDED, 1),
        YearRow(2023, "kvinna", c.HEALTH_BETTER, 1),
    ]
    in_2022, in_2023, in_2024 = helar_sums(rows, range(2022, 2025))
    assert in_2022.before[c.NEW] == {"kvinna": 3} and in_2022.before[c.ENDED] == {"kvinna": 1}
    assert in_2022.of(c.NEW) == {}
    assert in_2023.before == in_2022.before
    assert in_2023.of(c.NEW) == {"kvinna": 2} and in_2023.of(c.HEALTH_BETTER) == {"kvinna": 1}
    assert in_2024.before[c.NEW] == {"kvinna": 5}
    assert in_2024.before[c.ENDED] == {"kvinna": 1, "man": 1}
