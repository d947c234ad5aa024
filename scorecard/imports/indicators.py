"""Import of **indicadores**: create or update a plan's indicators, keyed by ``codigo``.

Updating, a blank cell in a field every indicator has keeps the stored value; a blank
optional cell clears it (so an exported file imports back unchanged); a column left out
keeps what is stored. A new indicator needs ``codigo``, ``nombre``, ``objetivo``,
``sentido``, ``acumulacion``, ``calculo`` and ``periodicidad``; the rest take their
defaults. The model's rules (``Indicator.clean`` and its constraints) are checked on the
result in memory. Planning staff and administrators only (``access.can_edit_plan``).
"""

from __future__ import annotations

from planning import access
from planning.history import CREATED as CREATED_ROW
from planning.history import record_pks
from planning.models import ExpectedResult, Indicator, OrgUnit, StrategicObjective, Target
from planning.resources import IndicatorResource, normalize
from scorecard.imports.runner import (
    BATCH_SIZE,
    CREATED,
    UNCHANGED,
    UPDATED,
    Importer,
    ImportRefused,
    Keys,
    history_reason,
)
from scorecard.models import ImportBatch, Measurement

#: Column name → the model field it fills.
MODEL_FIELDS = {
    c.column_name: Indicator._meta.get_field(c.attribute) for c in IndicatorResource().columns()
}
#: Columns holding a code of another object, and the lookup that resolves it.
REFERENCES = {"objetivo": "objectives", "resultado": "results", "unidad_responsable": "units"}
NOT_FOUND = {
    "objetivo": "no existe el objetivo «{code}» en el plan {plan}",
    "resultado": "no existe el resultado «{code}» en el plan {plan}",
    "unidad_responsable": "no existe la unidad «{code}»",
}
NEEDED = "falta este dato, necesario para un indicador nuevo"
NEEDED_NEW = [c.column_name for c in IndicatorResource().columns() if c.needed_new and not c.key]


