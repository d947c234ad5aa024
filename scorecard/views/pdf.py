"""PDF downloads: the scorecard report of a plan at a cut-off, and an indicator's ficha.

Every signed-in role reads both (the scorecard is public information of the institution);
the access helper decides who may ask for unvalidated values. The documents themselves are
made by ``scorecard.pdf``.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from planning import access
from planning.models import Plan
from scorecard.pdf import ficha_pdf, scorecard_pdf
from scorecard.views import pages
from scorecard.views.cutoff import read_cutoff


def _attachment(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@require_GET
@login_required
@never_cache
def scorecard_report(request, code: str):
    """``?period=P`` (default: the last year with a validated value), as the pages read it.

    ``?unvalidated=1`` counts reported values too, only for those who may see every
    unvalidated value of the plan; for anyone else it is ignored and the cover says
    "Valores validados".
    """
    access.require_read(request.user)
    plan = get_object_or_404(Plan, code=code)
    # The cut-off only: who may see unvalidated values is decided just below, for the plan.
    period = read_cutoff(request, plan, []).period
    unvalidated = request.GET.get("unvalidated") == "1" and access.can_see_all_unvalidated(
        request.user
    )
    pdf = scorecard_pdf(plan, period, include_unvalidated=unvalidated)
    return _attachment(pdf, f"cmi-{plan.code}-{period.code}.pdf")


@require_GET
@login_required
@never_cache
def indicator_ficha(request, code: str, ind_code: str):
    """The ficha metodológica of one indicator (validated values only)."""
    _plan, indicator = pages.readable_indicator(request, code, ind_code)
    return _attachment(ficha_pdf(indicator), f"ficha-{indicator.code}.pdf")
