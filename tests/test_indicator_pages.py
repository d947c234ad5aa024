"""The objective and indicator pages: who sees what, the figures, the ficha and fixed queries."""

import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from planning.models import ExpectedResult, Gadp, Indicator, Target
from scorecard import cache
from scorecard.demo import seed_demo
from scorecard.models import Evidence, Measurement
from tests.conftest import PASSWORD, PLAN_CODE
from tests.factories import make_indicator
from tests.test_scorecard_json import _load_example

ROLES = ["admin", "planificacion", "direccion", "responsable", "otro_responsable"]


def objective_url(code="OE3"):
    return reverse("objective-detail", args=[PLAN_CODE, code])


def indicator_url(code="13.2"):
    return reverse("indicator-detail", args=[PLAN_CODE, code])


@pytest.fixture
def example(official_plan):
    _load_example(official_plan)
    return official_plan


@pytest.fixture
def demo(official_plan):
    seed_demo(password=PASSWORD)
    return official_plan


def _get(client, url, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def _section(page: str, section_id: str) -> str:
    match = re.search(rf'<section aria-labelledby="{section_id}".*?</section>', page, re.S)
    assert match, section_id
    return match.group(0)


def _reported(code: str, period: str, text: str, **numbers) -> Measurement:
    """A value reported by its unit and not yet validated, with a recognisable analysis."""
    indicator = Indicator.objects.get(plan__code=PLAN_CODE, code=code)
    return Measurement.objects.create(
        indicator=indicator, period=period, analysis=text, status="reportado", **numbers
    )


# --- Access -------------------------------------------------------------------------------


def test_an_indicator_code_with_a_dot_is_a_plain_path():
    assert indicator_url("13.2") == "/planes/CONGOPE-2017-2021/indicadores/13.2/"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url", [objective_url("OE1"), indicator_url("12.2"), indicator_url()])
def test_every_role_reads_the_objective_and_indicator_pages(client, demo, personas, role, url):
    client.force_login(personas[role])
    page = _get(client, url)
    assert '<h1 class="h2 mb-3">' in page


@pytest.mark.parametrize("url", [objective_url(), indicator_url()])
def test_an_anonymous_visitor_is_sent_to_the_login_page(client, official_plan, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("url", [objective_url(), indicator_url()])
def test_an_account_without_a_role_sees_nothing(client, official_plan, url):
    client.force_login(get_user_model().objects.create_user("sin_rol", password=PASSWORD))
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        reverse("objective-detail", args=[PLAN_CODE, "OE9"]),
        reverse("indicator-detail", args=[PLAN_CODE, "99.9"]),
        reverse("objective-detail", args=["NO-EXISTE", "OE1"]),
        reverse("indicator-detail", args=["NO-EXISTE", "13.2"]),
    ],
)
def test_an_unknown_plan_objective_or_indicator_is_not_found(client, director, url):
    client.force_login(director)
    assert client.get(url).status_code == 404


# --- Objective page -----------------------------------------------------------------------


def test_the_objective_page_shows_its_statement_strategies_results_and_indicators(
    client, example, director
):
    client.force_login(director)
    page = _get(client, objective_url("OE3"), period="2018")
    assert "Incrementar oportunidades de posicionamiento" in page
    for code in ["E3.1", "E3.5", "R3.1", "R3.2", "13.1", "13.2", "13.3"]:
        assert f"{code}</" in page, code
    situation = _section(page, "situacion")
    assert "Verde · 91,67 %" in situation
    assert "2 de 3 indicadores con dato" in situation


def test_a_result_rolls_up_the_indicators_linked_to_it(client, example, director):
    result = ExpectedResult.objects.get(plan=example, code="R3.1")
    Indicator.objects.filter(plan=example, code__in=["13.1", "13.2"]).update(result=result)
    client.force_login(director)
    results = _section(_get(client, objective_url("OE3"), period="2018"), "resultados")
    row = re.search(r"R3\.1</span>.*?</tr>", results, re.S).group(0)
    # (83.33… + 100) / 2, with the plan's bands.
    assert "Verde · 91,67 %" in row
    assert "2 de 2" in row
    assert "Sin indicadores vinculados" in re.search(r"R3\.2</span>.*?</tr>", results, re.S)[0]


