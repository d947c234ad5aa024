"""The editing area of one plan: every element with links to add, edit and delete."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from planning import selectors
from planning.models import OrgUnit
from planning.views.common import editable_plan


@never_cache
@login_required
def plan_edit(request, code: str):
    """The plan's structure and its institution's units (a fixed number of queries)."""
    editable_plan(request, code)
    plan = selectors.plan_document(code)
    units = OrgUnit.objects.filter(institution_id=plan.institution_id).select_related("parent")
    context = {
        "plan": plan,
        "units": units,
        "crumbs": [
            (_("Planes"), reverse("plan-list")),
            (plan.code, reverse("plan-detail", args=[plan.code])),
            (_("Editar"), None),
        ],
    }
    return render(request, "planning/plan_edit.html", context)
