"""Read-side queries of the plan: each returns everything a page shows in fixed queries."""

from django.db.models import Prefetch

from planning.models import (
    ExpectedResult,
    Indicator,
    InstitutionalPolicy,
    Perspective,
    Plan,
    Principle,
    StrategicObjective,
    Strategy,
)


def plan_document(code: str, *, with_indicators: bool = True) -> Plan:
    """A plan with its whole structure prefetched (9 queries, whatever the plan's size).

    ``with_indicators=False`` leaves the indicators out (8 queries): the CMI takes them,
    with their figures, from the scorecard, and a large plan has thousands.
    """
    indicators = Prefetch(
        "indicators",
        queryset=Indicator.objects.select_related("responsible_unit").order_by("order", "code"),
    )
    objectives = StrategicObjective.objects.prefetch_related(
        Prefetch("strategy_set", queryset=Strategy.objects.order_by("order", "code")),
        Prefetch("expectedresult_set", queryset=ExpectedResult.objects.order_by("order", "code")),
        *([indicators] if with_indicators else []),
        "responsible_units",
    ).order_by("order", "code")
    return (
        Plan.objects.select_related("institution")
        .prefetch_related(
            Prefetch("principle_set", queryset=Principle.objects.order_by("order", "code")),
            Prefetch(
                "institutionalpolicy_set",
                queryset=InstitutionalPolicy.objects.order_by("order", "code"),
            ),
            Prefetch(
                "perspective_set",
                queryset=Perspective.objects.order_by("order", "code").prefetch_related(
                    Prefetch("objectives", queryset=objectives)
                ),
            ),
        )
        .get(code=code)
    )