def test_each_indicator_of_the_objective_has_a_sparkline_and_its_figures_in_a_table(
    client, demo, director
):
    client.force_login(director)
    page = _get(client, objective_url("OE3"), period="2020")
    indicators = _section(page, "indicadores")
    assert indicators.count('class="chart chart-sparkline" role="img"') == 3
    assert "<title>Cumplimiento de 13.2 por periodo. 2017: sin dato; 2018: " in indicators
    header = re.search(r'class="table table-sm history-table">.*?</thead>', indicators, re.S)[0]
    assert re.findall(r'<th scope="col" class="text-end">(\d{4})</th>', header) == [
        "2017",
        "2018",
        "2019",
        "2020",
    ]


# --- Indicator page -----------------------------------------------------------------------


def test_the_indicator_page_shows_the_ficha_with_the_models_labels(client, example, director):
    indicator = Indicator.objects.get(plan=example, code="13.2")
    indicator.formula = "Convenios utilizados / convenios firmados × 100"
    indicator.save()
    client.force_login(director)
    page = _get(client, indicator_url("13.2"))
    ficha = _section(page, "ficha")
    for label in ["Fórmula de cálculo", "Medio de verificación", "Línea base", "Georreferenciado"]:
        assert f">{label}</dt>" in ficha, label
    assert "Convenios utilizados / convenios firmados × 100" in ficha
    settings = _section(page, "calculo")
    assert "Razón (numerador / denominador)" in settings
    assert '>Factor</dt><dd class="col-sm-9">100</dd>' in settings
    assert "El del plan (85 %)" in settings


def test_the_indicator_page_shows_the_semaforo_at_the_cut_off(client, example, director):
    client.force_login(director)
    situation = _section(_get(client, indicator_url("13.2"), period="2018"), "situacion")
    assert "Verde · 100,00 %" in situation
    assert "75,00 %" in situation


def test_a_ratio_shows_numerator_denominator_and_the_ratio_for_each_period(
    client, example, director
):
    client.force_login(director)
    table = _section(_get(client, indicator_url("13.2")), "metas-valores")
    row = re.search(r'<th scope="row">2018</th>.*?</tr>', table, re.S)[0]
    assert "9 / 12" in row
    assert "75,00" in row
    assert "Validado" in row
    for year in ["2017", "2019", "2020", "2021"]:
        assert f'<th scope="row">{year}</th>' in table


def test_the_chart_draws_targets_against_values_over_every_period(client, example, director):
    client.force_login(director)
    table = _section(_get(client, indicator_url("12.1")), "metas-valores")
    assert 'class="chart chart-bars" role="img"' in table
    assert "<title>Metas y valores de 12.1 por periodo</title>" in table
    assert table.count('class="chart-target"') == 4  # 2018-T1 … T4
    assert table.count('<th scope="row">20') == 20  # quarters of 2017–2021


def test_a_reporter_sees_unvalidated_values_of_their_own_units_indicator_only(
    client, demo, reporter, other_reporter
):
    # Demo: 14.1 belongs to PGI (reporter), 13.2 to RI (other_reporter).
    Measurement.objects.filter(indicator__code__in=["14.1", "13.2"], period="2021").delete()
    _reported("14.1", "2021", "Analisis-sin-validar-PGI", numerator=15, denominator=20)
    _reported("13.2", "2021", "Analisis-sin-validar-RI", numerator=5, denominator=10)
    client.force_login(reporter)
    own = _get(client, indicator_url("14.1"))
    assert "Analisis-sin-validar-PGI" in own
    assert 'class="measurement-status measurement-reportado"' in own
    other = _get(client, indicator_url("13.2"))
    assert "Analisis-sin-validar-RI" not in other
    assert "measurement-reportado" not in other
    assert "solo valores validados" in other
    client.force_login(other_reporter)
    assert "Analisis-sin-validar-RI" in _get(client, indicator_url("13.2"))
    assert "Analisis-sin-validar-PGI" not in _get(client, indicator_url("14.1"))


def test_an_unvalidated_value_is_a_hollow_bar_marked_with_an_asterisk(client, example, director):
    _reported("13.2", "2019", "x", numerator=8, denominator=10)
    client.force_login(director)
    table = _section(_get(client, indicator_url("13.2")), "metas-valores")
    assert 'class="chart-bar chart-bar-provisional"' in table
    assert "80,00 *" in table


