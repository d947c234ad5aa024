from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from planning import access
from planning.models import Plan


@login_required
def home(request):
    """The start page: the newest approved (or, failing that, newest) plan."""
    access.require_read(request.user)
    plan = Plan.objects.order_by("-status", "-start_year").first()
    plan = Plan.objects.filter(status=Plan.Status.APPROVED).order_by("-start_year").first() or plan
    if plan is None:
        return redirect("plan-list")
    return redirect("plan-detail", code=plan.code)
