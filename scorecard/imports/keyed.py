"""What the formats keyed by (``indicador``, ``periodo``) share: reading and checking the key."""

from __future__ import annotations

from planning.resources import normalize
from scorecard.imports.cells import Refused
from scorecard.imports.runner import Importer


class IndicatorPeriodImporter(Importer):
    """Targets and measurements: rows of one of the plan's indicators, at one of its periods.

    ``self.indicators`` maps normalized codes to records with ``code`` and ``periodicity``;
    subclasses fill it (one query) in ``validate`` before checking rows.
    """

    indicators: dict

    def start(self, layout, result) -> None:
        self.layout, self.problems = layout, result.problems
        self.period_codes: dict[tuple, object] = {}

    def problem(self, row, column: str, message: str) -> None:
        """Record a problem of the row's column; returns None, for ``return self.problem(…)``."""
        value = row.values.get(column)
        self.problems.append(self.layout.problem(row.number, column, message, value))

    def repeated(self, row, label: str, earlier: int) -> None:
        """A key seen before is a problem of its later row, naming the earlier one."""
        self.problem(row, "indicador", f"{label} está repetido: ya aparece en la fila {earlier}")

    def indicator_of(self, row):
        """The row's indicator record, or None (blank, unknown or unreadable)."""
        code = row.values.get("indicador")
        if "indicador" in row.failed:
            return None
        if code is None:
            return self.problem(row, "indicador", "falta el indicador")
        indicator = self.indicators.get(normalize(code))
        if indicator is None:
            message = f"no existe el indicador «{code}» en el plan {self.plan.code}"
            return self.problem(row, "indicador", message)
        return indicator

    def period_of(self, row, indicator) -> str | None:
        """The row's period code when it is one of the indicator's periods, else None."""
        period = row.values.get("periodo")
        if "periodo" in row.failed:
            return None
        if period is None:
            return self.problem(row, "periodo", "falta el periodo")
        # A file repeats a few dozen periods: each is checked once per periodicity.
        known = self.period_codes
        periodicity = indicator.periodicity if indicator is not None else None
        code = known.get((period, periodicity))
        if code is None:
            code = known[period, periodicity] = self._period_code(period, periodicity)
        if type(code) is str:
            return code
        return self.problem(row, "periodo", code.message)

    def _period_code(self, period, periodicity):
        """The period's code, or a refusal when it is not one of the indicator's periods."""
        plan = self.plan
        if periodicity is None or (
            period.periodicity == periodicity and plan.start_year <= period.year <= plan.end_year
        ):
            return period.code
        return Refused(
            f"el periodo {period.code} no corresponde a un indicador {periodicity} "
            f"del plan {plan.start_year}–{plan.end_year}"
        )
