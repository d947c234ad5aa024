"""Closed periods: everyone reads the list; Planificación closes a period and opens it again.

The rules (what a closed period blocks, that reopening needs a reason) are in
``scorecard.workflow``; who may change them is ``planning.access.can_validate``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from planning import access
from planning.periods import Period
from scorecard import selectors, workflow
from scorecard.forms.validation import ClosePeriodForm, ReopenPeriodForm, add_workflow_errors
from scorecard.models import ClosedPeriod


def _closed_url(plan) -> str:
    return reverse("closed-periods") + "?" + QueryDict.fromkeys(["plan"], plan.code).urlencode()


def _closed_page(request, plans, plan, *, close_form=None, reopen=(None, None)):
    """The list (everyone who reads plans) and, for validators, the forms to close and open."""
    may_change = access.can_validate(request.user)
    closed = list(plan.closed_periods.select_related("closed_by")) if plan else []
    closed.sort(key=lambda c: Period.parse(c.period).sort_key)
    reopen_pk, reopen_form = reopen
    rows = [
        (c, (reopen_form if c.pk == reopen_pk else _reopen_form(c)) if may_change else None)
        for c in closed
    ]
    context = {
        "plans": plans,
        "plan": plan,
        "rows": rows,
        "may_change": may_change,
        "close_form": (close_form or ClosePeriodForm()) if may_change and plan else None,
    }
    return render(request, "scorecard/validation/closed_periods.html", context)


def _reopen_form(closed: ClosedPeriod, data=None) -> ReopenPeriodForm:
    # One form per row: ids carry the row so each label points at its own field.
    return ReopenPeriodForm(data, auto_id=f"id_abrir_{closed.pk}_%s")


@login_required
def closed_periods(request):
    """The plan's closed periods; validators close one here (POST)."""
    access.require_read(request.user)
    plan, plans = selectors.chosen_plan(request.GET.get("plan", "").strip())
    if request.method != "POST":
        return _closed_page(request, plans, plan)
    if not access.can_validate(request.user):
        raise PermissionDenied
    if plan is None:
        raise Http404
    form = ClosePeriodForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            closed = workflow.close_period(request.user, plan, data["period"], data["reason"])
        except workflow.WorkflowError as error:
            add_workflow_errors(form, error)
        else:
            messages.success(request, _("Periodo %(period)s cerrado.") % {"period": closed.period})
            return redirect(_closed_url(plan))
    return _closed_page(request, plans, plan, close_form=form)


@login_required
@require_POST
def closed_period_reopen(request, pk: int):
    access.require_read(request.user)
    closed = get_object_or_404(ClosedPeriod.objects.select_related("plan"), pk=pk)
    if not access.can_validate(request.user):
        raise PermissionDenied
    plan, period = closed.plan, closed.period
    form = _reopen_form(closed, request.POST)
    if form.is_valid():
        try:
            workflow.reopen_period(request.user, closed, form.cleaned_data["reason"])
        except workflow.WorkflowError as error:
            add_workflow_errors(form, error)
        else:
            messages.success(
                request, _("Periodo %(period)s abierto de nuevo.") % {"period": period}
            )
            return redirect(_closed_url(plan))
    return _closed_page(request, selectors.plans_to_choose(), plan, reopen=(pk, form))
