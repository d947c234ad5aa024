"""The Cuadro de Mando Integral page: section 11's matrix with each figure at a cut-off."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from planning.models import (
    ExpectedResult,
    Indicator,
    InstitutionalPolicy,
    ObjectiveLink,
    Plan,
    StrategicObjective,
    Target,
)
from scorecard import cache
from scorecard.demo import seed_demo
from scorecard.models import Measurement
from tests.conftest import PASSWORD, PLAN_CODE
from tests.factories import make_indicator, make_objective, make_perspective
from tests.test_scorecard_json import _load_example

ROLES = ["admin", "planificacion", "direccion", "responsable", "otro_responsable"]

# The director's page at an explicit cut-off: session, user, the user's groups (role);
# the plan document: plan, principles, policies, perspectives, objectives, strategies,
# results, indicators (with their unit), responsible units; the scorecard: indicators,
# measurements, objectives, perspectives, targets, read when the data changed since the
# last computation (always, here: the cache is emptied) and the data's freshness token.
QUERIES = 18


def _url(code=PLAN_CODE):
    return reverse("cmi", args=[code])


def _cell(html: str, code: str, end: str = "</li>") -> str:
    """The matrix's text from an element's code badge to the end of its cell or item."""
    start = html.index(f'<span class="code-badge">{code}</span>')
    return html[start : html.index(end, start)]


@pytest.fixture
def demo(official_plan):
    seed_demo(password=PASSWORD)
    return official_plan


@pytest.fixture
def example(official_plan):
    _load_example(official_plan)
    return official_plan


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_cmi_of_the_demo_plan(client, personas, demo, role):
    client.force_login(personas[role])
    response = client.get(_url())
    assert response.status_code == 200
    assert "Cuadro de Mando Integral" in response.content.decode()


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, official_plan):
    response = client.get(_url())
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_an_account_without_a_role_sees_no_cmi(client, official_plan):
    nobody = get_user_model().objects.create_user("sin_rol", password=PASSWORD)
    client.force_login(nobody)
    assert client.get(_url()).status_code == 404


def test_an_unknown_plan_is_not_found(client, director):
    client.force_login(director)
    assert client.get(_url("NO-EXISTE")).status_code == 404


def test_the_cmi_shows_every_code_and_statement_of_the_official_plan(client, director):
    client.force_login(director)
    html = client.get(_url()).content.decode()
    plan = Plan.objects.get(code=PLAN_CODE)
    for model in (StrategicObjective, ExpectedResult, Indicator, InstitutionalPolicy):
        for code in model.objects.filter(plan=plan).values_list("code", flat=True):
            assert f'<span class="code-badge">{code}</span>' in html, code
    assert escape(plan.vision) in html
    assert escape(plan.mission) in html


def test_the_matrix_has_one_column_per_objective_in_plan_order(client, director):
    client.force_login(director)
    html = client.get(_url()).content.decode()
    headers = re.findall(r'<th scope="col" class="cmi-codigo">([^<]+)</th>', html)
    assert headers == ["OE1", "OE2", "OE3", "OE4"]
    assert html.count('colspan="4"') == 3  # vision, mission and policies span every objective
    assert '<th scope="row">Visión</th>' in html
    assert "<caption" in html


def test_the_worked_example_shows_oe4_red_and_13_2_green_at_2018(client, director, example):
    client.force_login(director)
    response = client.get(_url(), {"period": "2018"})
    html = response.content.decode()
    objective = _cell(html, "OE4", end="</td>")
    assert "semaforo-rojo" in objective
    assert "Rojo · 50,00 %" in objective
    indicator = _cell(html, "13.2")
    assert "semaforo-verde" in indicator
    assert "Valor 75,00 · Meta 75,00" in indicator


def test_a_result_rolls_up_its_linked_indicators_and_says_when_it_has_none(
    client, director, example
):
    result = ExpectedResult.objects.get(plan=example, code="R3.1")
    Indicator.objects.filter(plan=example, code__in=["13.1", "13.2"]).update(result=result)
    client.force_login(director)
    html = client.get(_url(), {"period": "2018"}).content.decode()
    linked = _cell(html, "R3.1")
    # 13.1: 5 of 6 (acumulado over the plan) → 83.33; 13.2: 100 → mean 91.67, verde.
    assert "semaforo-verde" in linked
    assert "91,67 %" in linked
    assert "2 de 2 indicadores con dato" in linked
    assert "sin indicadores vinculados" in _cell(html, "R3.2")


def test_without_a_period_the_cmi_shows_the_latest_year_with_a_validated_value(
    client, director, example
):
    client.force_login(director)
    response = client.get(_url())
    assert response.context["cutoff"].period.code == "2018"
    assert '<option value="2018" selected>' in response.content.decode()


def test_a_plan_without_validated_values_opens_at_its_first_year(client, director):
    client.force_login(director)
    assert client.get(_url()).context["cutoff"].period.code == "2017"


def test_the_selector_offers_years_semesters_and_quarters_of_the_plan(client, director):
    client.force_login(director)
    html = client.get(_url()).content.decode()
    assert '<label class="form-label" for="filtro-periodo">' in html
    for code in ("2017", "2019-S1", "2019-T2", "2021-T4"):
        assert f'<option value="{code}"' in html
    assert '<option value="2016"' not in html


@pytest.mark.parametrize("asked", ["2030", "2019-13", "<b>x</b>", "2016-T4"])
def test_a_period_outside_the_plan_falls_back_to_the_default_and_says_so(client, director, asked):
    client.force_login(director)
    response = client.get(_url(), {"period": asked})
    assert response.status_code == 200
    assert response.context["cutoff"].period.code == "2017"
    assert "no es un periodo del plan" in response.content.decode()
    assert "<b>x</b>" not in response.content.decode()


def test_a_quarter_cut_off_evaluates_the_indicators_due_then(client, director, example):
    client.force_login(director)
    response = client.get(_url(), {"period": "2018-T3"})
    rows = {i.code: i for i in response.context["card"].indicators}
    assert rows["12.1"].status == "verde"  # quarterly: 15 against 15 at 2018-T3
    assert rows["13.2"].status == "no_aplica"  # annual: not due in the middle of the year
    assert "No corresponde a este corte." in response.content.decode()


def test_unvalidated_values_show_as_provisional_only_when_asked(client, director, example):
    indicator = Indicator.objects.get(plan=example, code="12.1")
    Measurement.objects.create(
        indicator=indicator, period="2018-T4", value=15, status=Measurement.Status.REPORTED
    )
    client.force_login(director)
    plain = client.get(_url(), {"period": "2018"})
    assert "(provisional)" not in plain.content.decode()
    asked = client.get(_url(), {"period": "2018", "unvalidated": "1"})
    assert "(provisional)" in _cell(asked.content.decode(), "12.1")
    assert 'id="filtro-sin-validar" checked' in asked.content.decode()


def test_a_unit_reporter_cannot_switch_on_other_units_unvalidated_values(client, reporter, example):
    indicator = Indicator.objects.get(plan=example, code="12.1")
    Measurement.objects.create(
        indicator=indicator, period="2018-T4", value=15, status=Measurement.Status.REPORTED
    )
    client.force_login(reporter)
    response = client.get(_url(), {"period": "2018", "unvalidated": "1"})
    assert response.context["cutoff"].unvalidated is False
    assert "filtro-sin-validar" not in response.content.decode()
    assert "Solo se muestran valores validados." in response.content.decode()
    assert "(provisional)" not in response.content.decode()


def test_the_cmi_has_no_inline_script_or_style(client, director, example):
    client.force_login(director)
    html = client.get(_url()).content.decode()
    assert "<style" not in html
    assert "style=" not in html
    assert re.search(r"<script(?![^>]*\bsrc=)", html) is None


def _grow(plan):
    """Three more objectives of ten quarterly indicators each, with results, values, links."""
    perspective = make_perspective(plan=plan)
    previous = None
    for n in range(3):
        objective = make_objective(perspective=perspective)
        result = ExpectedResult.objects.create(
            plan=plan, objective=objective, code=f"T-R{objective.pk}", text=f"Resultado {n}"
        )
        for _ in range(10):
            indicator = make_indicator(objective=objective, result=result, periodicity="trimestral")
            for quarter in range(1, 5):
                Target.objects.create(indicator=indicator, period=f"2018-T{quarter}", value=4)
                Measurement.objects.create(
                    indicator=indicator,
                    period=f"2018-T{quarter}",
                    value=3,
                    status=Measurement.Status.VALIDATED,
                )
        if previous is not None:
            ObjectiveLink.objects.create(cause=previous, effect=objective)
        previous = objective


def _count(client, url, params):
    cache.clear()  # the computing path; tests/test_scorecard_cache.py counts the reuse
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx.captured_queries)


def test_the_cmi_reads_a_fixed_number_of_queries(client, director, example):
    client.force_login(director)
    assert _count(client, _url(), {"period": "2018"}) == QUERIES
    # Without a period, one more: the latest year with a validated value.
    assert _count(client, _url(), {}) == QUERIES + 1
    _grow(example)
    assert _count(client, _url(), {"period": "2018"}) == QUERIES
    assert _count(client, _url(), {}) == QUERIES + 1
