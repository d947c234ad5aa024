"""The organizational unit form; its members only for administrators."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from planning import access
from planning.forms.base import ElementForm, formfield
from planning.models import OrgUnit


class OrgUnitForm(ElementForm):
    """A unit of the plan's institution: code, name, kind, parent and (admins) its members.

    Who belongs to a unit decides what its reporters may report, so planners see the
    members but only administrators change them (``access.can_manage_members``).
    """

    class Meta:
        model = OrgUnit
        fields = ["code", "name", "kind", "parent", "order", "members"]
        formfield_callback = formfield
        help_texts = {
            "members": gettext_lazy(
                "Personas que reportan por esta unidad. Puede elegir varias (Ctrl o Mayús)."
            )
        }
        widgets = {"members": forms.SelectMultiple(attrs={"size": 10})}

    def restrict_choices(self):
        if not access.can_manage_members(self.user):
            del self.fields["members"]
        else:
            self.fields["members"].queryset = (
                get_user_model().objects.filter(is_active=True).order_by("username")
            )
        units = OrgUnit.objects.filter(institution_id=self.plan.institution_id)
        self.fields["parent"].queryset = units.exclude(pk=self.instance.pk)

    def scope(self) -> dict:
        return {"institution_id": self.plan.institution_id}

    def duplicate_message(self, code: str) -> str:
        return _("El código «%(code)s» ya lo usa otra unidad de la institución: elija otro.") % {
            "code": code
        }
