"""What every form of a plan element shares: crispy layout, version token, unique codes."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from planning import concurrency
from planning.forms.numbers import NumberField

#: Form fields that are not the element's own data.
OWN = ("version", "reason")


def formfield(db_field, **kwargs):
    """Model fields to form fields, with decimals read by :class:`NumberField`."""
    if isinstance(db_field, models.DecimalField):
        return NumberField(
            max_digits=db_field.max_digits,
            decimal_places=db_field.decimal_places,
            required=not db_field.blank,
            label=capfirst(db_field.verbose_name),
            help_text=db_field.help_text,
        )
    if isinstance(db_field, models.DateField):
        kwargs["widget"] = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    return db_field.formfield(**kwargs)


class ElementForm(forms.ModelForm):
    """A plan element's form, for ``plan``.

    ``version`` carries what the form showed (:mod:`planning.concurrency`); ``reason`` is an
    optional note the history keeps. Codes are unique within :meth:`scope` (the plan), and
    a duplicate is an error on the code field, not a database error.
    """

    version = forms.CharField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(
        label=gettext_lazy("Motivo del cambio (opcional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Queda en el historial junto con el cambio."),
    )

    def __init__(self, *args, plan, user, **kwargs):
        self.plan, self.user = plan, user
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the page's <form> carries the token
        self.restrict_choices()
        if self.instance.pk:
            self.fields["version"].initial = concurrency.object_token(self.instance, self.watched)

    def restrict_choices(self) -> None:
        """Narrow the choices of related fields to the plan (each form says how)."""

    def scope(self) -> dict:
        """Where codes must be unique."""
        return {"plan": self.plan}

    @property
    def watched(self) -> list[str]:
        """The element's fields this form shows: what the version token covers."""
        return [name for name in self.fields if name not in OWN]

    @property
    def relations(self) -> list[str]:
        """The many-to-many fields this form edits (saved after the element)."""
        return [n for n in self.watched if self._meta.model._meta.get_field(n).many_to_many]

    def changed_fields(self) -> list[str]:
        return [name for name in self.changed_data if name not in OWN]

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if "/" in code:
            raise forms.ValidationError(_("El código no puede contener «/»."))
        if self.duplicate(code):
            raise forms.ValidationError(self.duplicate_message(code), code="unique")
        return code

    def duplicate(self, code: str) -> bool:
        others = self._meta.model._default_manager.filter(**self.scope(), code__iexact=code)
        return others.exclude(pk=self.instance.pk).exists()

    def duplicate_message(self, code: str) -> str:
        return _("El código «%(code)s» ya lo usa otro elemento de este plan: elija otro.") % {
            "code": code
        }

    def integrity_failed(self) -> None:
        """Explain a refusal of the database (a race the checks above could not see)."""
        code = self.cleaned_data.get("code")
        if code and self.duplicate(code):
            self.add_error("code", self.duplicate_message(code))
        else:
            self.add_error(
                None, _("La base de datos rechazó estos valores: revíselos y vuelva a intentarlo.")
            )


class DeleteForm(forms.Form):
    """The confirmation of a deletion: what the page showed, and an optional reason."""

    version = forms.CharField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(
        label=gettext_lazy("Motivo de la eliminación (opcional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Queda en el historial."),
    )

    def __init__(self, *args, element, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the page's <form> carries the token
        fields = concurrency.editable_fields(type(element))
        self.fields["version"].initial = concurrency.object_token(element, fields)
