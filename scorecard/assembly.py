"""The read side of the scorecard: a plan at a cut-off, in a fixed number of queries.

Reads plain rows (``values_list``), hands them to the pure arithmetic of
``scorecard.arithmetic`` and returns plain dataclasses that pages, exports, the JSON and the
command all share. Five queries whatever the size of the plan (indicators, measurements,
objectives, perspectives, targets); ``load_plan_data`` once and ``evaluate`` at several
cut-offs for a trend.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from planning.models import Indicator, Perspective, Plan, StrategicObjective, Target
from planning.periods import Period
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


def _relevant_periods(cutoff: Period) -> Q:
    """Rows up to the end of the cut-off's year: no evaluation looks later than that."""
    return Q(period__lt=str(cutoff.year + 1))


def _targets(indicator_ids, cutoff: Period) -> dict[int, dict[Period, ar.Goal]]:
    goals: dict[int, dict[Period, ar.Goal]] = defaultdict(dict)
    rows = Target.objects.filter(_relevant_periods(cutoff), indicator_id__in=indicator_ids)
    for ind, period, value, value_max in rows.values_list(
        "indicator_id", "period", "value", "value_max"
    ):
        goals[ind][Period.parse(period)] = ar.Goal(value, value_max)
    return goals


def _observations(indicator_ids, cutoff: Period, include_unvalidated: bool):
    statuses = [Measurement.Status.VALIDATED]
    if include_unvalidated:
        statuses.append(Measurement.Status.REPORTED)
    observations: dict[int, dict[Period, ar.Observation]] = defaultdict(dict)
    unvalidated: dict[int, set[Period]] = defaultdict(set)
    rows = Measurement.objects.filter(
        _relevant_periods(cutoff),
        indicator_id__in=indicator_ids,
        gadp__isnull=True,
        status__in=statuses,
    ).values_list("indicator_id", "period", "value", "numerator", "denominator", "status")
    for ind, period, value, numerator, denominator, status in rows:
        parsed = Period.parse(period)
        observations[ind][parsed] = ar.Observation(value, numerator, denominator)
        if status != Measurement.Status.VALIDATED:
            unvalidated[ind].add(parsed)
    return observations, unvalidated


def _is_provisional(result: ar.IndicatorResult, unvalidated: set[Period]) -> bool:
    """Whether an unvalidated value up to the evaluated period fed this figure."""
    if result.value is None or not unvalidated:
        return False
    return any(p.sort_key <= result.period.sort_key for p in unvalidated)


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


def load_plan_data(plan: Plan, up_to: Period | str, *, include_unvalidated=False) -> PlanData:
    """Read the plan's indicators, targets and values up to the end of ``up_to``'s year.

    Five queries, whatever the number of objectives, indicators or periods.
    """
    up_to = Period.parse(up_to)
    indicators = list(
        Indicator.objects.filter(plan=plan).order_by("order", "code").values(*INDICATOR_FIELDS)
    )
    ids = [row["pk"] for row in indicators]
    observations, unvalidated = _observations(ids, up_to, include_unvalidated)
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
    return PlanData(
        plan,
        indicators,
        objectives,
        perspectives,
        _targets(ids, up_to),
        observations,
        unvalidated,
        include_unvalidated,
    )


def build_scorecard(plan: Plan, cutoff: Period | str, *, include_unvalidated=False) -> Scorecard:
    """The whole scorecard of ``plan`` at ``cutoff``: indicators, objectives, perspectives, plan.

    Only validated values count unless ``include_unvalidated``; then reported values count
    too and the indicators they feed are marked ``provisional``.
    """
    data = load_plan_data(plan, cutoff, include_unvalidated=include_unvalidated)
    return evaluate(data, cutoff)


def evaluate(data: PlanData, cutoff: Period | str) -> Scorecard:
    """The scorecard at ``cutoff`` from data already read (no queries)."""
    cutoff = Period.parse(cutoff)
    bands = plan_bands(data.plan)
    by_objective: dict[int, list[IndicatorRow]] = defaultdict(list)
    for row in data.indicators:
        pk = row["pk"]
        result = ar.evaluate_indicator(
            _rule(row), cutoff, data.observations.get(pk, {}), data.goals.get(pk, {}), bands
        )
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
