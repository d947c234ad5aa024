"""The plan in the browser: who sees which page, and pages that don't grow in queries."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from planning.models import Plan
from tests.conftest import PASSWORD, PLAN_CODE
from tests.factories import make_indicator, make_objective, make_perspective

PAGES = {
    "inicio": lambda: reverse("home"),
    "planes": lambda: reverse("plan-list"),
    "plan": lambda: reverse("plan-detail", args=[PLAN_CODE]),
    "administracion": lambda: reverse("admin:index"),
    "admin_indicadores": lambda: reverse("admin:planning_indicator_changelist"),
}

# role → page → expected status.
EXPECTED = {
    "admin": {
        "inicio": 200,
        "planes": 200,
        "plan": 200,
        "administracion": 200,
        "admin_indicadores": 200,
    },
    "planificacion": {
        "inicio": 200,
        "planes": 200,
        "plan": 200,
        "administracion": 200,
        "admin_indicadores": 200,
    },
    "direccion": {
        "inicio": 200,
        "planes": 200,
        "plan": 200,
        "administracion": 302,
        "admin_indicadores": 302,
    },
    "responsable": {
        "inicio": 200,
        "planes": 200,
        "plan": 200,
        "administracion": 302,
        "admin_indicadores": 302,
    },
    "otro_responsable": {
        "inicio": 200,
        "planes": 200,
        "plan": 200,
        "administracion": 302,
        "admin_indicadores": 302,
    },
}
CASES = [(role, page, status) for role, row in EXPECTED.items() for page, status in row.items()]


@pytest.mark.parametrize(("role", "page_name", "status"), CASES)
def test_permission_table(client, personas, role, page_name, status):
    client.force_login(personas[role])
    response = client.get(PAGES[page_name]())
    assert response.status_code == status
    if page_name in ("administracion", "admin_indicadores") and status == 302:
        assert "/admin/login/" in response["Location"]


@pytest.mark.parametrize("page_name", list(PAGES))
def test_every_page_sends_an_anonymous_visitor_to_the_login_page(client, official_plan, page_name):
    response = client.get(PAGES[page_name]())
    assert response.status_code == 302
    assert "login" in response["Location"] or "ingresar" in response["Location"]


@pytest.mark.parametrize("page_name", ["inicio", "planes", "plan"])
def test_an_account_without_a_role_sees_nothing(client, official_plan, page_name):
    nobody = get_user_model().objects.create_user("sin_rol", password=PASSWORD)
    client.force_login(nobody)
    assert client.get(PAGES[page_name]()).status_code == 404


def test_the_home_page_is_the_tablero_of_the_approved_plan(client, director):
    client.force_login(director)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert PLAN_CODE in response.content.decode()


def test_an_unknown_plan_is_not_found(client, director):
    client.force_login(director)
    assert client.get(reverse("plan-detail", args=["NO-EXISTE"])).status_code == 404


def test_the_plan_page_shows_mission_vision_objectives_strategies_results_and_indicators(
    client, director
):
    client.force_login(director)
    page = client.get(reverse("plan-detail", args=[PLAN_CODE])).content.decode()
    plan = Plan.objects.get(code=PLAN_CODE)
    assert plan.mission in page
    assert plan.vision in page
    for code in [
        "OE1",
        "OE2",
        "OE3",
        "OE4",
        "E1.8",
        "E2.9",
        "R2.3",
        "R4.2",
        "13.2",
        "14.1",
        "PI4",
        "GADP",
        "INST",
    ]:
        assert f'<span class="code-badge">{code}</span>' in page, code


def test_login_page_signs_a_user_in_and_opens_the_tablero(client, director):
    response = client.post(
        reverse("login"), {"username": director.username, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("home")
    assert response.status_code == 200


def test_login_page_refuses_a_wrong_password_in_spanish(client, director):
    response = client.post(reverse("login"), {"username": director.username, "password": "x"})
    assert response.status_code == 200
    assert (
        "Por favor, introduzca un nombre de usuario y clave correctos" in response.content.decode()
    )


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_plan_page_does_not_grow_in_queries_with_the_plan(client, director):
    client.force_login(director)
    url = reverse("plan-detail", args=[PLAN_CODE])
    before = _queries(client, url)
    plan = Plan.objects.get(code=PLAN_CODE)
    for _ in range(5):
        objective = make_objective(perspective=make_perspective(plan=plan))
        for _ in range(10):
            make_indicator(objective=objective)
    assert _queries(client, url) == before


def test_admin_change_lists_do_not_grow_in_queries(client, admin_user):
    client.force_login(admin_user)
    plan = Plan.objects.get(code=PLAN_CODE)
    urls = [
        reverse(f"admin:{name}_changelist")
        for name in [
            "planning_indicator",
            "planning_strategy",
            "planning_expectedresult",
            "planning_strategicobjective",
            "planning_orgunit",
            "planning_target",
            "scorecard_measurement",
            "scorecard_importbatch",
            "scorecard_apitoken",
            "scorecard_evidence",
        ]
    ]
    before = {url: _queries(client, url) for url in urls}
    objective = make_objective(perspective=make_perspective(plan=plan))
    for _ in range(20):
        make_indicator(objective=objective)
    assert {url: _queries(client, url) for url in urls} == before


def test_the_people_list_does_not_grow_in_queries_with_people(client, admin_user):
    client.force_login(admin_user)
    url = reverse("admin:auth_user_changelist")
    before = _queries(client, url)
    for n in range(15):
        call_command(
            "add_user",
            f"persona{n}",
            "--role",
            "responsable",
            "--unit",
            "PGI",
            stdout=io.StringIO(),
        )
    assert _queries(client, url) == before


def test_the_admin_shows_a_persons_units(client, admin_user, reporter):
    client.force_login(admin_user)
    page = client.get(reverse("admin:auth_user_change", args=[reporter.pk])).content.decode()
    assert "unidades a las que pertenece" in page.lower()
    assert "Planificación y Gestión de la Información" in page
