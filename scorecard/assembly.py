"""The read side of the scorecard: a plan at a cut-off, in a fixed number of queries.

Reads plain rows (``values_list``), hands them to the pure arithmetic of
``scorecard.arithmetic`` and returns plain dataclasses that pages, exports, the JSON and the
command all share. Five queries whatever the size of the plan (indicators, measurements,
objectives, perspectives, targets); ``load_plan_data`` once and ``evaluate`` at several
cut-offs for a trend. ``build_scorecard``, for one cut-off, reads only the rows that
cut-off's figures can depend on (``_value_needs``, ``_target_needs``): for a plan of
thousands of monthly indicators over five years, one to a dozen values per indicator
rather than sixty, with the same figures.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Length, Substr

from planning.models import Indicator, Perspective, Plan, StrategicObjective, Target
from planning.periods import (
    ANNUAL,
    MONTHLY,
    PERIODICITIES,
    QUARTERLY,
    SEMESTRAL,
    Period,
    evaluation_period,
)
from scorecard import arithmetic as ar
from scorecard.models import Measurement

INDICATOR_FIELDS = (
    "pk",
    "code",
    "name",
    "objective_id",
    "responsible_unit__code",
    "periodicity",
    "polarity",
    "accumulation",
    "window",
    "calculation",
    "factor",
    "reference",
    "baseline",
    "green_threshold",
    "yellow_threshold",
    "weight",
    "unit_of_measure",
    "result_id",
)


@dataclass
class IndicatorRow:
    """One indicator at the cut-off, with what a table row shows beside the figures."""

    pk: int
    code: str
    name: str
    unit_code: str | None
    unit_of_measure: str
    result: ar.IndicatorResult
    weight: Decimal
    provisional: bool = False  # fed by reported-but-unvalidated values
    result_id: int | None = None  # the expected result (meta) it measures

    @property
    def status(self) -> str:
        return self.result.status


@dataclass
class ObjectiveRow:
    pk: int
    code: str
    name: str
    short_name: str
    weight: Decimal
    node: ar.NodeResult
    indicators: list[IndicatorRow] = field(default_factory=list)


@dataclass
class PerspectiveRow:
    pk: int
    code: str
    name: str
    weight: Decimal
    node: ar.NodeResult
    objectives: list[ObjectiveRow] = field(default_factory=list)


@dataclass
class Scorecard:
    plan: Plan
    cutoff: Period
    node: ar.NodeResult
    perspectives: list[PerspectiveRow]
    include_unvalidated: bool = False

    @property
    def objectives(self) -> list[ObjectiveRow]:
        return [o for p in self.perspectives for o in p.objectives]

    @property
    def indicators(self) -> list[IndicatorRow]:
        return [i for o in self.objectives for i in o.indicators]


def plan_bands(plan: Plan) -> ar.Bands:
    return ar.Bands(green=plan.green_threshold, yellow=plan.yellow_threshold)


def _rule(row: dict) -> ar.IndicatorRule:
    green, yellow = row["green_threshold"], row["yellow_threshold"]
    return ar.IndicatorRule(
        periodicity=row["periodicity"],
        polarity=row["polarity"],
        accumulation=row["accumulation"],
        window=row["window"],
        calculation=row["calculation"],
        factor=row["factor"],
        reference=row["reference"],
        baseline=row["baseline"],
        bands=ar.Bands(green=green, yellow=yellow)
        if green is not None and yellow is not None
        else None,
    )


class _Periods(dict):
    """Period.parse once per code: the rows of all plans share a few hundred codes.

    One Period object per code also makes the arithmetic's lookups of a period among the
    targets and among the values find the very same key (no ``__eq__`` call).
    """

    def __missing__(self, code: str) -> Period:
        period = self[code] = Period.parse(code)
        return period


_PERIODS = _Periods()


def _up_to_year_end(cutoff: Period) -> Q:
    """Rows up to the end of the cut-off's year: no evaluation looks later than that."""
    return Q(period__lt=str(cutoff.year + 1))


