"""The targets grid: programming, reformas of an approved plan, and all-or-nothing saves."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from planning import editing
from planning.forms.numbers import parse_number
from planning.models import Indicator, Plan, Target
from tests.conftest import PLAN_CODE
from tests.factories import make_indicator, make_objective, make_perspective, make_target
from tests.test_plan_editing import payload, shown_form


def grid_url(code: str = "13.2", plan_code: str = PLAN_CODE) -> str:
    return reverse("target-grid", args=[plan_code, code])


def targets(code: str = "13.2") -> dict:
    return {
        t.period: (t.value, t.value_max, t.original_value, t.original_value_max, t.reform_reason)
        for t in Target.objects.filter(indicator__code=code, indicator__plan__code=PLAN_CODE)
    }


@pytest.fixture
def plan(official_plan) -> Plan:
    return official_plan


@pytest.fixture
def indicator(official_plan) -> Indicator:
    """13.2, an annual indicator of the approved official plan, with 2019 programmed at 80."""
    indicator = Indicator.objects.get(plan=official_plan, code="13.2")
    make_target(indicator=indicator, period="2019", value="80")
    return indicator


def post_grid(client, address=None, **cells):
    address = address or grid_url()
    return client.post(address, payload(shown_form(client, address), **cells))


# --- numbers as typed ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("80", Decimal("80")),
        ("12,5", Decimal("12.5")),
        ("12.5", Decimal("12.5")),
        (" -3 ", Decimal("-3")),
        (",25", Decimal("0.25")),
        ("1.5000000", Decimal("1.5")),  # trailing zeros are not decimals it would lose
        ("", None),
        ("  ", None),
    ],
)
def test_a_cell_reads_a_number_written_either_way(text, number):
    assert parse_number(text) == number


@pytest.mark.parametrize("text", ["abc", "1.234,5", "1,234.5", "1e3", "NaN", "12 %", "--1"])
def test_a_cell_that_is_not_a_number_is_refused(text):
    with pytest.raises(ValidationError, match="Ingrese un número."):
        parse_number(text)


def test_a_cell_refuses_more_decimals_or_digits_than_it_keeps_instead_of_rounding():
    with pytest.raises(ValidationError, match="6 decimales"):
        parse_number("1.1234567")
    with pytest.raises(ValidationError, match="demasiado grande"):
        parse_number("1" * 15)


# --- the grid's rows ----------------------------------------------------------------------


def test_the_grid_has_one_row_per_period_of_the_plan_years(client, planner, indicator):
    client.force_login(planner)
    response = client.get(grid_url())
    assert [row.period for row in response.context["rows"]] == [
        "2017",
        "2018",
        "2019",
        "2020",
        "2021",
    ]
    page = response.content.decode()
    assert '<label class="visually-hidden" for="id_meta_2019">Meta 2019</label>' in page
    assert 'value="80"' in page
    assert "Meta máxima" not in page


def test_a_quarterly_range_indicator_has_twenty_rows_with_meta_maxima(client, planner, plan):
    indicator = Indicator.objects.get(plan=plan, code="12.1")
    indicator.periodicity, indicator.polarity = "trimestral", "rango"
    indicator.save()
    make_target(indicator=indicator, period="2018-T3", value="10", value_max=Decimal("12.5"))
    client.force_login(planner)
    response = client.get(grid_url("12.1"))
    rows = response.context["rows"]
    assert len(rows) == 20
    assert rows[0].period == "2017-T1" and rows[-1].period == "2021-T4"
    page = response.content.decode()
    assert 'for="id_max_2018-T3">Meta máxima 2018-T3</label>' in page
    assert 'value="12,5"' in page


# --- programming and reformas -------------------------------------------------------------


def test_programming_a_period_without_a_target_needs_no_reason(client, planner, indicator):
    client.force_login(planner)
    response = post_grid(client, meta_2020="85,5")
    assert response.status_code == 302
    assert targets()["2020"] == (Decimal("85.5"), None, None, None, "")
    record = Target.history.get(period="2020")
    assert (record.history_type, record.history_user) == ("+", planner)


def test_changing_a_target_of_an_approved_plan_is_a_reforma_that_needs_a_reason(
    client, planner, indicator
):
    client.force_login(planner)
    before = targets()
    response = post_grid(client, meta_2019="75", meta_2020="90")
    assert response.status_code == 200
    assert "reforma" in response.context["form"].errors["reason"][0]
    assert targets() == before  # not even the new 2020 target


def test_a_reforma_keeps_the_first_target_and_the_reason(client, planner, indicator):
    client.force_login(planner)
    response = post_grid(client, meta_2019="75", reason="Recorte presupuestario 2019")
    assert response.status_code == 302
    assert targets()["2019"] == (
        Decimal(75),
        None,
        Decimal(80),
        None,
        "Recorte presupuestario 2019",
    )
    record = Target.history.filter(period="2019").latest("history_id")
    assert record.history_user == planner
    assert record.history_change_reason == "Recorte presupuestario 2019"

    response = post_grid(client, meta_2019="70", reason="Segunda reforma")
    assert targets()["2019"] == (Decimal(70), None, Decimal(80), None, "Segunda reforma")
    page = client.get(grid_url()).content.decode()
    assert "Segunda reforma" in page
    assert '<td class="text-end">80</td>' in page  # the original, beside the current


def test_a_reforma_of_a_range_keeps_both_ends(client, planner, plan):
    indicator = Indicator.objects.get(plan=plan, code="12.1")
    indicator.polarity = "rango"
    indicator.save()
    make_target(indicator=indicator, period="2018", value="10", value_max=Decimal(20))
    client.force_login(planner)
    response = post_grid(client, grid_url("12.1"), max_2018="25", reason="Ajuste de banda")
    assert response.status_code == 302
    assert targets("12.1")["2018"] == (
        Decimal(10),
        Decimal(25),
        Decimal(10),
        Decimal(20),
        "Ajuste de banda",
    )


def test_clearing_a_target_of_an_approved_plan_needs_the_reason_too(client, planner, indicator):
    client.force_login(planner)
    response = post_grid(client, meta_2019="")
    assert "reason" in response.context["form"].errors
    assert "2019" in targets()
    response = post_grid(client, meta_2019="", reason="Meta eliminada por la reforma")
    assert response.status_code == 302
    assert "2019" not in targets()
    record = Target.history.filter(history_type="-").get()
    assert record.history_user == planner
    assert record.history_change_reason == "Meta eliminada por la reforma"


def test_a_draft_plan_changes_its_targets_freely(client, planner, indicator, plan):
    plan.status = Plan.Status.DRAFT
    plan.save()
    client.force_login(planner)
    assert post_grid(client, meta_2019="70").status_code == 302
    assert targets()["2019"] == (Decimal(70), None, None, None, "")


def test_a_long_reason_is_kept_whole_in_the_target_and_in_the_history(client, planner, indicator):
    reason = "Justificación extensa " * 10
    client.force_login(planner)
    assert post_grid(client, meta_2019="70", reason=reason).status_code == 302
    assert targets()["2019"][4] == reason.strip()
    kept = Target.history.filter(period="2019").latest("history_id").history_change_reason
    assert kept == reason.strip()


# --- all or nothing -----------------------------------------------------------------------


def test_one_bad_cell_saves_nothing_and_says_which(client, planner, indicator):
    client.force_login(planner)
    before = targets()
    history = Target.history.count()
    response = post_grid(client, meta_2017="10", meta_2018="diez", meta_2020="30", reason="x")
    assert response.status_code == 200
    assert response.context["form"].errors == {"meta_2018": ["Ingrese un número."]}
    page = response.content.decode()
    assert 'aria-describedby="id_meta_2018-error"' in page
    assert "No se guardó ninguna meta" in page
    assert targets() == before
    assert Target.history.count() == history


def test_a_meta_maxima_below_the_meta_is_an_error_on_its_cell(client, planner, plan):
    indicator = Indicator.objects.get(plan=plan, code="12.1")
    indicator.polarity = "rango"
    indicator.save()
    client.force_login(planner)
    response = post_grid(client, grid_url("12.1"), meta_2019="10", max_2019="5", meta_2020="1")
    assert response.context["form"].errors == {"max_2019": ["La meta máxima es menor que la meta."]}
    response = post_grid(client, grid_url("12.1"), max_2019="5")
    assert "meta_2019" in response.context["form"].errors
    assert targets("12.1") == {}


def test_only_the_changed_cells_are_written(client, planner, plan, indicator):
    make_target(indicator=indicator, period="2018", value="60")
    client.force_login(planner)
    history = Target.history.count()
    assert post_grid(client, meta_2021="95").status_code == 302
    assert Target.history.count() == history + 1
    assert Target.history.latest("history_id").period == "2021"
    assert post_grid(client).status_code == 302  # nothing typed: nothing written
    assert Target.history.count() == history + 1


def test_the_grid_saves_through_one_service_that_refuses_before_writing(planner, indicator):
    """Without the page too: a reforma without reason leaves the programmed cells unsaved."""
    stored = {t.period: t for t in indicator.targets.all()}
    seen = editing.concurrency.token(editing.grid_snapshot(stored.values()))
    cells = {"2018": (Decimal(1), None), "2019": (Decimal(2), None)}
    with pytest.raises(ValidationError):
        editing.targets_save(user=planner, indicator=indicator, cells=cells, seen=seen)
    assert set(targets()) == {"2019"}


# --- queries ------------------------------------------------------------------------------


def test_the_grid_does_not_grow_in_queries_with_periods_and_targets(
    client, planner, django_assert_max_num_queries
):
    plan = Plan.objects.get(code=PLAN_CODE)
    objective = make_objective(perspective=make_perspective(plan=plan))
    annual = make_indicator(objective=objective, periodicity="anual")
    monthly = make_indicator(objective=objective, periodicity="mensual", polarity="rango")
    for year in range(2017, 2022):
        for month in range(1, 13):
            make_target(indicator=monthly, period=f"{year}-{month:02d}", value="1")
    client.force_login(planner)
    # session, user, role; plan; indicator with its plan and unit; its targets.
    with django_assert_max_num_queries(6):
        assert client.get(grid_url(annual.code)).status_code == 200
    with django_assert_max_num_queries(6):
        response = client.get(grid_url(monthly.code))
    assert len(response.context["rows"]) == 60
