"""Read-side queries of the tablero, objective and indicator pages, each in fixed queries.

The figures themselves come from ``scorecard.assembly`` (read once, evaluate at many
cut-offs); what is here reads what those pages show beside the figures: the plans to choose
from, the structure of an objective, and the history of one indicator's targets and values.
"""

from __future__ import annotations

from django.db.models import Max, Prefetch
from django.http import Http404

from planning.models import (
    ExpectedResult,
    Indicator,
    OrgUnit,
    Plan,
    StrategicObjective,
    Strategy,
    Target,
)
from scorecard.models import Evidence, Measurement


def plans_to_choose() -> list[Plan]:
    """Every plan, newest first (one query): the tablero's plan selector."""
    return list(Plan.objects.order_by("-start_year", "code"))


def default_plan(plans: list[Plan]) -> Plan | None:
    """The newest approved plan, else the newest plan, else None (no query)."""
    approved = [p for p in plans if p.status == Plan.Status.APPROVED]
    return (approved or plans or [None])[0]


def chosen_plan(code: str | None) -> tuple[Plan | None, list[Plan]]:
    """The plan of a ``?plan=`` code (404 when unknown), else the default one; and every plan."""
    plans = plans_to_choose()
    if not code:
        return default_plan(plans), plans
    plan = next((p for p in plans if p.code == code), None)
    if plan is None:
        raise Http404
    return plan, plans


def latest_validated_year(plan: Plan) -> int | None:
    """The last year of the plan with any validated value, or None (one query)."""
    latest = Measurement.objects.filter(
        indicator__plan=plan,
        status=Measurement.Status.VALIDATED,
        period__gte=str(plan.start_year),
        period__lt=str(plan.end_year + 1),
    ).aggregate(latest=Max("period"))["latest"]
    return int(latest[:4]) if latest else None


def plan_units(plan: Plan) -> tuple[list[OrgUnit], set[int | None]]:
    """The responsible units of the plan's indicators, by code, and their ids (one query).

    The ids include None when an indicator has no unit (only planners, admins and directors
    see its unvalidated values); the units offered as a filter do not.
    """
    rows = (
        Indicator.objects.filter(plan=plan)
        .order_by()
        .values_list("responsible_unit_id", "responsible_unit__code", "responsible_unit__name")
        .distinct()
    )
    units = [OrgUnit(pk=pk, code=code, name=name) for pk, code, name in rows if pk is not None]
    return sorted(units, key=lambda u: u.code), {pk for pk, _, _ in rows}


def objective_page(plan: Plan, code: str) -> StrategicObjective:
    """One objective with its perspective, units, strategies, results and indicators.

    Five queries; raises ``StrategicObjective.DoesNotExist`` for an unknown code.
    """
    return (
        StrategicObjective.objects.select_related("perspective")
        .prefetch_related(
            "responsible_units",
            Prefetch("strategy_set", queryset=Strategy.objects.order_by("order", "code")),
            Prefetch(
                "expectedresult_set", queryset=ExpectedResult.objects.order_by("order", "code")
            ),
            Prefetch(
                "indicators",
                queryset=Indicator.objects.select_related("responsible_unit").order_by(
                    "order", "code"
                ),
            ),
        )
        .get(plan=plan, code=code)
    )


def indicator_page(plan: Plan, code: str) -> Indicator:
    """One indicator with what its ficha names (one query); raises ``Indicator.DoesNotExist``."""
    return Indicator.objects.select_related(
        "plan", "objective__perspective", "result", "responsible_unit"
    ).get(plan=plan, code=code)


def indicator_targets(indicator: Indicator) -> list[Target]:
    """Every programmed target of the indicator (one query)."""
    return list(Target.objects.filter(indicator=indicator).order_by("period"))


def indicator_measurements(indicator: Indicator, *, unvalidated: bool) -> list[Measurement]:
    """Every value of the indicator, its own and per GADP, with who and evidence (two queries).

    Only validated values unless ``unvalidated`` (the caller asks the access helper).
    """
    rows = Measurement.objects.filter(indicator=indicator)
    if not unvalidated:
        rows = rows.filter(status=Measurement.Status.VALIDATED)
    return list(
        rows.select_related("gadp", "reported_by", "validated_by")
        .prefetch_related(
            Prefetch("evidence", queryset=Evidence.objects.order_by("uploaded_at", "pk"))
        )
        .order_by("period", "gadp__code")
    )
