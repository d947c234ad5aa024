"""Import of **metas**: programmed targets per indicator and period.

Setting a target where none exists is programming. Changing one of an approved plan is a
*reforma*: it needs a reason, and the target first programmed is kept in
``original_value`` / ``original_value_max`` (the reason in ``reform_reason`` and in the
import's record). Planning staff and administrators only (``access.can_edit_plan``).
"""

from __future__ import annotations

from typing import NamedTuple

from planning import access
from planning.history import CREATED as CREATED_ROW
from planning.history import record_pks
from planning.models import Indicator, Plan, Target
from planning.resources import TargetResource, normalize
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
from scorecard.models import ImportBatch

RANGE = Indicator.Polarity.RANGE
UPDATE_FIELDS = ["value", "value_max", "original_value", "original_value_max", "reform_reason"]


class IndicatorInfo(NamedTuple):
    pk: int
    code: str
    periodicity: str
    polarity: str


class Stored(NamedTuple):
    pk: int
    value: object
    value_max: object
    original_value: object
    original_value_max: object
    reform_reason: str


class TargetImporter(IndicatorPeriodImporter):
    """The rules of the **metas** format (CONTRACT.md)."""

    kind = ImportBatch.Kind.TARGETS
    resource_class = TargetResource

    def __init__(self, *, plan, user=None, reason: str = ""):
        super().__init__(plan=plan, user=user)
        self.reason = (reason or "").strip()
        self.reforma = plan.status == Plan.Status.APPROVED
        self.creates: list[tuple] = []  # (indicator id, period, value, value_max)
        self.updates: list[tuple] = []  # (pk, value, value_max, originals…, reason)

    def check_user(self):
        if self.user is not None and not access.can_edit_plan(self.user):
            raise ImportRefused("solo Planificación y los administradores cambian metas")

    def batch_fields(self) -> dict:
        return {"reason": self.reason}

    def validate(self, rows, layout, result, lock):
        self.start(layout, result)
        fields = ("pk", "code", "periodicity", "polarity")
        self.indicators = {
            normalize(row[1]): IndicatorInfo(*row)
            for row in Indicator.objects.filter(plan=self.plan).values_list(*fields)
        }
        stored = Target.objects.filter(indicator__plan=self.plan)
        if lock:
            stored = stored.select_for_update(of=("self",))
        self.stored = {
            (i, p): Stored(*rest)
            for i, p, *rest in stored.values_list("indicator_id", "period", *Stored._fields)
        }
        keys = Keys()
        for row in rows:
            indicator = self.indicator_of(row)
            period = self.period_of(row, indicator)
            if indicator is None or period is None:
                continue
            earlier = keys.repeated((indicator.pk, period), row.number)
            if earlier is not None:
                self.repeated(row, f"{indicator.code} {period}", earlier)
                continue
            outcome = self._compare(row, indicator, period)
            if outcome is not None:
                result.outcomes[row.number] = outcome

    def _band(self, row, indicator, old: Stored | None):
        """(meta, meta_max) after this row, or None when the row is wrong."""
        if row.failed.intersection(("meta", "meta_max")):
            return None
        value = row.values.get("meta")
        if value is None:
            if old is None:
                return self.problem(row, "meta", "falta la meta")
            value = old.value
        if "meta_max" in row.values:
            value_max = row.values["meta_max"]
        else:
            value_max = old.value_max if old else None
        if value_max is not None and indicator.polarity != RANGE:
            message = f"el indicador {indicator.code} no es de sentido «rango»: no lleva meta_max"
            return self.problem(row, "meta_max", message)
        if value_max is not None and value_max < value:
            return self.problem(row, "meta_max", f"es menor que la meta ({value})")
        return value, value_max

    def _compare(self, row, indicator, period) -> str | None:
        old = self.stored.get((indicator.pk, period))
        band = self._band(row, indicator, old)
        if band is None:
            return None
        value, value_max = band
        if old is None:
            self.creates.append((indicator.pk, period, value, value_max))
            return CREATED
        pairs = zip(("meta", "meta_max"), band, old[1:3], strict=True)
        changed = [name for name, new, stored in pairs if new != stored]
        if not changed:
            return UNCHANGED
        originals, reason = (old.original_value, old.original_value_max), old.reform_reason
        if self.reforma:
            if not self.reason:
                message = "cambiar la meta de un plan aprobado es una reforma: indique el motivo"
                return self.problem(row, changed[0], f"{message} (--reason)")
            if old.original_value is None:
                originals = (old.value, old.value_max)
            reason = self.reason
        self.updates.append((old.pk, value, value_max, *originals, reason))
        return UPDATED

    def write(self, batch):
        columns = ["indicator_id", "period", "value", "value_max"]
        insert_rows(Target, columns, self.creates, {"reform_reason": ""})
        history = {"user": self.user, "reason": history_reason(batch)}
        if self.creates:
            created = {(indicator, period) for indicator, period, *_band in self.creates}
            stored = Target.objects.filter(indicator_id__in={key[0] for key in created})
            pks = [
                pk
                for pk, *key in stored.values_list("pk", "indicator_id", "period")
                if tuple(key) in created
            ]
            record_pks(Target, pks, kind=CREATED_ROW, **history)
        update_rows(Target, UPDATE_FIELDS, self.updates)
        record_pks(Target, (row[0] for row in self.updates), **history)
