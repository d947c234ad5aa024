"""The tablero at ``/``: figures of the worked example, filters, access and fixed queries."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from planning.models import Indicator, Plan, Target
from scorecard import cache
from scorecard.demo import seed_demo
from scorecard.models import Measurement
from tests.conftest import PASSWORD, PLAN_CODE
from tests.factories import make_indicator, make_objective, make_perspective, make_plan
from tests.test_scorecard_json import _load_example

ROLES = ["admin", "planificacion", "direccion", "responsable", "otro_responsable"]


@pytest.fixture
def example(official_plan):
    _load_example(official_plan)
    return official_plan


@pytest.fixture
def demo(official_plan):
    seed_demo(password=PASSWORD)
    return official_plan


def _page(client, **params) -> str:
    response = client.get(reverse("home"), params)
    assert response.status_code == 200
    return response.content.decode()


def _section(page: str, section_id: str) -> str:
    """The HTML of one <section aria-labelledby=…> of the page."""
    match = re.search(rf'<section aria-labelledby="{section_id}".*?</section>', page, re.S)
    assert match, section_id
    return match.group(0)


def _statuses(html: str) -> list[tuple[str, str]]:
    """(indicator code, status) of each row of an indicator table, in order."""
    rows = re.findall(r'<tr data-status="(\w+)">\s*<th scope="row"><a [^>]*>([^<]+)</a>', html)
    return [(code, status) for status, code in rows]


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_tablero_of_the_demo_plan(client, demo, personas, role):
    client.force_login(personas[role])
    page = _page(client)
    assert "Tablero de control al corte 2020" in page
    assert "9 de 9 indicadores con dato" in page


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, official_plan):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_account_without_a_role_sees_nothing(client, official_plan):
    nobody = get_user_model().objects.create_user("sin_rol", password=PASSWORD)
    client.force_login(nobody)
    assert client.get(reverse("home")).status_code == 404


def test_an_unknown_plan_is_not_found(client, director):
    client.force_login(director)
    assert client.get(reverse("home"), {"plan": "NO-EXISTE"}).status_code == 404


def test_without_any_plan_the_home_page_sends_to_the_plan_list(client, db):
    from planning import accounts

    user = accounts.user_create(username="d", role="direccion", unit_codes=(), password=PASSWORD)
    client.force_login(user)
    assert client.get(reverse("home"))["Location"] == reverse("plan-list")


def test_the_tablero_shows_the_worked_example_at_2018(client, example, director):
    client.force_login(director)
    page = _page(client, period="2018")
    score = _section(page, "puntaje")
    assert '<p class="score-figure mb-1">74,79 %</p>' in score
    assert "Amarillo" in score
    assert "7 de 9 indicadores con dato" in score
    objectives = _section(page, "perspectivas")
    for figure in ["78,75", "70,83", "87,50", "70,00", "91,67", "50,00"]:
        assert f"· {figure} %" in objectives, figure


def test_the_default_cut_off_is_the_last_year_with_a_validated_value(client, example, director):
    client.force_login(director)
    page = _page(client)
    assert "Tablero de control al corte 2018" in page
    assert '<option value="2018" selected>' in page


def test_without_validated_values_the_cut_off_is_the_plans_first_year(client, director):
    client.force_login(director)
    assert "Tablero de control al corte 2017" in _page(client)


def test_the_cut_off_can_be_a_quarter_and_the_selector_offers_semesters_and_quarters(
    client, example, director
):
    client.force_login(director)
    page = _page(client, period="2018-T3")
    assert '<option value="2018-T3" selected>' in page
    assert '<option value="2019-S2">' in page
    assert '<label class="form-label" for="filtro-periodo">' in page
    statuses = dict(_statuses(_section(page, "indicadores")))
    assert statuses.pop("12.1") == "verde"
    assert set(statuses.values()) == {"no_aplica"}
    assert "100,00 %" in _section(page, "puntaje")


def test_a_period_outside_the_plan_falls_back_to_the_default_and_says_so(client, example, director):
    client.force_login(director)
    page = _page(client, period="2030")
    assert "no es un periodo del plan" in page
    assert "Tablero de control al corte 2018" in page


def test_red_and_grey_indicators_come_first_in_their_own_table(client, example, director):
    client.force_login(director)
    page = _page(client, period="2018")
    attention = _statuses(_section(page, "atencion"))
    assert attention == [("14.1", "rojo"), ("12.2", "rojo"), ("12.1", "gris"), ("13.3", "gris")]
    assert page.index('id="atencion"') < page.index('id="indicadores"')
    assert len(_statuses(_section(page, "indicadores"))) == 9


def test_an_indicator_row_links_to_its_indicator_and_objective_pages(client, example, director):
    client.force_login(director)
    page = _page(client, period="2018")
    indicator = reverse("indicator-detail", args=[PLAN_CODE, "13.2"])
    objective = reverse("objective-detail", args=[PLAN_CODE, "OE3"])
    assert f'href="{indicator}?period=2018"' in page
    assert f'href="{objective}?period=2018"' in page


def test_the_unit_filter_narrows_the_indicator_tables_but_not_the_plans_figures(
    client, demo, director
):
    client.force_login(director)
    page = _page(client, unit="PGI")
    codes = [code for code, _ in _statuses(_section(page, "indicadores"))]
    assert codes == ["12.1", "14.1"]
    assert "9 de 9 indicadores con dato" in _section(page, "puntaje")
    assert "OE3" in _section(page, "perspectivas")
    assert "siempre las del plan completo" in page


def test_the_perspective_filter_keeps_only_its_objectives_and_indicators(client, demo, director):
    client.force_login(director)
    page = _page(client, perspective="INST")
    assert "OE1" not in _section(page, "perspectivas")
    codes = [code for code, _ in _statuses(_section(page, "indicadores"))]
    assert codes == ["13.1", "13.2", "13.3", "14.1"]


def test_an_unknown_unit_is_ignored_with_a_notice(client, demo, director):
    client.force_login(director)
    page = _page(client, unit="<b>NADA</b>")
    assert "No existe la unidad «&lt;b&gt;NADA&lt;/b&gt;»" in page
    assert len(_statuses(_section(page, "indicadores"))) == 9


def test_the_trend_is_an_svg_line_over_the_years_up_to_the_cut_off(client, demo, director):
    client.force_login(director)
    score = _section(_page(client, period="2019-T2"), "puntaje")
    assert 'class="chart chart-line" role="img"' in score
    assert "<title>Cumplimiento del plan CONGOPE-2017-2021 hasta 2019-T2 (%)</title>" in score
    table = re.search(r'<table class="table table-sm trend-table.*?</table>', score, re.S)[0]
    assert re.findall(r'<th scope="row">([^<]+)</th>', table) == ["2017", "2018", "2019-T2"]


def test_unvalidated_values_are_shown_only_on_request_and_marked_provisional(
    client, demo, director
):
    client.force_login(director)
    assert "(provisional)" not in _page(client, period="2021")
    page = _page(client, period="2021", unvalidated="1")
    assert "Incluye valores reportados sin validar." in page
    assert "(provisional)" in _section(page, "indicadores")
    assert 'name="unvalidated" value="1" id="filtro-sin-validar" checked' in page


def test_a_reporter_cannot_mix_other_units_unvalidated_values_into_the_tablero(
    client, demo, reporter
):
    client.force_login(reporter)
    page = _page(client, period="2021", unvalidated="1")
    assert "Solo se muestran valores validados." in page
    assert "(provisional)" not in page
    assert 'id="filtro-sin-validar"' not in page


def test_the_plan_selector_opens_another_plan(client, official_plan, director):
    other = make_plan(
        institution=official_plan.institution, code="PLAN-2022", start_year=2022, end_year=2025
    )
    client.force_login(director)
    page = _page(client, plan=other.code)
    assert "Tablero de control al corte 2022" in page
    assert '<option value="PLAN-2022" selected>' in page


def test_the_page_has_no_inline_script_or_style(client, demo, director):
    client.force_login(director)
    page = _page(client)
    assert "<style" not in page
    assert "style=" not in page
    assert not re.search(r"<script(?![^>]*\ssrc=)", page)


def test_tables_have_captions_and_header_scopes(client, demo, director):
    client.force_login(director)
    page = _page(client)
    assert page.count("<table") == page.count("<caption")
    assert "<th>" not in page


def _queries(client, **params) -> int:
    cache.clear()  # the computing path; tests/test_scorecard_cache.py counts the reuse
    with CaptureQueriesContext(connection) as ctx:
        _page(client, **params)
    return len(ctx.captured_queries)


def _grow(plan: Plan) -> None:
    """3 objectives × 10 quarterly indicators, each with targets and values for 5 years."""
    for _ in range(3):
        objective = make_objective(perspective=make_perspective(plan=plan))
        for _ in range(10):
            indicator = make_indicator(objective=objective, periodicity="trimestral")
            quarters = [f"{y}-T{q}" for y in range(2017, 2022) for q in range(1, 5)]
            Target.objects.bulk_create(
                Target(indicator=indicator, period=p, value=4) for p in quarters
            )
            Measurement.objects.bulk_create(
                Measurement(indicator=indicator, period=p, value=3, status="validado")
                for p in quarters
            )


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        # session, user, user's groups, plans, plan's indicators with units, latest validated
        # year (default cut-off), the data's freshness token, then load_plan_data:
        # indicators, values, objectives, perspectives, targets.
        ({}, 12),
        # An explicit cut-off skips the latest-year query; the toggle and filters add none.
        ({"period": "2018", "unvalidated": "1", "unit": "RI", "perspective": "INST"}, 11),
    ],
)
def test_the_tablero_reads_a_fixed_number_of_queries(client, example, director, params, expected):
    client.force_login(director)
    _queries(client, **params)  # warm caches (content types, translations)
    assert _queries(client, **params) == expected
    _grow(example)
    assert Indicator.objects.filter(plan=example).count() == 39
    assert _queries(client, **params) == expected
