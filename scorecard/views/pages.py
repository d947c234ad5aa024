"""The objective and indicator pages: structure, figures at a cut-off and their history.

Figures come from ``scorecard.assembly`` and ``scorecard.arithmetic``; what a user may see
of unvalidated values and evidence comes from ``planning.access``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.db import models
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import formats
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from planning import access
from planning.models import Gadp, Indicator, Plan, StrategicObjective
from planning.periods import Period, periods_between
from scorecard import arithmetic as ar
from scorecard import charts, selectors, trend
from scorecard.assembly import (
    INDICATOR_FIELDS,
    IndicatorRow,
    _rule,
    evaluate,
    load_plan_data,
    plan_bands,
)
from scorecard.change_history import HISTORY_LIMIT, indicator_history
from scorecard.formatting import plain
from scorecard.models import Measurement
from scorecard.views.cutoff import period_choices, read_cutoff

# The ficha's calculation settings; every other field of Indicator is the ficha itself.
CALCULATION_FIELDS = Indicator.CALCULATION_FIELDS
HIDDEN_FIELDS = ("id", "order")


def _svg(markup: str):
    # Safe: scorecard.charts escapes every text it writes into the SVG.
    return mark_safe(markup)


def _crumbs(cutoff, *tail) -> list[tuple[str, str | None]]:
    """Planes › plan › Tablero (at the same cut-off) › what follows."""
    plan = cutoff.plan
    return [
        (_("Planes"), reverse("plan-list")),
        (plan.code, reverse("plan-detail", args=[plan.code])),
        (_("Tablero"), reverse("home") + f"?plan={quote(plan.code)}&{cutoff.query}"),
        *tail,
    ]


# --- Objective page -----------------------------------------------------------------------


@dataclass
class ObjectiveIndicator:
    """An indicator of the objective: its figures at the cut-off and at each trend period."""

    row: IndicatorRow
    indicator: Indicator
    history: list[Decimal | None]  # raw achievement per trend period; None: no figure
    sparkline: str


@login_required
def objective_detail(request, code: str, obj_code: str):
    """An objective at the cut-off: results rolled up, indicators with their evolution."""
    access.require_read(request.user)
    plan = get_object_or_404(Plan, code=code)
    try:
        objective = selectors.objective_page(plan, obj_code)
    except StrategicObjective.DoesNotExist as exc:
        raise Http404 from exc
    indicators = list(objective.indicators.all())
    cutoff = read_cutoff(request, plan, {i.responsible_unit_id for i in indicators})
    periods = trend.periods(plan, cutoff.period)
    cards = trend.scorecards(plan, cutoff.period, include_unvalidated=cutoff.unvalidated)
    row = next(o for o in cards[-1].objectives if o.pk == objective.pk)
    history = {i.pk: [] for i in indicators}
    for card in cards:
        for item in card.indicators:
            if item.pk in history:
                history[item.pk].append(item.result.achievement)
    labels = [p.code for p in periods]
    context = {
        "plan": plan,
        "objective": objective,
        "row": row,
        "cutoff": cutoff,
        "period_groups": period_choices(cutoff),
        "results": _results(objective, row, plan),
        "indicators": _objective_indicators(row, indicators, history, labels),
        "labels": labels,
        "crumbs": _crumbs(cutoff, (objective.code, None)),
    }
    return render(request, "scorecard/objective_detail.html", context)


def _results(objective, row, plan) -> list[tuple]:
    """Each expected result rolled up from the indicators linked to it (plan bands)."""
    result_of = {i.pk: i.result_id for i in objective.indicators.all()}
    results = []
    for result in objective.expectedresult_set.all():
        linked = [i for i in row.indicators if result_of.get(i.pk) == result.pk]
        node = ar.roll_up(((i.result, i.weight) for i in linked), plan_bands(plan))
        target = "" if result.target_value is None else plain(result.target_value)
        results.append((result, node, linked, target))
    return results


def _objective_indicators(row, indicators, history, labels) -> list[ObjectiveIndicator]:
    by_pk = {i.pk: i for i in indicators}
    items = []
    for item in row.indicators:
        title = _("Cumplimiento de %(code)s por periodo") % {"code": item.code}
        line = charts.sparkline(history[item.pk], title=title, labels=labels)
        items.append(ObjectiveIndicator(item, by_pk[item.pk], history[item.pk], _svg(line)))
    return items


# --- Indicator page -----------------------------------------------------------------------


@dataclass
class PeriodRow:
    """One period of an indicator: its target, its own value and the measurement behind it."""

    period: Period
    target: object  # planning.Target or None
    measurement: Measurement | None
    value: Decimal | None  # the period's own value (a ratio: Σ n / Σ d × factor)

    @property
    def fraction(self) -> str:
        """A ratio's reported numerator / denominator, as written ("18 / 25")."""
        m = self.measurement
        if m is None or m.numerator is None:
            return ""
        return f"{plain(m.numerator)} / {plain(m.denominator)}"

    @property
    def provisional(self) -> bool:
        m = self.measurement
        return m is not None and m.status != Measurement.Status.VALIDATED


def readable_indicator(request, code: str, ind_code: str) -> tuple[Plan, Indicator]:
    """The plan and indicator of a URL, as the access helper lets this user read them.

    404 for an unknown plan or indicator, or for a user who may not read plans.
    """
    access.require_read(request.user)
    plan = get_object_or_404(Plan, code=code)
    try:
        indicator = selectors.indicator_page(plan, ind_code)
    except Indicator.DoesNotExist as exc:
        raise Http404 from exc
    return plan, access.check_indicator(request.user, indicator)