def test_evidence_names_are_listed_escaped_for_those_who_may_see_them(
    client, example, director, other_reporter
):
    measurement = Measurement.objects.get(indicator__code="13.2", period="2018", gadp=None)
    Evidence.objects.create(
        measurement=measurement,
        file="evidencias/2018/01/acta.pdf",
        original_name="acta <b>firmada</b>.pdf",
        content_type="application/pdf",
        size=10,
    )
    client.force_login(director)
    page = _get(client, indicator_url("13.2"))
    assert "acta &lt;b&gt;firmada&lt;/b&gt;.pdf" in page
    client.force_login(other_reporter)  # RI, but 13.2 has no unit in the example
    assert "acta &lt;b&gt;firmada" not in _get(client, indicator_url("13.2"))


def test_a_disaggregated_indicator_shows_a_table_per_gadp(client, demo, director):
    client.force_login(director)
    page = _get(client, indicator_url("12.2"))
    gadp = _section(page, "por-gadp")
    assert gadp.count('<tr><th scope="row">') == Gadp.objects.count() == 23
    assert "01 Azuay" in gadp
    assert 'id="por-gadp"' not in _get(client, indicator_url("13.2"))


def test_the_indicator_page_has_no_inline_script_or_style(client, demo, director):
    client.force_login(director)
    for url in [indicator_url("12.2"), objective_url("OE2")]:
        page = _get(client, url)
        assert "<style" not in page
        assert "style=" not in page
        assert not re.search(r"<script(?![^>]*\ssrc=)", page)
        assert page.count("<table") == page.count("<caption")


# --- Queries ------------------------------------------------------------------------------


def _queries(client, url) -> int:
    cache.clear()  # the computing path
    with CaptureQueriesContext(connection) as ctx:
        _get(client, url, period="2018")
    return len(ctx.captured_queries)


def _grow(objective, indicator) -> None:
    """10 more indicators on the objective; years of values, per GADP too, with evidence."""
    plan = objective.plan
    gadps = list(Gadp.objects.all())
    periods = [str(y) for y in range(plan.start_year, plan.end_year + 1)]
    for _ in range(10):
        other = make_indicator(objective=objective, result=objective.expectedresult_set.first())
        Target.objects.bulk_create(Target(indicator=other, period=p, value=4) for p in periods)
        Measurement.objects.bulk_create(
            Measurement(indicator=other, period=p, value=3, status="validado") for p in periods
        )
    indicator.disaggregated_by_gadp = True
    indicator.save()
    for period in periods:
        m, _ = Measurement.objects.get_or_create(
            indicator=indicator,
            period=period,
            gadp=None,
            defaults={"numerator": 3, "denominator": 4, "status": "validado"},
        )
        for n in range(3):
            Evidence.objects.create(
                measurement=m, file=f"e/{n}.pdf", original_name=f"{n}.pdf", content_type="x", size=1
            )
        Measurement.objects.bulk_create(
            Measurement(
                indicator=indicator,
                period=period,
                gadp=g,
                numerator=Decimal(1),
                denominator=Decimal(1),
                status="validado",
            )
            for g in gadps
        )


@pytest.mark.parametrize(
    ("which", "expected"),
    [
        # session, user, groups, plan, the objective and its units, strategies, results and
        # indicators (5), then the data's freshness token and load_plan_data (5).
        ("objective", 15),
        # session, user, groups, plan, indicator, load_plan_data (5), measurements and their
        # evidence (2), targets, GADP (only once the indicator is disaggregated), then the
        # history of changes: one query each for the indicator, its targets and its values.
        ("indicator", 17),
    ],
)
def test_the_pages_read_a_fixed_number_of_queries(client, example, director, which, expected):
    indicator = Indicator.objects.get(plan=example, code="13.2")
    url = objective_url("OE3") if which == "objective" else indicator_url("13.2")
    client.force_login(director)
    _queries(client, url)  # warm caches
    before = _queries(client, url)
    _grow(indicator.objective, indicator)
    after = _queries(client, url)
    assert after == expected
    # The indicator page asks for the list of GADP once it becomes disaggregated.
    assert after == before + (1 if which == "indicator" else 0)
