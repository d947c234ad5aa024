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

from decimal import Context, Decimal
from typing import NamedTuple

from django.db import connection
from django.utils import timezone

from planning import access
from planning.history import CREATED as CREATED_ROW
from planning.history import record_rows
from planning.models import Gadp, Indicator
from planning.resources import normalize
from scorecard.imports.bulk import insert_rows, update_rows
from scorecard.imports.keyed import IndicatorPeriodImporter
from scorecard.imports.runner import (
    CREATED,
    UNCHANGED,
    UPDATED,
    ImportRefused,
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
#: Indexed columns an import sets alike on every row it writes. SQLite rewrites the index
#: entries of every column an UPDATE names, changed or not: one left out where no row
#: would change saves a third of the write.
SAME_ON_MOST_ROWS = ("status", "reported_by_id", "validated_by_id")


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
    reported_by_id: int | None
    validated_by_id: int | None


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
        """The plan's values by key, in one query read with the plain cursor: Django's
        per-value converters cost as much as the read itself."""
        rows = Measurement.objects.filter(indicator__plan=self.plan).order_by()
        if lock:  # no lost update between this read and the write (PostgreSQL)
            rows = rows.select_for_update(of=("self",))
        fields = ("indicator_id", "period", "gadp_id", *Stored._fields)
        query = rows.values_list(*fields).query
        sql, params = query.get_compiler(using=rows.db).as_sql()
        stored = {}
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            while chunk := cursor.fetchmany(10_000):
                stored.update(_stored_rows(chunk))
        return stored

    # --- validation ----------------------------------------------------------------------

    def validate(self, rows, layout, result, lock):
        self.start(layout, result)
        self.indicators = self._indicators()
        self.has_gadp = layout.has("gadp")
        self.gadps = dict(Gadp.objects.values_list("code", "pk")) if self.has_gadp else {}
        self.stored = self._stored(lock)
        self.closed = closed_periods(self.plan)
        self.closed_codes: dict[str, bool] = {}
        self.value_columns = [name for name in CHANGEABLE if layout.has(name)]
        self.has_analysis = layout.has("analisis")
        self.now = timezone.now()
        self.given = [(name, CHANGEABLE.index(name) + 1) for name in self.value_columns]
        self.reportable: dict[str, IndicatorInfo] = {}
        first_rows: dict[tuple, int] = {}
        outcomes = result.outcomes
        for row in rows:
            key = self._key(row)
            if key is None:
                continue
            indicator, period, gadp = key
            lookup = (indicator.pk, period, gadp)
            earlier = first_rows.setdefault(lookup, row.number)
            if earlier != row.number:
                self.repeated(row, _label(row, key), earlier)
                continue
            outcome = self._compare(row, key, self.stored.get(lookup))
            if outcome is not None:
                outcomes[row.number] = outcome
        self.stored = {}  # what the writes need is in self.updates

    def _key(self, row):
        """(indicator, period, gadp id) when the row's key is valid, else None."""
        indicator = self._indicator(row)
        period = self.period_of(row, indicator)
        gadp = self._gadp(row, indicator) if self.has_gadp else None
        if indicator is None or period is None or gadp is False:
            return None
        return indicator, period, gadp

    def _indicator(self, row) -> IndicatorInfo | None:
        code = row.values["indicador"]
        indicator = self.reportable.get(code)  # a cell seen before on a good row
        if indicator is not None:
            return indicator
        indicator = self.indicator_of(row)
        if indicator is not None and not indicator.reportable:
            message = f"no puede reportar el indicador {indicator.code}: no es de sus unidades"
            return self.problem(row, "indicador", message)
        if indicator is not None:
            self.reportable[code] = indicator
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
        """(valor, numerador, denominador) after this row, or None when the row is wrong.

        The row's number cells all read (``_compare`` checked it).
        """
        get = row.values.get
        value, numerator, denominator = get("valor"), get("numerador"), get("denominador")
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

    def _without_data(self, values) -> bool:
        """*Sin datos*: the file has value columns and this row leaves them all blank."""
        for name in self.value_columns:
            if values[name] is not None:
                return False
        return bool(self.value_columns)

    def _as_stored(self, values, old: Stored) -> bool:
        """Every value cell the row gives equals the stored one (also a draft without value)."""
        for name, position in self.given:
            # A blank analysis cell reads as None; the stored one is "".
            if values[name] != (old[position] if position != 4 else old.analysis or None):
                return False
        return True

    def _closed(self, period: str) -> bool:
        closed = self.closed_codes.get(period)
        if closed is None:
            closed = self.closed_codes[period] = is_closed(self.plan, period, self.closed)
        return closed

    def _compare(self, row, key, old: Stored | None) -> str | None:
        indicator, period, gadp = key
        values = row.values
        if row.failed and not row.failed.isdisjoint(CHANGEABLE):
            return None  # its cells' problems are reported already
        if self._without_data(values):
            return UNCHANGED
        if old is not None and not self.mark_validated and self._as_stored(values, old):
            return UNCHANGED
        numbers = self._numbers(row, indicator, old)
        if numbers is None:
            return None
        kept = old.analysis if old else ""
        analysis = (values["analisis"] or "") if self.has_analysis else kept
        new = (*numbers, analysis)
        if old is None:
            if self._closed(period) and not self.overwrite:
                return self._closed_problem(row, period)
            self.creates.append((row.number, indicator.pk, period, gadp, new))
            return CREATED
        stored = (old.value, old.numerator, old.denominator, old.analysis)
        if new == stored and (not self.mark_validated or old.status == VALIDATED):
            return UNCHANGED
        if self._closed(period) and not self.overwrite:
            return self._closed_problem(row, period)
        if old.status == VALIDATED and not self.overwrite:
            changed = next(n for n, a, b in zip(CHANGEABLE, new, stored, strict=True) if a != b)
            label = _label(row, key)
            message = f"la medición {label} ya está validada; para reemplazarla use --overwrite"
            return self.problem(row, changed, message)
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
        history = {"user": self.user, "reason": history_reason(batch)}
        if self.creates:
            insert_rows(
                Measurement,
                ["indicator_id", "period", "gadp_id", *STORED_COLUMNS, "import_row"],
                ((i, p, g, *new, number) for number, i, p, g, new in self.creates),
                {**constants, "version": 1, "return_comment": ""},
            )
            # Before the updates, which carry the same batch: only the created rows have it.
            where = "import_batch_id = %s"
            record_rows(Measurement, where, [batch.pk], kind=CREATED_ROW, **history)
        update_rows(
            Measurement,
            [*STORED_COLUMNS, "import_row"],
            ((old.pk, *new, number) for number, old, new in self.updates),
            self._changing(constants),
            increment="version",
            history=history,
        )

    def _changing(self, constants: dict) -> dict:
        """``constants`` without those of :data:`SAME_ON_MOST_ROWS` no updated row changes."""
        olds = [old for _number, old, _new in self.updates]
        return {
            name: value
            for name, value in constants.items()
            if name not in SAME_ON_MOST_ROWS or any(getattr(o, name) != value for o in olds)
        }


def _label(row, key) -> str:
    """A row's key as messages name it: ``11.2 2019`` or ``11.2 2019 GADP 01``."""
    indicator, period, gadp = key
    return f"{indicator.code} {period}" + (f" GADP {row.values['gadp']}" if gadp else "")


def _stored_rows(chunk):
    """(key, Stored) for rows of ``_stored``'s query, their decimals as Django reads them.

    PostgreSQL gives Decimals. SQLite keeps a float (15 significant digits), which Django
    rounds to the field's places: the same is done here, without Django's per-value calls,
    in one loop with no call of ours per value (10 % of the whole read, measured).
    """
    make = tuple.__new__
    if connection.vendor != "sqlite":
        return [((r[0], r[1], r[2]), make(Stored, r[3:])) for r in chunk]
    field = Measurement._meta.get_field("value")
    from_float = Context(prec=15).create_decimal_from_float
    places, context = Decimal(1).scaleb(-field.decimal_places), field.context
    pairs = []
    for r in chunk:
        value, numerator, denominator = r[4], r[5], r[6]
        if value is not None:
            value = from_float(value).quantize(places, context=context)
        if numerator is not None:
            numerator = from_float(numerator).quantize(places, context=context)
        if denominator is not None:
            denominator = from_float(denominator).quantize(places, context=context)
        stored = make(Stored, (r[3], value, numerator, denominator, *r[7:]))
        pairs.append(((r[0], r[1], r[2]), stored))
    return pairs
