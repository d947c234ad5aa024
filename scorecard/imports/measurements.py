"""Import of **mediciones**: reported values per indicator, period and (optionally) GADP.

Three lookups whatever the file's size: the plan's indicators (with which of them the user
may report, decided by ``access.indicators_reportable_by``), the GADP codes, and the values
already stored. Imported values enter as ``reportado``, or ``validado`` with ``validate``
(planning staff). A validated value, and any value of a period inside one planning closed
(``scorecard.workflow.is_closed``), is never created or replaced unless ``overwrite``
(planning staff's explicit choice); a row equal to what is stored is «sin cambios» there too.

A row whose value cells (``valor``, ``numerador``, ``denominador``, ``analisis``: those the
file has) are all blank is *sin datos*: it is skipped and counted as «sin cambios», never an
error and never a write, so that a template downloaded with empty cells to fill
(``scorecard.imports.template``) imports back unchanged. A row that gives ``analisis`` but
no number still lacks its value («falta el valor»).
"""

from __future__ import annotations

from typing import NamedTuple

from django.utils import timezone

from planning import access
from planning.history import CREATED as CREATED_ROW
from planning.history import record_pks, record_rows
from planning.models import Gadp, Indicator
from planning.resources import normalize
from scorecard.imports.bulk import insert_rows, update_rows
from scorecard.imports.keyed import IndicatorPeriodImporter
from scorecard.imports.runner import (
    CREATED,
    UNCHANGED,
    UPDATED,
    ImportRefused,
    Keys,
    history_reason,
)
from scorecard.models import ImportBatch, Measurement
from scorecard.resources import MeasurementResource
from scorecard.workflow import closed_periods, is_closed

VALIDATED = Measurement.Status.VALIDATED
REPORTED = Measurement.Status.REPORTED
NUMBERS = ("valor", "numerador", "denominador")
#: The stored fields a row can change, in the order of ``Stored`` and of the file's columns.
CHANGEABLE = ("valor", "numerador", "denominador", "analisis")
#: The model's columns for ``CHANGEABLE``.
STORED_COLUMNS = ["value", "numerator", "denominator", "analysis"]


class IndicatorInfo(NamedTuple):
    """What a row needs to know about its indicator."""

    pk: int
    code: str
    ratio: bool
    periodicity: str
    by_gadp: bool
    reportable: bool


class Stored(NamedTuple):
    """A value already in the database, as the comparison needs it."""

    pk: int
    value: object
    numerator: object
    denominator: object
    analysis: str
    status: str
    version: int


