"""Forms of the validation queue and of the closed periods page, and how refusals read.

They only read what the user sent; the rules (who may, which states, required comments,
valid periods) are ``scorecard.workflow``'s, whose refusals are attached to these forms'
fields or worded here as one-line messages.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from planning.models import OrgUnit, Plan
from planning.periods import InvalidPeriod, Period
from scorecard import workflow
from scorecard.models import Measurement

Status = Measurement.Status

PERIOD_HELP = _("Año (2019), semestre (2019-S1), trimestre (2019-T2) o mes (2019-03).")


class QueueFilterForm(forms.Form):
    """The queue's filters (GET): all optional, an unknown choice is a field error."""

    plan = forms.ModelChoiceField(
        label=_("Plan"),
        queryset=Plan.objects.order_by("-start_year", "code"),
        to_field_name="code",
        required=False,
        empty_label=_("Todos los planes"),
    )
    unit = forms.ModelChoiceField(
        label=_("Unidad responsable"),
        queryset=OrgUnit.objects.order_by("order", "code"),
        required=False,
        empty_label=_("Todas las unidades"),
    )
    period = forms.CharField(
        label=_("Periodo"), required=False, max_length=10, help_text=PERIOD_HELP
    )

    def clean_period(self) -> str:
        text = self.cleaned_data["period"].strip()
        if not text:
            return ""
        try:
            return Period.parse(text).code
        except InvalidPeriod:
            message = _("«%(period)s» no es un periodo válido.")
            raise ValidationError(message, params={"period": text}) from None


class VersionedForm(forms.Form):
    """An action on one measurement, carrying the version the page showed (PITFALLS 9)."""

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    next = forms.CharField(required=False, widget=forms.HiddenInput)


def _text_the_workflow_requires(label, help_text, rows=3) -> forms.CharField:
    """A text the workflow insists on: it words the refusal, the browser asks for it first."""
    return forms.CharField(
        label=label,
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": rows, "required": True}),
        help_text=help_text,
    )


class ReturnForm(VersionedForm):
    comment = _text_the_workflow_requires(
        _("Observación para la unidad"),
        _("Qué debe corregir la unidad; se le muestra junto al valor."),
    )


class ReopenForm(VersionedForm):
    reason = _text_the_workflow_requires(
        _("Motivo para reabrir"), _("Queda en el historial del valor.")
    )


def _selected_item(text: str) -> tuple[int, int]:
    pk, _sep, version = text.partition(":")
    if not (pk.isdigit() and version.isdigit()):
        raise ValidationError(_("La selección no es válida: recargue la página."))
    return int(pk), int(version)


class SelectedItemsField(forms.Field):
    """The ticked checkboxes, each "<measurement pk>:<version shown>"."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> list[tuple[int, int]]:
        return [_selected_item(str(item)) for item in value or []]

    def validate(self, value):
        if not value:
            raise ValidationError(_("Marque al menos un valor para validar."))


class BulkRefused(Exception):
    """Some selected values could not be validated, so none was; ``problems`` names them."""

    def __init__(self, problems: list[str]):
        super().__init__(problems)
        self.problems = problems


class BulkValidateForm(forms.Form):
    item = SelectedItemsField(label=_("Valores seleccionados"))
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def save(self, user) -> int:
        """Validate every selected (pk, version shown) or none, in one transaction.

        Every refusal is collected, so that the message names each conflicting value, and
        then the whole transaction is rolled back (BulkRefused). Returns how many.
        """
        selected = self.cleaned_data["item"]
        found = Measurement.objects.select_related(
            "indicator__plan", "indicator__responsible_unit"
        ).in_bulk([pk for pk, _version in selected])
        problems = []
        with transaction.atomic():
            for pk, version in selected:
                m = found.get(pk)
                if m is None or m.gadp_id is not None:
                    problems.append(gettext("El valor #%(pk)s ya no existe.") % {"pk": pk})
                    continue
                try:
                    workflow.validate(user, m, expected_version=version)
                except workflow.Conflict as conflict:
                    problems.append(conflict_message(m, conflict))
                except workflow.WorkflowError as error:
                    problems.append(refusal_message(m, error))
            if problems:
                raise BulkRefused(problems)  # leaving the block by an exception rolls back
        return len(selected)


class ClosePeriodForm(forms.Form):
    period = forms.CharField(label=_("Periodo a cerrar"), max_length=10, help_text=PERIOD_HELP)
    reason = forms.CharField(
        label=_("Observación"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Opcional: por qué se cierra (por ejemplo, el informe anual entregado)."),
    )


class ReopenPeriodForm(forms.Form):
    reason = _text_the_workflow_requires(
        _("Motivo para abrir de nuevo"), _("Queda en el historial del periodo."), rows=2
    )


def add_workflow_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a workflow refusal on the form's field it names, or on the form as a whole."""
    for name, messages in error.message_dict.items():
        field = name if name in form.fields and name not in ("version", "next") else None
        for message in messages:
            form.add_error(field, message)


# --- How refusals read --------------------------------------------------------------------


def item_label(m: Measurement) -> str:
    return f"{m.indicator.code} · {m.period}"


def _short(text: str) -> str:
    """A value cut for the one-line message (the field may hold a long analysis)."""
    return text if len(text) <= 80 else f"{text[:79]}…"


def conflict_message(m: Measurement, conflict: workflow.Conflict) -> str:
    """The refusal, what changed (before → after) and who changed it last, in one line."""
    parts = [f"{item_label(m)}: {conflict}"]
    changes = "; ".join(
        f"{c.label}: {_short(c.seen)} → {_short(c.current)}" for c in conflict.changes
    )
    if changes:
        parts.append(gettext("Cambios: %(changes)s.") % {"changes": changes})
    if conflict.changed_by is not None and conflict.changed_at is not None:
        who = conflict.changed_by.get_full_name() or conflict.changed_by.get_username()
        when = formats.date_format(conflict.changed_at, "SHORT_DATETIME_FORMAT")
        parts.append(gettext("Último cambio: %(who)s, %(when)s.") % {"who": who, "when": when})
    return " ".join(parts)


def refusal_message(m: Measurement, error: workflow.WorkflowError) -> str:
    return f"{item_label(m)}: {' '.join(error.messages)}"


def stale_message(m: Measurement) -> str:
    text = gettext("%(item)s: la página no indicaba qué versión del valor vio; recárguela.")
    return text % {"item": item_label(m)}
