"""The tablero: the plan's scorecard at a cut-off, for directors (read only).

The figures are read once and evaluated at the cut-off and at each year of the trend
(``scorecard.trend``, reused while the data does not change); nothing here computes a
figure. The cut-off helpers are shared with the objective and indicator pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from planning import access
from planning.models import Plan
from planning.periods import ANNUAL, QUARTERLY, SEMESTRAL, InvalidPeriod, Period, periods_of_year
from scorecard import arithmetic as ar
from scorecard import selectors, trend
from scorecard.assembly import IndicatorRow, ObjectiveRow, PerspectiveRow
from scorecard.views import paging

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


@dataclass
class Line:
    """A row of an indicator table: the indicator and where it sits in the plan."""

    indicator: IndicatorRow
    objective: ObjectiveRow
    perspective: PerspectiveRow


def _attention(lines: list[Line]) -> list[Line]:
    """Red indicators, lowest achievement first, then grey ones in the plan's order."""
    red = [line for line in lines if line.indicator.status == ar.RED]
    red.sort(key=lambda line: ar.capped(line.indicator.result.achievement))
    return red + [line for line in lines if line.indicator.status == ar.GREY]


def _choice(request, name: str, allowed: list[str], what: str, cutoff: CutOff) -> str:
    """A filter's value when it is one of ``allowed``; otherwise no filter, and a notice."""
    value = request.GET.get(name, "").strip()
    if value and value not in allowed:
        cutoff.notices.append(_("No existe %(what)s «%(value)s».") % {"what": what, "value": value})
        return ""
    return value


def _tables(request, card, unit: str, perspective: str) -> tuple[list[PerspectiveRow], list[tuple]]:
    """The perspectives shown, and the indicator tables narrowed by unit and perspective.

    Each table is (id, heading, one page of its rows, what to say when empty): red and grey
    first. ``?pagina-<id>=`` chooses each table's page.
    """
    perspectives = [p for p in card.perspectives if not perspective or p.code == perspective]
    lines = [
        Line(i, o, p)
        for p in perspectives
        for o in p.objectives
        for i in o.indicators
        if not unit or i.unit_code == unit
    ]
    tables = [
        (
            "atencion",
            _("Requieren atención"),
            _attention(lines),
            _("Ningún indicador en rojo ni sin dato."),
        ),
        (
            "indicadores",
            _("Todos los indicadores"),
            lines,
            _("Ningún indicador con estos filtros."),
        ),
    ]
    return perspectives, [
        (
            table_id,
            heading,
            paging.paginate(
                request,
                rows,
                f"pagina-{table_id}",
                label=_("Páginas de la tabla «%(table)s»") % {"table": heading},
                anchor=table_id,
            ),
            empty,
        )
        for table_id, heading, rows, empty in tables
    ]


@login_required
def home(request):
    """The tablero of a plan (``?plan=``) at a cut-off, filtered by unit and perspective."""
    access.require_read(request.user)
    plan, plans = selectors.chosen_plan(request.GET.get("plan"))
    if plan is None:
        return redirect("plan-list")
    units, unit_ids = selectors.plan_units(plan)
    cutoff = read_cutoff(request, plan, unit_ids)
    cards = trend.scorecards(plan, cutoff.period, include_unvalidated=cutoff.unvalidated)
    card = cards[-1]
    unit = _choice(request, "unit", [u.code for u in units], _("la unidad"), cutoff)
    perspective = _choice(
        request, "perspective", [p.code for p in card.perspectives], _("la perspectiva"), cutoff
    )
    perspectives, tables = _tables(request, card, unit, perspective)
    trend_svg, trend_rows = trend.chart(plan, cards)
    context = {
        "plan": plan,
        "plans": plans,
        "cutoff": cutoff,
        "card": card,
        "perspectives": perspectives,
        "tables": tables,
        "crumbs": [
            (_("Planes"), reverse("plan-list")),
            (plan.code, reverse("plan-detail", args=[plan.code])),
            (_("Tablero"), None),
        ],
        "trend_svg": trend_svg,
        "trend": trend_rows,
        "units": units,
        "unit": next((u for u in units if u.code == unit), None),
        "perspective": perspective,
        "period_groups": period_choices(cutoff),
        "provisional": any(i.provisional for i in card.indicators),
    }
    return render(request, "scorecard/dashboard.html", context)