def _values(queryset, *fields: str) -> list[tuple]:
    """``queryset.values_list(*fields)``, unordered, each distinct value converted once.

    The same values: each column goes through the converters Django would apply (on
    SQLite a decimal arrives as a float and becomes a Decimal in Python; on PostgreSQL
    there is nothing to convert). Django's per-row machinery costs as much as the
    conversion itself over the tens of thousands of rows of a large plan. Plain fields only.
    """
    connection = connections[queryset.db]
    meta = queryset.model._meta
    columns = [meta.get_field(name).get_col(meta.db_table) for name in fields]
    converters = [
        connection.ops.get_db_converters(col) + col.get_db_converters(connection) for col in columns
    ]
    try:
        sql, params = queryset.order_by().values_list(*fields).query.sql_with_params()
    except EmptyResultSet:  # e.g. a plan without indicators: Django would not ask either
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows or not any(converters):
        return rows
    by_column = list(zip(*rows, strict=True))
    for n, (col, convert) in enumerate(zip(columns, converters, strict=True)):
        if convert:
            by_column[n] = map(_Converted(col, convert, connection).__getitem__, by_column[n])
    return list(zip(*by_column, strict=True))


class _Converted(dict):
    """A column's raw values, converted by the column's converters on first use.

    Keyed by the raw value: equal raw values (1 and 1.0 from SQLite) convert alike.
    """

    def __init__(self, col, converters, connection):
        super().__init__()
        self.col, self.converters, self.connection = col, converters, connection

    def __missing__(self, raw):
        value = raw
        for convert in self.converters:
            value = convert(value, self.col, self.connection)
        self[raw] = value
        return value


def _targets(where: Q) -> dict[int, dict[Period, ar.Goal]]:
    goals: dict[int, dict[Period, ar.Goal]] = defaultdict(dict)
    periods = _PERIODS
    rows = _values(Target.objects.filter(where), "indicator_id", "period", "value", "value_max")
    for ind, code, value, value_max in rows:
        goals[ind][periods[code]] = ar.Goal(value, value_max)
    return goals


def _statuses(include_unvalidated: bool) -> list[str]:
    statuses = [Measurement.Status.VALIDATED]
    if include_unvalidated:
        statuses.append(Measurement.Status.REPORTED)
    return statuses


def _observations(where: Q, statuses: list[str]):
    """Values (rows without a GADP) of the rows ``where`` selects whose status counts.

    Status and GADP are tested so that no index can serve them, on purpose: SQLite without
    statistics takes either for a selective index and reads the values of every plan,
    instead of seeking each indicator's periods. At most one row per indicator and period
    has no GADP, so the rows whose status does not count cost little.
    """
    observations: dict[int, dict[Period, ar.Observation]] = defaultdict(dict)
    unvalidated: dict[int, set[Period]] = defaultdict(set)
    periods = _PERIODS
    validated = Measurement.Status.VALIDATED
    rows = _values(
        Measurement.objects.alias(province=Coalesce("gadp_id", 0)).filter(where, province=0),
        *("indicator_id", "period", "value", "numerator", "denominator", "status"),
    )
    for ind, code, value, numerator, denominator, status in rows:
        if status not in statuses:
            continue
        period = periods[code]
        observations[ind][period] = ar.Observation(value, numerator, denominator)
        if status != validated:
            unvalidated[ind].add(period)
    return observations, unvalidated


def _is_provisional(result: ar.IndicatorResult, unvalidated: set[Period]) -> bool:
    """Whether an unvalidated value up to the evaluated period fed this figure."""
    if result.value is None or not unvalidated:
        return False
    return any(p.sort_key <= result.period.sort_key for p in unvalidated)


# Which stored rows an indicator's figure at one cut-off can depend on (DOMAIN 2), read off
# ``arithmetic.evaluate_indicator``: P's own row, P's year up to P, the plan up to P, or
# (nivel) the latest value up to P.
AT_P = "P"
YEAR_TO_P = "year"
PLAN_TO_P = "plan"
LATEST = "latest"


def _value_needs(row: dict) -> str:
    if row["polarity"] == ar.MILESTONE or row["accumulation"] == ar.DISCRETE:
        return AT_P
    if row["accumulation"] == ar.LEVEL:
        return LATEST
    return PLAN_TO_P if row["window"] == ar.WINDOW_PLAN else YEAR_TO_P


def _target_needs(row: dict) -> str:
    """Y is P's own target, except for the sums and means of acumulado and promedio values."""
    needs = _value_needs(row)
    if needs in (AT_P, LATEST) or row["calculation"] == ar.RATIO:
        return AT_P
    return needs


def _span(needs: str, evaluated: Period) -> Q:
    """The codes of the indicator's own periodicity that ``needs`` covers (codes sort by date)."""
    if needs == AT_P:
        return Q(period=evaluated.code)
    if needs == YEAR_TO_P:
        return Q(period__gte=str(evaluated.year), period__lte=evaluated.code)
    return Q(period__lte=evaluated.code)


