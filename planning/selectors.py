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


def plan_document(code: str) -> Plan:
    """A plan with its whole structure prefetched (9 queries, whatever the plan's size)."""
    objectives = StrategicObjective.objects.prefetch_related(
        Prefetch("strategy_set", queryset=Strategy.objects.order_by("order", "code")),
        Prefetch("expectedresult_set", queryset=ExpectedResult.objects.order_by("order", "code")),
        Prefetch(
            "indicators",
            queryset=Indicator.objects.select_related("responsible_unit").order_by("order", "code"),
        ),
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