class IndicatorImporter(Importer):
    """The rules of the **indicadores** format (CONTRACT.md)."""

    kind = ImportBatch.Kind.INDICATORS
    resource_class = IndicatorResource

    def __init__(self, *, plan, user=None):
        super().__init__(plan=plan, user=user)
        self.creates: list[Indicator] = []
        self.updates: dict[int, tuple[Indicator, list[str]]] = {}  # row → (indicator, changed)
        self.changed_fields: set[str] = set()

    def check_user(self):
        if self.user is not None and not access.can_edit_plan(self.user):
            raise ImportRefused("solo Planificación y los administradores cambian indicadores")

    def problem(self, row, column: str, message: str) -> None:
        value = row.values.get(column)
        self.problems.append(self.layout.problem(row.number, column, message, value))

    def _lookups(self, lock: bool) -> None:
        """Four queries: the plan's indicators, objectives, results, and the units."""
        indicators = Indicator.objects.filter(plan=self.plan)
        if lock:
            indicators = indicators.select_for_update()
        self.existing = {normalize(i.code): i for i in indicators}
        self.next_order = max((i.order for i in self.existing.values()), default=0) + 1
        plan_objectives = StrategicObjective.objects.filter(plan=self.plan)
        self.objective_codes = dict(plan_objectives.values_list("pk", "code"))
        self.objectives = {normalize(code): pk for pk, code in self.objective_codes.items()}
        results = ExpectedResult.objects.filter(plan=self.plan)
        self.results, self.result_objective = {}, {}
        for pk, code, objective in results.values_list("pk", "code", "objective_id"):
            self.results[normalize(code)] = pk
            self.result_objective[pk] = objective
        units = OrgUnit.objects.filter(institution_id=self.plan.institution_id)
        self.units = {normalize(code): pk for code, pk in units.values_list("code", "pk")}

    def validate(self, rows, layout, result, lock):
        self.layout, self.problems = layout, result.problems
        self._lookups(lock)
        keys = Keys()
        for row in rows:
            code = row.values.get("codigo")
            if "codigo" in row.failed:
                continue
            if code is None:
                self.problem(row, "codigo", "falta el código")
                continue
            earlier = keys.repeated(normalize(code), row.number)
            if earlier is not None:
                message = f"{code} está repetido: ya aparece en la fila {earlier}"
                self.problem(row, "codigo", message)
                continue
            outcome = self._compare(row, code)
            if outcome is not None:
                result.outcomes[row.number] = outcome
        self._check_history(result)

    def _given(self, row, is_new: bool) -> dict | None:
        """The attributes the row sets (by attname), or None when one of its cells is wrong."""
        given, bad = {}, set(row.failed)
        for name in self.layout.index:
            if name == "codigo" or name in bad:
                continue
            column, field, cell = self.layout.columns[name], MODEL_FIELDS[name], row.values[name]
            if cell is None:
                if not column.keep_blank:
                    given[field.attname] = None if field.null else ""
                continue
            if name in REFERENCES:
                cell = getattr(self, REFERENCES[name]).get(normalize(cell))
                if cell is None:
                    message = NOT_FOUND[name].format(code=row.values[name], plan=self.plan.code)
                    self.problem(row, name, message)
                    bad.add(name)
                    continue
            given[field.attname] = cell
        missing = [n for n in NEEDED_NEW if MODEL_FIELDS[n].attname not in given] if is_new else []
        for name in missing:
            if name not in bad:
                self.problem(row, name, NEEDED)
        return None if bad or missing else given

    def _compare(self, row, code: str) -> str | None:
        old = self.existing.get(normalize(code))
        given = self._given(row, old is None)
        if given is None:
            return None
        current = _attributes(old)
        merged = {**current, **given}
        if not self._consistent(row, merged):
            return None
        if old is None:
            self.creates.append(
                Indicator(plan=self.plan, code=code, order=self.next_order, **merged)
            )
            self.next_order += 1
            return CREATED
        changed = [name for name, value in given.items() if value != current[name]]
        if not changed:
            return UNCHANGED
        for name in changed:
            setattr(old, name, given[name])
        self.updates[row.number] = (old, changed)
        self.changed_fields.update(changed)
        return UPDATED

    def _column(self, *names: str) -> str:
        """The first of ``names`` the file has (problems name a column the user can find)."""
        return next((n for n in names if self.layout.has(n)), names[0])

    def _consistent(self, row, merged: dict) -> bool:
        """``Indicator.clean`` and the model's constraints, on the values after this row."""
        problems = []
        result = merged["result_id"]
        if result is not None:
            objective = self.result_objective[result]
            if objective != merged["objective_id"]:
                message = f"el resultado es del objetivo {self.objective_codes[objective]}"
                problems.append((self._column("resultado", "objetivo"), message))
        if merged["reference"] == Indicator.Reference.GAP and merged["baseline"] is None:
            message = "la referencia «brecha» necesita una línea base (linea_base)"
            problems.append((self._column("referencia", "linea_base"), message))
        green, yellow = merged["green_threshold"], merged["yellow_threshold"]
        if green is not None and yellow is not None and green <= yellow:
            message = "el umbral verde debe ser mayor que el amarillo"
            problems.append((self._column("umbral_verde", "umbral_amarillo"), message))
        for column, message in problems:
            self.problem(row, column, message)
        return not problems

    def _check_history(self, result) -> None:
        """An indicator with targets or values keeps its periodicity and its calculation."""
        moved = {
            number: (indicator, "periodicidad" if "periodicity" in changed else "calculo")
            for number, (indicator, changed) in self.updates.items()
            if {"periodicity", "calculation"} & set(changed)
        }
        if not moved:
            return
        ids = [indicator.pk for indicator, _column in moved.values()]
        used = set()
        for model in (Target, Measurement):
            rows = model.objects.filter(indicator_id__in=ids)
            used.update(rows.values_list("indicator_id", flat=True))
        for number, (indicator, column) in moved.items():
            if indicator.pk in used:
                message = f"el indicador {indicator.code} ya tiene metas o mediciones: no se cambia"
                result.problems.append(self.layout.problem(number, column, message))

    def write(self, batch):
        Indicator.objects.bulk_create(self.creates, batch_size=BATCH_SIZE)
        history = {"user": self.user, "reason": history_reason(batch)}
        record_pks(
            Indicator, (indicator.pk for indicator in self.creates), kind=CREATED_ROW, **history
        )
        if self.updates:
            changed = [indicator for indicator, _fields in self.updates.values()]
            fields = sorted(self.changed_fields)
            Indicator.objects.bulk_update(changed, fields, batch_size=BATCH_SIZE)
            record_pks(Indicator, (indicator.pk for indicator in changed), **history)


def _attributes(indicator: Indicator | None) -> dict:
    """Every importable attribute of an indicator, or the model's defaults for a new one."""
    fields = [f for name, f in MODEL_FIELDS.items() if name != "codigo"]
    if indicator is None:
        return {f.attname: f.get_default() for f in fields}
    return {f.attname: getattr(indicator, f.attname) for f in fields}
