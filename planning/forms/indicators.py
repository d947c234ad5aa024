"""The indicator form: identification, ficha metodológica, calculation and responsibility."""

from __future__ import annotations

from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from planning.forms.base import ElementForm, formfield
from planning.models import ExpectedResult, Indicator, OrgUnit, StrategicObjective

IDENTIFICATION = ["code", "name", "objective", "result", "kind", "unit_of_measure", "order"]
SHEET = [
    "definition",
    "formula",
    "variables",
    "calculation_method",
    "limitations",
    "interpretation",
    "data_source",
    "verification_means",
    "data_availability",
    "disaggregation_level",
    "georeferenced",
    "alignment",
    "references",
    "baseline",
    "baseline_year",
    "baseline_source",
    "final_target",
    "final_target_year",
    "sheet_made_on",
    "sheet_updated_on",
    "sheet_made_by",
]
CALCULATION = list(Indicator.CALCULATION_FIELDS)
RESPONSIBILITY = ["responsible_unit"]


class IndicatorForm(ElementForm):
    """The whole ficha of an indicator, grouped as the ficha metodológica groups it."""

    class Meta:
        model = Indicator
        fields = IDENTIFICATION + SHEET + CALCULATION + RESPONSIBILITY
        formfield_callback = formfield

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.Textarea):
                field.widget.attrs["rows"] = 3
        self.helper.layout = Layout(
            Fieldset(gettext_lazy("Identificación"), *IDENTIFICATION),
            Fieldset(gettext_lazy("Ficha metodológica"), *SHEET),
            Fieldset(gettext_lazy("Cálculo"), *CALCULATION),
            Fieldset(gettext_lazy("Responsabilidad"), *RESPONSIBILITY),
            "version",
            "reason",
        )

    def restrict_choices(self):
        self.fields["objective"].queryset = StrategicObjective.objects.filter(plan=self.plan)
        self.fields["result"].queryset = ExpectedResult.objects.filter(plan=self.plan)
        self.fields["responsible_unit"].queryset = OrgUnit.objects.filter(
            institution_id=self.plan.institution_id
        )

    def clean_factor(self):
        factor = self.cleaned_data["factor"]
        if factor is not None and factor <= 0:
            raise forms.ValidationError(_("El factor debe ser mayor que cero."))
        return factor

    def clean_weight(self):
        weight = self.cleaned_data["weight"]
        if weight is not None and weight < 0:
            raise forms.ValidationError(_("El peso no puede ser negativo."))
        return weight

    def clean_periodicity(self):
        """Targets and values are kept per period: their periods must stay the indicator's."""
        periodicity = self.cleaned_data["periodicity"]
        stored = self.instance
        if stored.pk and periodicity != stored.periodicity and self._has_periods():
            raise forms.ValidationError(
                _(
                    "No se puede cambiar la periodicidad: el indicador ya tiene metas o valores "
                    "por periodo. Bórrelos antes o cree otro indicador."
                )
            )
        return periodicity

    def _has_periods(self) -> bool:
        # ``measurements`` comes from the scorecard app, which planning never imports.
        return self.instance.targets.exists() or self.instance.measurements.exists()
