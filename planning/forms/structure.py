"""Forms of the plan's structure: perspectives, objectives, strategies, expected results."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from planning.forms.base import ElementForm, formfield
from planning.models import (
    ExpectedResult,
    OrgUnit,
    Perspective,
    StrategicObjective,
    Strategy,
)

CHOOSE_SEVERAL = _("Puede elegir varios (Ctrl o Mayús al hacer clic; flechas y espacio).")


class PerspectiveForm(ElementForm):
    class Meta:
        model = Perspective
        fields = ["code", "name", "description", "weight", "order"]
        formfield_callback = formfield
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class ObjectiveForm(ElementForm):
    """An objective with its weight, perspective, responsible units and cause-effect links."""

    class Meta:
        model = StrategicObjective
        fields = [
            "code",
            "perspective",
            "name",
            "short_name",
            "axis",
            "description",
            "weight",
            "order",
            "responsible_units",
            "effects",
        ]
        formfield_callback = formfield
        labels = {"effects": _("Contribuye a (relación causa-efecto)")}
        help_texts = {"responsible_units": CHOOSE_SEVERAL, "effects": CHOOSE_SEVERAL}
        widgets = {
            "name": forms.Textarea(attrs={"rows": 3}),
            "description": forms.Textarea(attrs={"rows": 3}),
            "responsible_units": forms.SelectMultiple(attrs={"size": 8}),
            "effects": forms.SelectMultiple(attrs={"size": 6}),
        }

    def restrict_choices(self):
        self.fields["perspective"].queryset = Perspective.objects.filter(plan=self.plan)
        self.fields["responsible_units"].queryset = OrgUnit.objects.filter(
            institution_id=self.plan.institution_id
        )
        self.fields["effects"].queryset = StrategicObjective.objects.filter(plan=self.plan).exclude(
            pk=self.instance.pk
        )


class ObjectiveChildForm(ElementForm):
    """Something that hangs from one of the plan's objectives."""

    def restrict_choices(self):
        self.fields["objective"].queryset = StrategicObjective.objects.filter(plan=self.plan)


class StrategyForm(ObjectiveChildForm):
    class Meta:
        model = Strategy
        fields = ["code", "objective", "text", "order"]
        formfield_callback = formfield
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}


class ResultForm(ObjectiveChildForm):
    """An expected result: its literal text and the target it states, machine-readable."""

    class Meta:
        model = ExpectedResult
        fields = [
            "code",
            "objective",
            "text",
            "printed_code",
            "target_value",
            "target_unit",
            "target_year",
            "order",
        ]
        formfield_callback = formfield
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}
