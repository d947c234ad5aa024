"""The benchmark's synthetic plan, small: what it writes, and that the scorecard reads it in the
same number of queries as the official plan (no timings here: those are ``bench/``'s)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench.synthetic_plan import create_synthetic_plan, delete_synthetic_plan
from planning.models import Indicator, Perspective, Plan, StrategicObjective, Target
from scorecard.models import Measurement
from tests.conftest import PLAN_CODE

CODE = "BENCH-TEST-2024"


@pytest.fixture
def small_plan(official_plan):
    summary = create_synthetic_plan(
        code=CODE, objectives=2, indicators_per_objective=5, years=(2024, 2024)
    )
    return Plan.objects.get(code=CODE), summary


def test_the_generator_writes_a_target_and_a_validated_value_per_indicator_and_month(small_plan):
    plan, summary = small_plan
    assert summary == {
        "plan": CODE,
        "perspectives": 2,
        "objectives": 2,
        "indicators": 10,
        "targets": 120,
        "measurements": 120,
    }
    assert Perspective.objects.filter(plan=plan).count() == 2
    assert StrategicObjective.objects.filter(plan=plan).count() == 2
    indicators = Indicator.objects.filter(plan=plan)
    assert set(indicators.values_list("periodicity", flat=True)) == {"mensual"}
    values = Measurement.objects.filter(indicator__plan=plan)
    assert set(values.values_list("status", flat=True)) == {Measurement.Status.VALIDATED}
    assert values.filter(gadp__isnull=False).count() == 0
    months = {f"2024-{m:02d}" for m in range(1, 13)}
    for indicator in indicators:
        assert set(indicator.targets.values_list("period", flat=True)) == months
        assert set(indicator.measurements.values_list("period", flat=True)) == months


def test_what_the_generator_writes_passes_the_models_validation(small_plan):
    """bulk_create skips ``clean()``: the rows must be valid anyway."""
    plan, _ = small_plan
    for indicator in Indicator.objects.filter(plan=plan):
        indicator.full_clean()
    for target in Target.objects.filter(indicator__plan=plan).select_related("indicator__plan"):
        target.full_clean()
    for value in Measurement.objects.filter(indicator__plan=plan).select_related("indicator__plan"):
        value.full_clean()


def test_the_generator_writes_the_same_plan_each_time(official_plan):
    def snapshot():
        return list(
            Measurement.objects.filter(indicator__plan__code=CODE)
            .order_by("indicator__code", "period")
            .values_list("indicator__code", "period", "value", "numerator", "denominator")
        )

    create_synthetic_plan(code=CODE, objectives=2, indicators_per_objective=3, years=(2024, 2024))
    first = snapshot()
    delete_synthetic_plan(CODE)
    assert not Plan.objects.filter(code=CODE).exists()
    assert not Measurement.objects.filter(indicator__plan__code=CODE).exists()
    create_synthetic_plan(code=CODE, objectives=2, indicators_per_objective=3, years=(2024, 2024))
    assert snapshot() == first


def _queries(client, code: str, period: str) -> int:
    url = reverse("api-scorecard", args=[code])
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, {"period": period})
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(("period", "official"), [("2024", "2018"), ("2024-06", "2018-06")])
def test_the_json_reads_as_many_queries_as_for_the_official_plan(
    small_plan, client, director, period, official
):
    client.force_login(director)
    assert _queries(client, CODE, period) == _queries(client, PLAN_CODE, official)


def test_the_json_of_the_synthetic_plan_has_every_indicator_due(small_plan, client, director):
    client.force_login(director)
    url = reverse("api-scorecard", args=[CODE])
    data = client.get(url, {"period": "2024-06"}).json()
    assert len(data["indicators"]) == 10
    assert data["score"]["total"] == 10  # monthly indicators are all due at any cut-off
    assert {i["status"] for i in data["indicators"]} <= {"verde", "amarillo", "rojo", "gris"}