@login_required
def indicator_detail(request, code: str, ind_code: str):
    """The ficha, the semáforo at the cut-off, targets against values and their history."""
    plan, indicator = readable_indicator(request, code, ind_code)
    cutoff = read_cutoff(request, plan, [indicator.responsible_unit_id])
    data = load_plan_data(
        plan, cutoff.period, include_unvalidated=cutoff.unvalidated, only=[indicator.pk]
    )
    row = evaluate(data, cutoff.period).indicators[0]
    measurements = selectors.indicator_measurements(
        indicator, unvalidated=cutoff.may_see_unvalidated
    )
    periods = _period_rows(indicator, selectors.indicator_targets(indicator), measurements)
    context = {
        "plan": plan,
        "indicator": indicator,
        "row": row,
        "cutoff": cutoff,
        "period_groups": period_choices(cutoff),
        "periods": periods,
        "chart": _svg(targets_chart(indicator, periods)),
        "ficha": _fields(indicator, lambda f: f.name not in CALCULATION_FIELDS),
        "settings": _fields(indicator, lambda f: f.name in CALCULATION_FIELDS),
        "gadp": _gadp_table(indicator, measurements) if indicator.disaggregated_by_gadp else None,
        "show_evidence": cutoff.may_see_unvalidated,
        "history": indicator_history(
            indicator, unvalidated=access.can_see_unvalidated(request.user, indicator)
        ),
        "history_limit": HISTORY_LIMIT,
        "crumbs": _crumbs(
            cutoff,
            (
                indicator.objective.code,
                reverse("objective-detail", args=[plan.code, indicator.objective.code])
                + f"?{cutoff.query}",
            ),
            (indicator.code, None),
        ),
    }
    return render(request, "scorecard/indicator_detail.html", context)


def _indicator_rule(indicator: Indicator) -> ar.IndicatorRule:
    """The indicator's settings, evaluated period by period (each period's own value)."""
    row = {name: getattr(indicator, name) for name in INDICATOR_FIELDS if "__" not in name}
    return dataclasses.replace(_rule(row), accumulation=ar.DISCRETE)


def _own_value(rule, bands, period: Period, measurement: Measurement | None) -> Decimal | None:
    """The period's own value by the arithmetic (a ratio is n / d × factor); None if none."""
    if measurement is None or period.periodicity != rule.periodicity:
        return None
    observation = ar.Observation(measurement.value, measurement.numerator, measurement.denominator)
    return ar.evaluate_indicator(rule, period, {period: observation}, {}, bands).value


def _period_rows(indicator, targets, measurements) -> list[PeriodRow]:
    """Every period of the indicator in the plan's years, and any other with data, in order."""
    plan = indicator.plan
    targets = {t.period: t for t in targets}
    own = {m.period: m for m in measurements if m.gadp_id is None}
    codes = {p.code for p in periods_between(plan.start_year, plan.end_year, indicator.periodicity)}
    codes |= set(targets) | set(own)
    rule, bands = _indicator_rule(indicator), plan_bands(plan)
    rows = []
    for period in sorted((Period.parse(c) for c in codes), key=lambda p: p.sort_key):
        m = own.get(period.code)
        value = _own_value(rule, bands, period, m)
        rows.append(PeriodRow(period, targets.get(period.code), m, value))
    return rows


def targets_chart(indicator: Indicator, periods: list[PeriodRow], **size) -> str:
    """The targets-vs-values chart of the indicator's own periods; ``size`` for the PDF."""
    bars = [
        charts.Bar(
            label=row.period.code,
            value=row.value,
            target=row.target.value if row.target else None,
            target_max=row.target.value_max if row.target else None,
            provisional=row.provisional,
        )
        for row in periods
        if row.period.periodicity == indicator.periodicity
    ]
    title = _("Metas y valores de %(code)s por periodo") % {"code": indicator.code}
    return charts.targets_vs_values(bars, title=title, unit=indicator.unit_of_measure, **size)


def _gadp_table(indicator: Indicator, measurements: list[Measurement]) -> dict:
    """Every GADP against the periods that have a per-GADP value (one query for the GADP)."""
    parts = [m for m in measurements if m.gadp_id is not None]
    periods = sorted({m.period for m in parts}, key=lambda c: Period.parse(c).sort_key)
    cells = {(m.gadp_id, m.period): m for m in parts}
    rule, bands = _indicator_rule(indicator), plan_bands(indicator.plan)
    rows = []
    for gadp in Gadp.objects.order_by("code"):
        row = []
        for code in periods:
            m = cells.get((gadp.pk, code))
            row.append((m, _own_value(rule, bands, Period.parse(code), m)))
        rows.append((gadp, row))
    return {"periods": periods, "rows": rows}


def _display(indicator: Indicator, field: models.Field) -> str:
    """A field's value as a person reads it: choice labels, Sí/No, plain numbers, dates."""
    value = getattr(indicator, field.name)
    if field.name in ("green_threshold", "yellow_threshold") and value is None:
        plan_value = getattr(indicator.plan, field.name)
        return _("El del plan (%(value)s %%)") % {"value": plain(plan_value)}
    if field.choices:
        return getattr(indicator, f"get_{field.name}_display")()
    if isinstance(field, models.BooleanField):
        return _("Sí") if value else _("No")
    if value is None or value == "":
        return _("No registrado")
    if isinstance(field, models.DecimalField):
        return plain(value)
    if isinstance(field, models.DateField):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


def _fields(indicator: Indicator, keep) -> list[tuple[str, str, bool]]:
    """(Spanish label from verbose_name, value, long text?) for the model's fields kept."""
    shown = []
    for field in indicator._meta.concrete_fields:
        if field.name in HIDDEN_FIELDS or not keep(field):
            continue
        label = capfirst(field.verbose_name)
        shown.append((label, _display(indicator, field), isinstance(field, models.TextField)))
    return shown


# --- History of changes -------------------------------------------------------------------
