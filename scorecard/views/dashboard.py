"""The tablero: the plan's scorecard at a cut-off, for directors (read only).

The figures are read once and evaluated at the cut-off and at each year of the trend
(``scorecard.trend``, reused while the data does not change); nothing here computes a
figure. The cut-off comes from ``scorecard.views.cutoff``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from planning import access
from scorecard import arithmetic as ar
from scorecard import selectors, trend
from scorecard.assembly import IndicatorRow, ObjectiveRow, PerspectiveRow
from scorecard.views import paging
from scorecard.views.cutoff import CutOff, period_choices, read_cutoff


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
