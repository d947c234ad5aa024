"""Reading the plan: the list of plans and one plan's document."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from planning import access, selectors
from planning.models import Plan


@login_required
def plan_list(request):
    access.require_read(request.user)
    plans = Plan.objects.select_related("institution").order_by("-start_year", "code")
    return render(request, "planning/plan_list.html", {"plans": plans})


# Planners edit the plan in the browser: the page must show their change on the next load.
@never_cache
@login_required
def plan_detail(request, code: str):
    access.require_read(request.user)
    try:
        plan = selectors.plan_document(code)
    except Plan.DoesNotExist as exc:
        raise Http404 from exc
    return render(request, "planning/plan_detail.html", {"plan": plan})
