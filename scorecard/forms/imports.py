"""The web import's forms: the upload (with its options) and the template's choice.

Which formats and options a user sees follows ``planning.access``: reporters import values
(mediciones) only, without options; planning staff and administrators every format, and the
options to validate, to replace validated values and values of closed periods, and the
reforma's reason.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from planning import access
from planning.models import OrgUnit, Plan
from planning.periods import InvalidPeriod, Period
from scorecard.imports.pending import FileRefused, check_size
from scorecard.models import ImportBatch

Kind = ImportBatch.Kind


class ImportForm(forms.Form):
    """Plan, format, file and, for planning staff, the import's options."""

    plan = forms.ModelChoiceField(
        label=_("Plan"), queryset=Plan.objects.all(), to_field_name="code", empty_label=None
    )
    kind = forms.ChoiceField(label=_("Formato"), choices=Kind.choices, initial=Kind.MEASUREMENTS)
    file = forms.FileField(
        label=_("Archivo"),
        help_text=_("Libro xlsx (se lee la primera hoja) o csv, con los encabezados en la fila 1."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    validate = forms.BooleanField(
        label=_("Marcar como validados"),
        required=False,
        help_text=_("Solo para mediciones: los valores entran validados, no «reportados»."),
    )
    overwrite = forms.BooleanField(
        label=_("Reemplazar valores validados y de periodos cerrados"),
        required=False,
        help_text=_("Solo para mediciones: sin esta opción, esas filas son errores."),
    )
    reason = forms.CharField(
        label=_("Motivo de la reforma"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Solo para metas: cambiar una meta de un plan aprobado es una reforma."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if not access.can_edit_plan(user):
            self.fields["kind"].choices = [(Kind.MEASUREMENTS, Kind.MEASUREMENTS.label)]
            del self.fields["reason"]
        if not access.can_validate(user):
            del self.fields["validate"]
            del self.fields["overwrite"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            check_size(upload.size)
        except FileRefused as exc:
            raise forms.ValidationError(str(exc)) from None
        return upload

    def options(self) -> dict:
        """The importer's options that apply to the chosen format."""
        data, kind = self.cleaned_data, self.cleaned_data["kind"]
        if kind == Kind.MEASUREMENTS:
            return {
                "validate": data.get("validate", False),
                "overwrite": data.get("overwrite", False),
            }
        if kind == Kind.TARGETS:
            return {"reason": data.get("reason", "").strip()}
        return {}


class TemplateForm(forms.Form):
    """Which unit's template, of which plan and period (``?plan=&unidad=&periodo=``)."""

    plan = forms.ModelChoiceField(
        label=_("Plan"), queryset=Plan.objects.all(), to_field_name="code", empty_label=None
    )
    unidad = forms.ModelChoiceField(
        label=_("Unidad"), queryset=OrgUnit.objects.all(), to_field_name="code"
    )
    periodo = forms.CharField(
        label=_("Periodo"),
        max_length=7,
        help_text=_("Un año (2019), semestre (2019-S1), trimestre (2019-T2) o mes (2019-03)."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and not access.can_edit_plan(user):
            # What the menu offers a reporter; a request for another unit is a 404 (view).
            units = OrgUnit.objects.filter(pk__in=access.unit_ids_of(user))
            self.fields["unidad"].queryset = units

    def clean_periodo(self) -> Period:
        try:
            return Period.parse(self.cleaned_data["periodo"])
        except InvalidPeriod:
            raise forms.ValidationError(
                _("No es un periodo: escriba 2019, 2019-S1, 2019-T2 o 2019-03.")
            ) from None

    def clean(self):
        data = super().clean()
        plan, unit, period = data.get("plan"), data.get("unidad"), data.get("periodo")
        if plan and period and not plan.start_year <= period.year <= plan.end_year:
            self.add_error(
                "periodo",
                _("El plan %(plan)s va de %(start)s a %(end)s.")
                % {"plan": plan.code, "start": plan.start_year, "end": plan.end_year},
            )
        if plan and unit and unit.institution_id != plan.institution_id:
            self.add_error("unidad", _("La unidad es de otra institución."))
        return data
