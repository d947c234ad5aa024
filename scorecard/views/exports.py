"""Downloads of the scorecard: ``/planes/<code>/cmi.xlsx?period=P`` (the CMI as a workbook)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from planning import access
from planning.models import Plan
from planning.periods import InvalidPeriod, Period
from scorecard import cache, exports, selectors
from scorecard.views.cutoff import read_cutoff


def _is_plan_period(text: str, plan: Plan) -> bool:
    try:
        period = Period.parse(text)
    except InvalidPeriod:
        return False
    return plan.start_year <= period.year <= plan.end_year


@require_GET
@login_required
def scorecard_xlsx(request, code: str):
    """The CMI page's scorecard, same ``?period=`` and ``?unvalidated=1``, as an xlsx file.

    A period that is not one of the plan's answers 400: a file must not silently hold
    another cut-off than the one asked for (the page shows a notice instead). Queries,
    whatever the plan's size: the plan, its indicators (who may see unvalidated values),
    the default cut-off when none is asked for, 5 for the scorecard, plus the session,
    user and role lookups.
    """
    access.require_read(request.user)
    plan = get_object_or_404(Plan, code=code)
    asked = request.GET.get("period", "").strip()
    if asked and not _is_plan_period(asked, plan):
        return HttpResponseBadRequest(
            f"«{asked}» no es un periodo del plan {plan.code} "
            f"({plan.start_year}–{plan.end_year}): use 2019, 2019-S1, 2019-T2 o 2019-03.",
            content_type="text/plain; charset=utf-8",
        )
    unit_ids = selectors.plan_units(plan)[1]
    cutoff = read_cutoff(request, plan, unit_ids)
    card = cache.scorecard(plan, cutoff.period, include_unvalidated=cutoff.unvalidated)
    response = HttpResponse(exports.scorecard_xlsx(card), content_type=exports.CONTENT_TYPE)
    # Codes are the plan's own text: the header is quoted (and encoded) by Django.
    response["Content-Disposition"] = content_disposition_header(True, exports.filename(card))
    return response
