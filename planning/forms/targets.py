"""The targets grid of one indicator: a row per period, meta (and meta máxima for «rango»)."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from planning import concurrency, editing
from planning.forms.numbers import NumberField
from planning.models import Indicator, Target
from planning.periods import periods_between


@dataclass
class GridRow:
    """One period of the grid: its cells and the target stored for it (None: none yet)."""

    period: str
    meta: forms.BoundField
    maximum: forms.BoundField | None
    stored: Target | None

    @property
    def reformed(self) -> bool:
        return self.stored is not None and self.stored.original_value is not None


class TargetGridForm(forms.Form):
    """Every period of the indicator's periodicity across the plan's years.

    Cells are checked one by one (a number, meta máxima not below meta); whether a change
    is a reforma that needs a reason is decided against the stored targets by
    ``editing.targets_save``.
    """

    version = forms.CharField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(
        label=gettext_lazy("Justificación de la reforma"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Obligatoria cuando el plan está aprobado y se cambia o borra una meta ya "
            "programada. Programar un periodo sin meta no la necesita."
        ),
    )

    def __init__(self, *args, indicator: Indicator, targets: dict[str, Target], **kwargs):
        super().__init__(*args, **kwargs)
        self.indicator, self.targets = indicator, targets
        plan = indicator.plan
        self.ranged = indicator.polarity == Indicator.Polarity.RANGE
        self.periods = [
            p.code for p in periods_between(plan.start_year, plan.end_year, indicator.periodicity)
        ]
        for period in self.periods:
            stored = targets.get(period)
            self.fields[f"meta_{period}"] = NumberField(
                required=False,
                label=_("Meta %(period)s") % {"period": period},
                initial=stored.value if stored else None,
            )
            if self.ranged:
                self.fields[f"max_{period}"] = NumberField(
                    required=False,
                    label=_("Meta máxima %(period)s") % {"period": period},
                    initial=stored.value_max if stored else None,
                )
        self.fields["version"].initial = concurrency.token(editing.grid_snapshot(targets.values()))

    def clean(self):
        cleaned = super().clean()
        for period in self.periods:
            value = cleaned.get(f"meta_{period}")
            value_max = cleaned.get(f"max_{period}")
            if value is None and value_max is not None and f"meta_{period}" not in self.errors:
                self.add_error(
                    f"meta_{period}", _("Indique la meta: la meta máxima sola no basta.")
                )
            elif value is not None and value_max is not None and value_max < value:
                self.add_error(f"max_{period}", _("La meta máxima es menor que la meta."))
        return cleaned

    def cells(self) -> dict[str, tuple]:
        """Period → (meta, meta máxima) as typed, None where blank."""
        return {
            p: (self.cleaned_data.get(f"meta_{p}"), self.cleaned_data.get(f"max_{p}"))
            for p in self.periods
        }

    def rows(self) -> list[GridRow]:
        return [
            GridRow(
                period=p,
                meta=self[f"meta_{p}"],
                maximum=self[f"max_{p}"] if self.ranged else None,
                stored=self.targets.get(p),
            )
            for p in self.periods
        ]