# A code's periodicity from its shape: 2019, 2019-S1, 2019-T2, 2019-03.
_SHAPES = {
    ANNUAL: Q(code_length=4),
    SEMESTRAL: Q(code_letter="S"),
    QUARTERLY: Q(code_letter="T"),
    MONTHLY: Q(code_length=7, code_letter__in=["0", "1"]),
}


def _latest_values(ids: list[int], evaluated: Period, calculation: str, statuses) -> Q:
    """The latest row with a value of each of these nivel indicators, up to ``evaluated``."""
    if calculation == ar.RATIO:
        carries_value = Q(numerator__isnull=False, denominator__isnull=False) & ~Q(denominator=0)
    else:
        carries_value = Q(value__isnull=False)
    latest = (
        Measurement.objects.filter(
            carries_value,
            indicator_id=OuterRef("pk"),
            gadp__isnull=True,
            status__in=statuses,
            period__lte=evaluated.code,
        )
        .annotate(code_length=Length("period"), code_letter=Substr("period", 6, 1))
        .filter(_SHAPES[evaluated.periodicity])
        .order_by("-period")
        .values("pk")[:1]
    )
    # One subquery per indicator, not per row: the IN list is computed once.
    return Q(pk__in=Indicator.objects.filter(pk__in=ids).values(latest=Subquery(latest)))


def _needed_rows(indicators: list[dict], cutoff: Period, needs, latest=None) -> Q:
    """Rows of the indicators due at ``cutoff`` that their figures there can depend on."""
    due = {p: evaluation_period(p, cutoff) for p in PERIODICITIES}
    groups: dict[tuple, list[int]] = defaultdict(list)
    for row in indicators:
        evaluated = due[row["periodicity"]]
        if evaluated is not None:  # an indicator not due there needs nothing
            kind = needs(row)
            calculation = row["calculation"] if kind == LATEST else None
            groups[kind, evaluated, calculation].append(row["pk"])
    if not groups:  # nothing due: read as load_plan_data does (the figures need nothing)
        return Q(indicator_id__in=[row["pk"] for row in indicators]) & _up_to_year_end(cutoff)
    needed = Q()
    for (kind, evaluated, calculation), ids in groups.items():
        if kind == LATEST:
            needed |= latest(ids, evaluated, calculation)
        else:
            needed |= Q(indicator_id__in=ids) & _span(kind, evaluated)
    return needed & _up_to_year_end(cutoff)


@dataclass
class PlanData:
    """Everything the arithmetic needs for a plan, read once; evaluate it at many cut-offs."""

    plan: Plan
    indicators: list[dict]
    objectives: list[dict]
    perspectives: list[dict]
    goals: dict[int, dict[Period, ar.Goal]]
    observations: dict[int, dict[Period, ar.Observation]]
    unvalidated: dict[int, set[Period]]
    include_unvalidated: bool
    rules: dict[int, ar.IndicatorRule] = field(default_factory=dict)
    series: dict[int, ar.Series] = field(default_factory=dict)

    def rule(self, row: dict) -> ar.IndicatorRule:
        """The indicator's calculation settings, built once for every cut-off evaluated."""
        rule = self.rules.get(row["pk"])
        if rule is None:
            rule = self.rules[row["pk"]] = _rule(row)
        return rule

    def series_of(self, row: dict) -> ar.Series:
        """The indicator's values and targets in date order, sorted once for every cut-off."""
        pk = row["pk"]
        series = self.series.get(pk)
        if series is None:
            observations, goals = self.observations.get(pk, {}), self.goals.get(pk, {})
            series = self.series[pk] = ar.prepare(self.rule(row), observations, goals)
        return series


def _read_indicators(plan: Plan, only=None) -> list[dict]:
    indicators = Indicator.objects.filter(plan=plan)
    if only is not None:
        indicators = indicators.filter(pk__in=only)
    return list(indicators.order_by("order", "code").values(*INDICATOR_FIELDS))


def _read_structure(plan: Plan) -> tuple[list[dict], list[dict]]:
    objectives = list(
        StrategicObjective.objects.filter(plan=plan)
        .order_by("order", "code")
        .values("pk", "code", "name", "short_name", "weight", "perspective_id")
    )
    perspectives = list(
        Perspective.objects.filter(plan=plan)
        .order_by("order", "code")
        .values("pk", "code", "name", "weight")
    )
    return objectives, perspectives


