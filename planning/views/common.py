"""What every editing page shares: who may open it, and its breadcrumbs."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _

from planning import access
from planning.models import Plan


def editable_plan(request, code: str) -> Plan:
    """The plan to edit: 404 for an account without a role or an unknown plan, 403 for a
    role that reads the plan but does not change it (``access.can_edit_plan``)."""
    access.require_read(request.user)
    plan = get_object_or_404(Plan.objects.select_related("institution"), code=code)
    if not access.can_edit_plan(request.user):
        raise PermissionDenied
    return plan


def form_data(request):
    """The posted data, or None for a form that is only shown."""
    return request.POST if request.method == "POST" else None


def crumbs(plan: Plan, *tail) -> list[tuple[str, str | None]]:
    """Planes › plan › Editar › what follows."""
    return [
        (_("Planes"), reverse("plan-list")),
        (plan.code, reverse("plan-detail", args=[plan.code])),
        (_("Editar"), reverse("plan-edit", args=[plan.code])),
        *tail,
    ]