class MeasurementImporter(IndicatorPeriodImporter):
    """The rules of the **mediciones** format (CONTRACT.md)."""

    kind = ImportBatch.Kind.MEASUREMENTS
    resource_class = MeasurementResource

    def __init__(self, *, plan, user=None, validate=False, overwrite=False):
        super().__init__(plan=plan, user=user)
        self.mark_validated = validate
        self.overwrite = overwrite
        self.creates: list[tuple] = []
        self.updates: list[tuple] = []

    def check_user(self):
        if self.user is None or access.can_validate(self.user):
            return
        if self.mark_validated:
            raise ImportRefused("solo Planificación y los administradores validan valores")
        if self.overwrite:
            raise ImportRefused("solo Planificación y los administradores reemplazan valores")

    def batch_fields(self) -> dict:
        return {"validated": self.mark_validated, "overwrite": self.overwrite}

    # --- the three lookups -------------------------------------------------------------

    def _indicators(self) -> dict[str, IndicatorInfo]:
        plan_indicators = Indicator.objects.filter(plan=self.plan)
        mine = None
        if self.user is not None:
            allowed = access.indicators_reportable_by(self.user, plan_indicators)
            mine = set(allowed.values_list("pk", flat=True))
        fields = ("pk", "code", "calculation", "periodicity", "disaggregated_by_gadp")
        return {
            normalize(code): IndicatorInfo(
                pk, code, calc == Indicator.Calculation.RATIO, per, gadp, mine is None or pk in mine
            )
            for pk, code, calc, per, gadp in plan_indicators.values_list(*fields)
        }

    def _stored(self, lock: bool) -> dict[tuple, Stored]:
        rows = Measurement.objects.filter(indicator__plan=self.plan)
        if lock:  # no lost update between this read and the write (PostgreSQL)
            rows = rows.select_for_update(of=("self",))
        fields = ("indicator_id", "period", "gadp_id", *Stored._fields)
        return {(i, p, g): Stored(*rest) for i, p, g, *rest in rows.values_list(*fields)}

    # --- validation ----------------------------------------------------------------------

    def validate(self, rows, layout, result, lock):
        self.start(layout, result)
        self.indicators = self._indicators()
        self.gadps = dict(Gadp.objects.values_list("code", "pk")) if layout.has("gadp") else {}
        self.stored = self._stored(lock)
        self.closed = closed_periods(self.plan)
        self.closed_codes: dict[str, bool] = {}
        self.value_columns = [name for name in CHANGEABLE if layout.has(name)]
        self.now = timezone.now()
        keys = Keys()
        for row in rows:
            key = self._key(row)
            if key is None:
                continue
            indicator, period, gadp, label = key
            earlier = keys.repeated((indicator.pk, period, gadp), row.number)
            if earlier is not None:
                self.repeated(row, label, earlier)
                continue
            outcome = self._compare(row, key)
            if outcome is not None:
                result.outcomes[row.number] = outcome

    def _key(self, row):
        """(indicator, period, gadp id, label) when the row's key is valid, else None."""
        indicator = self._indicator(row)
        period = self.period_of(row, indicator)
        gadp = self._gadp(row, indicator)
        if indicator is None or period is None or gadp is False:
            return None
        label = f"{indicator.code} {period}" + (f" GADP {row.values['gadp']}" if gadp else "")
        return indicator, period, gadp, label

    def _indicator(self, row) -> IndicatorInfo | None:
        indicator = self.indicator_of(row)
        if indicator is not None and not indicator.reportable:
            message = f"no puede reportar el indicador {indicator.code}: no es de sus unidades"
            return self.problem(row, "indicador", message)
        return indicator

    def _gadp(self, row, indicator: IndicatorInfo | None):
        """The GADP's id, None for the indicator's own value, False for a bad cell."""
        code = row.values.get("gadp")
        if "gadp" in row.failed:
            return False
        if code is None:
            return None
        gadp = self.gadps.get(code)
        if gadp is None:
            self.problem(row, "gadp", f"no existe el GADP «{code}»")
            return False
        if indicator is not None and not indicator.by_gadp:
            self.problem(row, "gadp", f"el indicador {indicator.code} no se desagrega por GADP")
            return False
        return gadp

    def _numbers(self, row, indicator: IndicatorInfo, old: Stored | None):
        """(valor, numerador, denominador) after this row, or None when the row is wrong."""
        if row.failed.intersection(NUMBERS):
            return None
        value, numerator, denominator = (row.values.get(name) for name in NUMBERS)
        if not indicator.ratio:
            for name, given in (("numerador", numerator), ("denominador", denominator)):
                if given is not None:
                    message = f"el indicador {indicator.code} se reporta con valor, no con razón"
                    return self.problem(row, name, message)
            if value is None and (old is None or old.value is None):
                return self.problem(row, "valor", "falta el valor")
            return (old.value if value is None else value), None, None
        if value is not None:
            message = f"el indicador {indicator.code} es una razón: indique numerador y denominador"
            return self.problem(row, "valor", message)
        if (numerator is None) != (denominator is None):
            missing = "numerador" if numerator is None else "denominador"
            return self.problem(row, missing, f"falta el {missing}: una razón necesita los dos")
        if numerator is None:
            if old is None or old.denominator is None:
                return self.problem(row, "numerador", "faltan el numerador y el denominador")
            return None, old.numerator, old.denominator
        if denominator <= 0:
            message = "no puede ser 0" if denominator == 0 else "debe ser mayor que 0"
            message = f"el denominador {message}"
            return self.problem(row, "denominador", message)
        return None, numerator, denominator

    def _without_data(self, row) -> bool:
        """*Sin datos*: the file has value columns and this row leaves them all blank."""
        columns = self.value_columns
        return bool(columns) and all(row.values.get(name) is None for name in columns)

    def _as_stored(self, row, old: Stored) -> bool:
        """Every value cell the row gives equals the stored one (also a draft without value)."""
        stored = (old.value, old.numerator, old.denominator, old.analysis or None)
        given = dict(zip(CHANGEABLE, stored, strict=True))
        return all(row.values.get(name) == given[name] for name in self.value_columns)

    def _closed(self, period: str) -> bool:
        closed = self.closed_codes.get(period)
        if closed is None:
            closed = self.closed_codes[period] = is_closed(self.plan, period, self.closed)
        return closed

    def _compare(self, row, key) -> str | None:
        indicator, period, gadp, label = key
        if row.failed.intersection(CHANGEABLE):
            return None
        if self._without_data(row):
            return UNCHANGED
        old = self.stored.get((indicator.pk, period, gadp))
        if old is not None and not self.mark_validated and self._as_stored(row, old):
            return UNCHANGED
        numbers = self._numbers(row, indicator, old)
        if numbers is None or "analisis" in row.failed:
            return None
        if "analisis" in row.values:
            analysis = row.values["analisis"] or ""
        else:
            analysis = old.analysis if old else ""
        new = (*numbers, analysis)
        if old is None:
            if self._closed(period) and not self.overwrite:
                return self._closed_problem(row, period)
            self.creates.append((row.number, indicator.pk, period, gadp, new))
            return CREATED
        changed = [name for name, a, b in zip(CHANGEABLE, new, old[1:5], strict=True) if a != b]
        if not changed and (not self.mark_validated or old.status == VALIDATED):
            return UNCHANGED
        if self._closed(period) and not self.overwrite:
            return self._closed_problem(row, period)
        if old.status == VALIDATED and not self.overwrite:
            message = f"la medición {label} ya está validada; para reemplazarla use --overwrite"
            return self.problem(row, changed[0], message)
        self.updates.append((row.number, old, new))
        return UPDATED

    def _closed_problem(self, row, period: str) -> None:
        message = f"el periodo {period} está cerrado; para cambiarlo use --overwrite"
        return self.problem(row, "periodo", message)

    # --- writing -------------------------------------------------------------------------

    def _constants(self, batch) -> dict:
        """What every written row shares: status, who and when, and the import's record."""
        user = self.user.pk if self.user is not None else None
        validated = self.mark_validated
        return {
            "status": VALIDATED if validated else REPORTED,
            "reported_by_id": user,
            "reported_at": self.now,
            "validated_by_id": user if validated else None,
            "validated_at": self.now if validated else None,
            "updated_at": self.now,
            "import_batch_id": batch.pk,
        }

    def write(self, batch):
        constants = self._constants(batch)
        insert_rows(
            Measurement,
            ["indicator_id", "period", "gadp_id", *STORED_COLUMNS, "import_row"],
            ((i, p, g, *new, number) for number, i, p, g, new in self.creates),
            {**constants, "version": 1, "return_comment": ""},
        )
        history = {"user": self.user, "reason": history_reason(batch)}
        record_rows(Measurement, "import_batch_id = %s", [batch.pk], kind=CREATED_ROW, **history)
        update_rows(
            Measurement,
            [*STORED_COLUMNS, "import_row"],
            ((old.pk, *new, number) for number, old, new in self.updates),
            constants,
            increment="version",
        )
        record_pks(Measurement, (old.pk for _n, old, _new in self.updates), **history)