def load_plan_data(
    plan: Plan, up_to: Period | str, *, include_unvalidated=False, only=None
) -> PlanData:
    """Read the plan's indicators, targets and values up to the end of ``up_to``'s year.

    Five queries, whatever the number of objectives, indicators or periods. ``only``: the
    primary keys of the indicators to read (an indicator's page needs its own alone).
    """
    up_to = Period.parse(up_to)
    indicators = _read_indicators(plan, only)
    where = Q(indicator_id__in=[row["pk"] for row in indicators]) & _up_to_year_end(up_to)
    observations, unvalidated = _observations(where, _statuses(include_unvalidated))
    objectives, perspectives = _read_structure(plan)
    return PlanData(
        plan,
        indicators,
        objectives,
        perspectives,
        _targets(where),
        observations,
        unvalidated,
        include_unvalidated,
    )


def _load_for(plan: Plan, cutoff: Period, include_unvalidated: bool) -> PlanData:
    """As ``load_plan_data``, but only the rows ``cutoff``'s figures need: evaluate it there only.

    Reported values are all read when they count, as ``load_plan_data`` does: any of them
    up to the evaluated period marks a figure provisional.
    """
    statuses = _statuses(include_unvalidated)
    indicators = _read_indicators(plan)

    def latest(ids, evaluated, calculation):
        return _latest_values(ids, evaluated, calculation, statuses)

    values = _needed_rows(indicators, cutoff, _value_needs, latest)
    if include_unvalidated:
        ids = [row["pk"] for row in indicators]
        reported = Q(indicator_id__in=ids, status=Measurement.Status.REPORTED)
        values |= reported & _up_to_year_end(cutoff)
    observations, unvalidated = _observations(values, statuses)
    objectives, perspectives = _read_structure(plan)
    goals = _targets(_needed_rows(indicators, cutoff, _target_needs))
    return PlanData(
        plan,
        indicators,
        objectives,
        perspectives,
        goals,
        observations,
        unvalidated,
        include_unvalidated,
    )


def build_scorecard(plan: Plan, cutoff: Period | str, *, include_unvalidated=False) -> Scorecard:
    """The whole scorecard of ``plan`` at ``cutoff``: indicators, objectives, perspectives, plan.

    Only validated values count unless ``include_unvalidated``; then reported values count
    too and the indicators they feed are marked ``provisional``. Five queries.
    """
    cutoff = Period.parse(cutoff)
    return evaluate(_load_for(plan, cutoff, include_unvalidated), cutoff)


def evaluate(data: PlanData, cutoff: Period | str) -> Scorecard:
    """The scorecard at ``cutoff`` from data already read (no queries)."""
    cutoff = Period.parse(cutoff)
    bands = plan_bands(data.plan)
    by_objective: dict[int, list[IndicatorRow]] = defaultdict(list)
    for row in data.indicators:
        pk = row["pk"]
        result = ar.evaluate_series(data.rule(row), cutoff, data.series_of(row), bands)
        by_objective[row["objective_id"]].append(
            IndicatorRow(
                pk=pk,
                code=row["code"],
                name=row["name"],
                unit_code=row["responsible_unit__code"],
                unit_of_measure=row["unit_of_measure"],
                result=result,
                weight=row["weight"],
                provisional=_is_provisional(result, data.unvalidated.get(pk, set())),
                result_id=row["result_id"],
            )
        )
    perspectives = _perspectives(data, by_objective, bands)
    node = ar.roll_up(((p.node, p.weight) for p in perspectives), bands)
    return Scorecard(data.plan, cutoff, node, perspectives, data.include_unvalidated)


def _perspectives(data: PlanData, by_objective, bands) -> list[PerspectiveRow]:
    """Objectives roll up their indicators, perspectives their objectives (DOMAIN 5)."""
    objectives: dict[int, list[ObjectiveRow]] = defaultdict(list)
    for obj in data.objectives:
        rows = by_objective.get(obj["pk"], [])
        node = ar.roll_up(((i.result, i.weight) for i in rows), bands)
        objectives[obj["perspective_id"]].append(
            ObjectiveRow(
                obj["pk"], obj["code"], obj["name"], obj["short_name"], obj["weight"], node, rows
            )
        )
    result = []
    for persp in data.perspectives:
        children = objectives.get(persp["pk"], [])
        node = ar.roll_up(((o.node, o.weight) for o in children), bands)
        result.append(
            PerspectiveRow(
                persp["pk"], persp["code"], persp["name"], persp["weight"], node, children
            )
        )
    return result
