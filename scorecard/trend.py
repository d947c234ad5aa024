"""The plan evaluated over its years up to a cut-off: the tablero's trend, the objective
page's evolution and the PDF report's trend chart share it (and reuse it, ``scorecard.cache``).
"""

from __future__ import annotations

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from planning.models import Plan
from planning.periods import ANNUAL, Period
from scorecard import cache, charts
from scorecard.assembly import Scorecard, plan_bands


def periods(plan: Plan, cutoff: Period) -> list[Period]:
    """The plan's years before the cut-off's, then the cut-off itself (a year or a part)."""
    years = [Period(y, ANNUAL) for y in range(plan.start_year, cutoff.year)]
    return [*years, cutoff]


def scorecards(plan: Plan, cutoff: Period, *, include_unvalidated=False) -> list[Scorecard]:
    """The plan's scorecard at each of ``periods(plan, cutoff)``; the last is the cut-off's."""
    return cache.scorecards(plan, periods(plan, cutoff), include_unvalidated=include_unvalidated)


def chart(plan: Plan, cards: list[Scorecard]) -> tuple[SafeString, list[tuple]]:
    """The plan's score at each card's cut-off, drawn and as (period code, node) rows."""
    nodes = [(card.cutoff.code, card.node) for card in cards]
    title = _("Cumplimiento del plan %(plan)s hasta %(period)s (%%)") % {
        "plan": plan.code,
        "period": cards[-1].cutoff.code,
    }
    svg = charts.line_chart(
        [(label, node.achievement) for label, node in nodes], title=title, bands=plan_bands(plan)
    )
    # Safe: charts escapes every text it writes into the SVG.
    return mark_safe(svg), nodes
