"""A calendar month, as reports count by: parsed from and written as `YYYY-MM` (the form the
monthly figures are stored under), ordered in time."""

import calendar
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Self

_TEXT = re.compile(r"(\d{4})-(\d{2})")
MONTHS_A_QUARTER = 3


@dataclass(frozen=True, order=True)
class Month:
    year: int
    number: int
    """1 (January) to 12."""

    def __post_init__(self) -> None:
        if not 1 <= self.number <= 12:
            raise ValueError(f"no month {self.number}")

    @classmethod
    def parse(cls, text: str) -> Self:
        """`2026-03`; raises ValueError for anything else."""
        match = _TEXT.fullmatch(text)
        if match is None:
            raise ValueError(f"not a month YYYY-MM: {text!r}")
        return cls(int(match[1]), int(match[2]))

    @classmethod
    def of(cls, day: date) -> Self:
        return cls(day.year, day.month)

    @property
    def quarter(self) -> int:
        """The calendar quarter (1–4) it is in."""
        return (self.number - 1) // MONTHS_A_QUARTER + 1

    @property
    def first_day(self) -> date:
        return date(self.year, self.number, 1)

    @property
    def last_day(self) -> date:
        return date(self.year, self.number, calendar.monthrange(self.year, self.number)[1])

    def next(self) -> "Month":
        return Month(self.year + self.number // 12, self.number % 12 + 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.number:02d}"


def quarter_months(quarter: int) -> tuple[int, int]:
    """The numbers (1–12) of the first and last month of the calendar quarter (1–4)."""
    last = quarter * MONTHS_A_QUARTER
    return last - MONTHS_A_QUARTER + 1, last


@lru_cache(maxsize=4096)
def month_of(day: date) -> str:
    """The month of `day` as the monthly figures are stored under it (cached: a consumer
    asks for two or three a change, of a few years' days)."""
    return str(Month.of(day))
