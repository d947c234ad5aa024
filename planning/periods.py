"""Reporting periods as planners write them: ``2019``, ``2019-S1``, ``2019-T2``, ``2019-03``.

Pure Python, no database. A period is stored as its canonical code; for one indicator all
periods share one periodicity, so the codes of an indicator sort chronologically as text.
"""

from __future__ import annotations

import datetime
import functools
import re
from dataclasses import dataclass

ANNUAL = "anual"
SEMESTRAL = "semestral"
QUARTERLY = "trimestral"
MONTHLY = "mensual"

PERIODICITIES = (MONTHLY, QUARTERLY, SEMESTRAL, ANNUAL)

#: Months covered by one period of each periodicity.
MONTHS_PER_PERIOD = {ANNUAL: 12, SEMESTRAL: 6, QUARTERLY: 3, MONTHLY: 1}

_PATTERNS = (
    (re.compile(r"^(\d{4})$"), ANNUAL),
    (re.compile(r"^(\d{4})-S([12])$"), SEMESTRAL),
    (re.compile(r"^(\d{4})-[TQ]([1-4])$"), QUARTERLY),
    (re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$"), MONTHLY),
)


class InvalidPeriod(ValueError):
    """A text that is not a period in one of the accepted notations."""


@dataclass(frozen=True)
class Period:
    """One reporting period: a year and its n-th semester, quarter or month (n=1 for a year)."""

    year: int
    periodicity: str
    number: int = 1

    def __post_init__(self):
        if self.periodicity not in MONTHS_PER_PERIOD:
            raise InvalidPeriod(f"periodicidad desconocida: {self.periodicity}")
        months = MONTHS_PER_PERIOD[self.periodicity]
        if not 1 <= self.number <= 12 // months:
            raise InvalidPeriod(f"{self.periodicity} {self.number} fuera de rango")
        # A scorecard hashes and orders periods hundreds of thousands of times: both once.
        object.__setattr__(self, "_sort_key", (self.year, self.number * months, months))
        object.__setattr__(self, "_hash", hash((self.year, self.periodicity, self.number)))

    def __hash__(self) -> int:
        return self._hash

    @classmethod
    def parse(cls, text) -> Period:
        """Read a period from a code, a year number or a date (the first of a month).

        Spreadsheet programs retype what people write: ``2019`` may arrive as the number
        2019 (or 2019.0) and ``2019-03`` as a date cell on 1 March 2019.
        """
        if isinstance(text, Period):
            return text
        if isinstance(text, datetime.datetime):
            text = text.date()
        if isinstance(text, datetime.date):
            return cls(text.year, MONTHLY, text.month)
        if isinstance(text, float) and text.is_integer():
            text = int(text)
        if isinstance(text, int) and not isinstance(text, bool):
            text = str(text)
        if not isinstance(text, str):
            raise InvalidPeriod(f"periodo no válido: {text!r}")
        cleaned = text.strip().upper()
        for pattern, periodicity in _PATTERNS:
            match = pattern.match(cleaned)
            if match:
                number = int(match.group(2)) if periodicity != ANNUAL else 1
                return cls(int(match.group(1)), periodicity, number)
        raise InvalidPeriod(f"periodo no válido: {text!r}")

    @property
    def code(self) -> str:
        if self.periodicity == ANNUAL:
            return str(self.year)
        if self.periodicity == SEMESTRAL:
            return f"{self.year}-S{self.number}"
        if self.periodicity == QUARTERLY:
            return f"{self.year}-T{self.number}"
        return f"{self.year}-{self.number:02d}"

    def __str__(self) -> str:
        return self.code

    @property
    def end_month(self) -> int:
        return self.number * MONTHS_PER_PERIOD[self.periodicity]

    @property
    def start_month(self) -> int:
        return self.end_month - MONTHS_PER_PERIOD[self.periodicity] + 1

    @property
    def sort_key(self) -> tuple[int, int, int]:
        """Chronological order across periodicities: by end, then shorter first."""
        return self._sort_key

    def ends_within(self, other: Period) -> bool:
        """True when this period's last month falls inside ``other``."""
        return self.year == other.year and other.start_month <= self.end_month <= other.end_month

    def contains(self, other: Period) -> bool:
        """True when ``other`` lies entirely inside this period."""
        return (
            self.year == other.year
            and self.start_month <= other.start_month
            and other.end_month <= self.end_month
        )


def periods_of_year(year: int, periodicity: str) -> list[Period]:
    """The periods of one year at a periodicity, in order."""
    count = 12 // MONTHS_PER_PERIOD[periodicity]
    return [Period(year, periodicity, n) for n in range(1, count + 1)]


def periods_between(first_year: int, last_year: int, periodicity: str) -> list[Period]:
    """Every period of a periodicity from January of ``first_year`` to December of ``last_year``."""
    return [p for y in range(first_year, last_year + 1) for p in periods_of_year(y, periodicity)]


@functools.lru_cache(maxsize=4096)  # called once per indicator on every scorecard
def evaluation_period(periodicity: str, cutoff: Period) -> Period | None:
    """The indicator's period evaluated at a cut-off, or None when it is not due there.

    It is the last of the indicator's own periods that ends inside the cut-off
    (DOMAIN.md, arithmetic 1): cut-off 2019-T2 gives 2019-S1 for a semestral indicator and
    2019-06 for a monthly one; an annual indicator is not due at 2019-T2.
    """
    candidates = [p for p in periods_of_year(cutoff.year, periodicity) if p.ends_within(cutoff)]
    return candidates[-1] if candidates else None
