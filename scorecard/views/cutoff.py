"""The cut-off a scorecard page shows: read from ``?period=`` and ``?unvalidated=1``.

Shared by the tablero, the CMI, the objective and indicator pages, their exports and PDFs:
one reading of the query string, and the access helper decides who sees unvalidated values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from planning import access
from planning.models import Plan
from planning.periods import ANNUAL, QUARTERLY, SEMESTRAL, InvalidPeriod, Period, periods_of_year
from scorecard import selectors

PART_NAMES = {
    ANNUAL: [gettext_lazy("año completo")],
    SEMESTRAL: [gettext_lazy("primer semestre"), gettext_lazy("segundo semestre")],
    QUARTERLY: [
        gettext_lazy("primer trimestre"),
        gettext_lazy("segundo trimestre"),
        gettext_lazy("tercer trimestre"),
        gettext_lazy("cuarto trimestre"),
    ],
}


@dataclass
class CutOff:
    """The cut-off a page shows, whether unvalidated values count, and what was not taken."""

    plan: Plan
    period: Period
    unvalidated: bool = False
    may_see_unvalidated: bool = False
    notices: list[str] = field(default_factory=list)

    @property
    def query(self) -> str:
        """The query string that carries this cut-off to the next page."""
        params = {"period": self.period.code}
        if self.unvalidated:
            params["unvalidated"] = "1"
        return urlencode(params)


def read_cutoff(request, plan: Plan, unit_ids) -> CutOff:
    """The cut-off asked for in ``?period=`` (default: the last year with validated values).

    ``?unvalidated=1`` is honoured only when the user may see the unvalidated values of
    every indicator the page shows, whose responsible units are ``unit_ids`` (the access
    helper decides); otherwise a notice says so.
    """
    may = access.can_see_unvalidated_of_units(request.user, unit_ids)
    text = request.GET.get("period", "").strip()
    period = _period_in_plan(text, plan)
    cutoff = CutOff(plan, period or _default_period(plan), may_see_unvalidated=may)
    if text and period is None:
        cutoff.notices.append(
            _("«%(text)s» no es un periodo del plan; se muestra el corte %(period)s.")
            % {"text": text, "period": cutoff.period.code}
        )
    if request.GET.get("unvalidated") == "1":
        cutoff.unvalidated = may
        if not may:
            cutoff.notices.append(_("Solo se muestran valores validados."))
    return cutoff


def _period_in_plan(text: str, plan: Plan) -> Period | None:
    """The period written in ``text`` when it is one within the plan's years, else None."""
    try:
        period = Period.parse(text)
    except InvalidPeriod:
        return None
    return period if plan.start_year <= period.year <= plan.end_year else None


def _default_period(plan: Plan) -> Period:
    """The latest year of the plan with a validated value, else its first year."""
    return Period(selectors.latest_validated_year(plan) or plan.start_year, ANNUAL)


def period_choices(cutoff: CutOff) -> list[tuple[int, list[tuple[str, str]]]]:
    """Years, semesters and quarters of the plan's years, grouped by year, for a <select>."""
    groups = []
    for year in range(cutoff.plan.start_year, cutoff.plan.end_year + 1):
        options = [
            (p.code, f"{p.code} · {PART_NAMES[periodicity][p.number - 1]}")
            for periodicity in (ANNUAL, SEMESTRAL, QUARTERLY)
            for p in periods_of_year(year, periodicity)
        ]
        if cutoff.period.year == year and cutoff.period.code not in dict(options):
            options.append((cutoff.period.code, cutoff.period.code))  # a month, typed by hand
        groups.append((year, options))
    return groups
