"""The plan's invariants hold in the database, not only in forms."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from planning.models import Indicator, Strategy, Target
from scorecard.models import Measurement
from tests.factories import (
    make_indicator,
    make_measurement,
    make_objective,
    make_perspective,
    make_plan,
    make_target,
)

pytestmark = pytest.mark.django_db


def test_indicator_codes_are_unique_within_a_plan():
    objective = make_objective()
    make_indicator(objective=objective, code="1.1")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_indicator(objective=objective, code="1.1")


def test_the_same_indicator_code_may_exist_in_another_plan():
    make_indicator(code="1.1")
    make_indicator(code="1.1")
    assert Indicator.objects.filter(code="1.1").count() == 2


def test_strategy_codes_are_unique_within_a_plan():
    objective = make_objective()
    Strategy.objects.create(plan=objective.plan, objective=objective, code="E1", text="a")
    with pytest.raises(IntegrityError), transaction.atomic():
        Strategy.objects.create(plan=objective.plan, objective=objective, code="E1", text="b")


def test_a_plan_cannot_end_before_it_starts():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_plan(start_year=2021, end_year=2017)


def test_plan_bands_must_put_green_above_yellow():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_plan(green_threshold=Decimal(60), yellow_threshold=Decimal(70))


def test_one_target_per_indicator_and_period():
    indicator = make_indicator()
    make_target(indicator=indicator, period="2019", value=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_target(indicator=indicator, period="2019", value=4)


def test_a_quarterly_indicator_cannot_get_a_monthly_value():
    indicator = make_indicator(periodicity="trimestral")
    row = Measurement(indicator=indicator, period="2019-03", value=1)
    with pytest.raises(ValidationError) as error:
        row.full_clean()
    assert "period" in error.value.message_dict
    assert "trimestral" in error.value.message_dict["period"][0]


def test_a_quarterly_indicator_accepts_its_own_quarters():
    indicator = make_indicator(periodicity="trimestral")
    Measurement(indicator=indicator, period="2019-T2", value=1).full_clean()


def test_a_target_outside_the_plan_years_is_refused():
    indicator = make_indicator()
    with pytest.raises(ValidationError) as error:
        Target(indicator=indicator, period="2025", value=1).full_clean()
    assert "2017–2021" in error.value.message_dict["period"][0]


def test_a_period_must_be_written_in_its_canonical_form():
    indicator = make_indicator(periodicity="trimestral")
    with pytest.raises(ValidationError) as error:
        Target(indicator=indicator, period="2019-Q2", value=1).full_clean()
    assert "period" in error.value.message_dict


def test_one_measurement_per_indicator_and_period_without_gadp():
    indicator = make_indicator()
    make_measurement(indicator=indicator, period="2019", value=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_measurement(indicator=indicator, period="2019", value=2)


def test_a_zero_denominator_is_refused_by_the_database():
    indicator = make_indicator(calculation="razon", factor=100)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_measurement(indicator=indicator, period="2019", numerator=1, denominator=0)


def test_a_ratio_needs_both_numerator_and_denominator():
    indicator = make_indicator(calculation="razon", factor=100)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_measurement(indicator=indicator, period="2019", numerator=1)


def test_a_ratio_indicator_refuses_a_plain_value_on_validation():
    indicator = make_indicator(calculation="razon", factor=100)
    with pytest.raises(ValidationError) as error:
        Measurement(indicator=indicator, period="2019", value=5).full_clean()
    assert "value" in error.value.message_dict


def test_a_gap_indicator_needs_a_baseline():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_indicator(reference="brecha")


def test_an_indicator_of_another_plans_objective_is_refused():
    objective = make_objective()
    other_plan = make_plan()
    indicator = Indicator(plan=other_plan, objective=objective, code="X", name="x")
    with pytest.raises(ValidationError) as error:
        indicator.full_clean()
    assert "objective" in error.value.message_dict


def test_an_objective_needs_a_perspective_of_its_own_plan():
    perspective = make_perspective()
    objective = make_objective()
    objective.perspective = perspective
    with pytest.raises(ValidationError) as error:
        objective.full_clean()
    assert "perspective" in error.value.message_dict


def test_a_ratio_measurement_shows_the_ratio_it_makes():
    indicator = make_indicator(calculation="razon", factor=100)
    row = make_measurement(indicator=indicator, period="2019", numerator=18, denominator=25)
    assert row.ratio == Decimal(72)
