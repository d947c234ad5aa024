"""The report form: a period's value (or numerator and denominator), per GADP, and evidence.

Numbers are read the same way for every user, whatever the interface language (PITFALLS 5):
``.`` or ``,`` as the decimal separator, no thousands separator, never rounded to fit.
The form only reads what was typed; whether it may be saved is ``scorecard.workflow``'s
decision, and its refusals come back onto the fields here (:meth:`ReportForm.add_refusal`).
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from planning.forms.numbers import NumberField as PlanNumberField
from scorecard import evidence
from scorecard.formatting import plain
from scorecard.models import DECIMAL, Measurement
from scorecard.workflow import ReportInput


def as_text(number: Decimal | None) -> str:
    """A stored number as a person types it back (12.500000 → "12,5" in Spanish); "" for None."""
    return "" if number is None else plain(number)


class NumberField(PlanNumberField):
    """The plan forms' number field (``.`` or ``,``, never rounded), optional here: an empty
    cell is a report not yet complete, which ``scorecard.workflow`` judges on submit."""

    def __init__(self, *, max_digits=DECIMAL["max_digits"], places=DECIMAL["decimal_places"], **kw):
        kw.setdefault("required", False)
        kw.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
        )
        super().__init__(max_digits=max_digits, decimal_places=places, **kw)

    def prepare_value(self, value):
        return as_text(value) if isinstance(value, Decimal) else value


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceField(forms.FileField):
    """Several evidence files at once; each must pass ``evidence.check_file``."""

    def __init__(self, **kw):
        kw.setdefault("widget", MultipleFileInput())
        kw.setdefault("required", False)
        super().__init__(**kw)

    def clean(self, data, initial=None) -> list:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        uploads = [super(EvidenceField, self).clean(f, initial) for f in files]
        errors = []
        for upload in uploads:
            try:
                evidence.check_file(upload)
            except evidence.EvidenceError as exc:
                errors.append(str(exc))
        if errors:
            raise ValidationError(errors)
        return uploads


def evidence_help() -> str:
    megabytes = evidence.max_bytes() / 1048576
    return _(
        "Puede elegir varios archivos. Tipos aceptados: %(kinds)s; máximo %(size)s MB por archivo."
    ) % {"kinds": evidence.allowed_extensions(), "size": f"{megabytes:g}"}


class ReportForm(forms.Form):
    """A report of one indicator for one period, as its unit (or Planificación) writes it.

    ``gadps`` are the provincial governments to ask for (every one, for an indicator
    disaggregated by GADP; none otherwise); ``needs_reason`` adds the reason a change to a
    closed period requires.
    """

    def __init__(self, *args, indicator, gadps=(), needs_reason: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        self.ratio = indicator.calculation == indicator.Calculation.RATIO
        self.gadps = list(gadps)
        unit = f" ({indicator.unit_of_measure})" if indicator.unit_of_measure else ""
        if self.ratio:
            self.fields["numerator"] = NumberField(label=_("Numerador"))
            self.fields["denominator"] = NumberField(
                label=_("Denominador"), help_text=_("Mayor que cero.")
            )
        else:
            self.fields["value"] = NumberField(label=_("Valor del periodo") + unit)
        self.fields["analysis"] = forms.CharField(
            label=_("Análisis de variación"),
            required=False,
            widget=forms.Textarea(attrs={"rows": 4}),
            help_text=_("Obligatorio al enviar un valor por debajo de la meta."),
        )
        for gadp in self.gadps:
            for name, label in self._gadp_names(gadp):
                self.fields[name] = NumberField(label=label)
        self.fields["evidence"] = EvidenceField(
            label=_("Añadir evidencias"), help_text=evidence_help()
        )
        if needs_reason:
            # Required by the workflow, which says why in its own words.
            self.fields["reason"] = forms.CharField(
                label=_("Motivo del cambio"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=_("El periodo está cerrado: el historial guardará este motivo."),
            )
        self.fields["version"] = forms.IntegerField(
            required=False, min_value=1, widget=forms.HiddenInput
        )

    def _gadp_names(self, gadp) -> list[tuple[str, str]]:
        where = f"{gadp.code} {gadp.province}"
        if self.ratio:
            return [
                (f"gadp_{gadp.pk}_numerator", _("Numerador de %(gadp)s") % {"gadp": where}),
                (f"gadp_{gadp.pk}_denominator", _("Denominador de %(gadp)s") % {"gadp": where}),
            ]
        return [(f"gadp_{gadp.pk}_value", _("Valor de %(gadp)s") % {"gadp": where})]

    def gadp_rows(self) -> list[tuple]:
        """(GADP, its bound fields) for the table of provinces."""
        return [(g, [self[name] for name, _label in self._gadp_names(g)]) for g in self.gadps]

    def clean(self):
        data = super().clean()
        for gadp in self.gadps if self.ratio else ():
            num_name, den_name = f"gadp_{gadp.pk}_numerator", f"gadp_{gadp.pk}_denominator"
            if num_name in self.errors or den_name in self.errors:
                continue
            num, den = data.get(num_name), data.get(den_name)
            if (num is None) != (den is None):
                self.add_error(den_name, _("Indique numerador y denominador."))
            elif den is not None and den <= 0:
                self.add_error(den_name, _("El denominador debe ser mayor que cero."))
        return data

    def report_input(self) -> ReportInput:
        data = self.cleaned_data
        by_gadp = {}
        for gadp in self.gadps:
            prefix = f"gadp_{gadp.pk}_"
            by_gadp[gadp.pk] = (
                data.get(prefix + "value"),
                data.get(prefix + "numerator"),
                data.get(prefix + "denominator"),
            )
        return ReportInput(
            value=data.get("value"),
            numerator=data.get("numerator"),
            denominator=data.get("denominator"),
            analysis=data.get("analysis", ""),
            by_gadp=by_gadp,
        )

    def add_refusal(self, error: ValidationError) -> None:
        """Put the workflow's refusal on the fields it names (the rest above the form)."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error.messages)
            return
        for name, messages in error.message_dict.items():
            self.add_error(name if name in self.fields else None, messages)

    @property
    def hidden_errors(self) -> list[str]:
        return [e for field in self.hidden_fields() for e in field.errors]


def initial_from(report: Measurement | None, parts: list[Measurement]) -> dict:
    """The form's initial values from the stored report and its per-GADP parts."""
    if report is None:
        return {}
    initial = {
        "value": report.value,
        "numerator": report.numerator,
        "denominator": report.denominator,
        "analysis": report.analysis,
        "version": report.version if report.pk else None,
    }
    for part in parts:
        prefix = f"gadp_{part.gadp_id}_"
        initial.update(
            {
                prefix + "value": part.value,
                prefix + "numerator": part.numerator,
                prefix + "denominator": part.denominator,
            }
        )
    return initial
