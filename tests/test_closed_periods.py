"""Closed periods: who sees and changes them, closing and reopening, and what closing means."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from planning.models import Indicator, OrgUnit
from scorecard import workflow
from scorecard.models import ClosedPeriod
from scorecard.workflow import ReportInput, WorkflowError
from tests.conftest import PASSWORD, PLAN_CODE
from tests.factories import make_plan

PAGE = reverse("closed-periods")
PLAN_PAGE = f"{PAGE}?plan={PLAN_CODE}"
ROLES = ["admin", "planificacion", "direccion", "responsable", "otro_responsable", "sin_rol"]


@pytest.fixture
def closed_2018(official_plan, planner):
    return workflow.close_period(planner, official_plan, "2018", "Informe anual entregado")


def login(client, personas, role):
    if role == "sin_rol":
        client.force_login(get_user_model().objects.create_user("sin_rol", password=PASSWORD))
    else:
        client.force_login(personas[role])


def closed_codes() -> set[str]:
    return set(ClosedPeriod.objects.values_list("period", flat=True))


def texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- Who may do what ----------------------------------------------------------------------


def _list(closed):
    return "get", PLAN_PAGE, {}


def _close(closed):
    return "post", PLAN_PAGE, {"period": "2019", "reason": ""}


def _reopen(closed):
    return "post", reverse("closed-period-reopen", args=[closed.pk]), {"reason": "Corrección"}


#  admin, planificacion, direccion, responsable, otro_responsable, sin_rol.
#  Reporters and directors read the list (what is closed concerns them); only planning
#  staff close and open.
PERMISSIONS = [
    (_list, [200, 200, 200, 200, 200, 404]),
    (_close, [302, 302, 403, 403, 403, 404]),
    (_reopen, [302, 302, 403, 403, 403, 404]),
]
CASES = [
    pytest.param(action, role, expected, id=f"{action.__name__[1:]}-{role}")
    for action, statuses in PERMISSIONS
    for role, expected in zip(ROLES, statuses, strict=True)
]


@pytest.mark.parametrize(("action", "role", "expected"), CASES)
def test_permission_table(client, closed_2018, personas, action, role, expected):
    login(client, personas, role)
    method, url, data = action(closed_2018)
    response = getattr(client, method)(url, data)
    assert response.status_code == expected
    if expected != 302:
        assert closed_codes() == {"2018"}


@pytest.mark.parametrize("action", [a for a, _statuses in PERMISSIONS])
def test_an_anonymous_visitor_is_sent_to_the_login_page(client, closed_2018, action):
    method, url, data = action(closed_2018)
    response = getattr(client, method)(url, data)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert closed_codes() == {"2018"}


def test_reopening_a_period_by_get_is_not_allowed(client, closed_2018, planner):
    client.force_login(planner)
    response = client.get(reverse("closed-period-reopen", args=[closed_2018.pk]))
    assert response.status_code == 405


@pytest.mark.parametrize("role", ["direccion", "responsable"])
def test_directors_and_reporters_see_the_list_without_forms(client, closed_2018, personas, role):
    login(client, personas, role)
    page = client.get(PLAN_PAGE).content.decode()
    assert "Informe anual entregado" in page and "pablo_planificacion" in page
    assert '<form method="post"' not in page
    assert 'name="reason"' not in page and 'name="period"' not in page


def test_an_unknown_plan_is_not_found(client, planner):
    client.force_login(planner)
    assert client.get(PAGE, {"plan": "NO-EXISTE"}).status_code == 404


# --- Closing ------------------------------------------------------------------------------


def test_a_planner_closes_a_period_with_an_observation(client, official_plan, planner):
    client.force_login(planner)
    response = client.post(PLAN_PAGE, {"period": "2019-s1", "reason": "Informe semestral"})
    assert response.status_code == 302 and response["Location"] == PLAN_PAGE
    closed = ClosedPeriod.objects.get()
    assert (closed.period, closed.closed_by, closed.reason) == (
        "2019-S1",
        planner,
        "Informe semestral",
    )
    assert "Periodo 2019-S1 cerrado." in texts(response)
    page = client.get(PLAN_PAGE).content.decode()
    assert '<th scope="row">2019-S1</th>' in page and "Informe semestral" in page


def test_the_page_without_a_plan_shows_the_default_plan(client, closed_2018, planner):
    client.force_login(planner)
    page = client.get(PAGE).content.decode()
    assert f"Periodos cerrados del plan {PLAN_CODE}" in page and "Informe anual" in page


@pytest.mark.parametrize(
    ("period", "error"),
    [
        ("2018", "El periodo 2018 ya está cerrado."),
        ("2018-T3", "El periodo 2018-T3 ya está cerrado."),  # inside the closed year
        ("2019-13", "«2019-13» no es un periodo válido."),
        ("mañana", "«mañana» no es un periodo válido."),
        ("2030", "El periodo 2030 está fuera del plan."),
        ("", "Este campo es obligatorio."),
    ],
)
def test_a_period_that_cannot_be_closed_is_explained_on_its_field(
    client, closed_2018, planner, period, error
):
    client.force_login(planner)
    response = client.post(PLAN_PAGE, {"period": period})
    assert response.status_code == 200
    page = response.content.decode()
    assert error in page
    assert 'aria-describedby="id_period_helptext id_period_error"' in page
    assert closed_codes() == {"2018"}


# --- Reopening ----------------------------------------------------------------------------


def test_a_planner_reopens_a_period_with_a_reason_the_history_keeps(client, closed_2018, planner):
    client.force_login(planner)
    response = client.post(
        reverse("closed-period-reopen", args=[closed_2018.pk]), {"reason": "Se corrige 11.1"}
    )
    assert response.status_code == 302 and response["Location"] == PLAN_PAGE
    assert closed_codes() == set()
    last = ClosedPeriod.history.order_by("-history_id").first()
    assert (last.history_type, last.history_user, last.history_change_reason) == (
        "-",
        planner,
        "Se corrige 11.1",
    )
    assert "Periodo 2018 abierto de nuevo." in texts(response)


def test_reopening_without_a_reason_is_explained_on_that_rows_field(client, closed_2018, planner):
    client.force_login(planner)
    response = client.post(reverse("closed-period-reopen", args=[closed_2018.pk]), {"reason": " "})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Indique el motivo para abrir de nuevo el periodo." in page
    assert f'id="id_abrir_{closed_2018.pk}_reason_error"' in page
    assert closed_codes() == {"2018"}


def test_an_unknown_closed_period_is_not_found(client, official_plan, planner):
    client.force_login(planner)
    url = reverse("closed-period-reopen", args=[999999])
    assert client.post(url, {"reason": "x"}).status_code == 404


# --- What closing means for reports -------------------------------------------------------


@pytest.fixture
def pgi_indicator(official_plan):
    item = Indicator.objects.get(plan=official_plan, code="11.1")
    item.responsible_unit = OrgUnit.objects.get(code="PGI")
    item.save()
    return item


def test_a_reporter_cannot_save_a_report_in_a_closed_period(pgi_indicator, closed_2018, reporter):
    with pytest.raises(WorkflowError) as refused:
        workflow.save_report(reporter, pgi_indicator, "2018", ReportInput(value=Decimal(3)))
    assert "está cerrado: solo Planificación" in refused.value.message_dict["period"][0]
    assert not pgi_indicator.measurements.exists()


def test_a_planner_changes_a_closed_period_only_with_a_reason(pgi_indicator, closed_2018, planner):
    with pytest.raises(WorkflowError):
        workflow.save_report(planner, pgi_indicator, "2018", ReportInput(value=Decimal(3)))
    m = workflow.save_report(
        planner, pgi_indicator, "2018", ReportInput(value=Decimal(3)), reason="Dato del informe"
    )
    assert m.value == Decimal(3)
    assert m.history.first().history_change_reason == "Dato del informe"


def test_after_reopening_the_unit_reports_again(
    client, pgi_indicator, closed_2018, planner, reporter
):
    client.force_login(planner)
    client.post(reverse("closed-period-reopen", args=[closed_2018.pk]), {"reason": "Ajuste"})
    m = workflow.save_report(reporter, pgi_indicator, "2018", ReportInput(value=Decimal(4)))
    assert m.value == Decimal(4)


# --- Fixed queries ------------------------------------------------------------------------


def _page_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(PLAN_PAGE).status_code == 200
    return len(queries)


def test_the_page_reads_a_fixed_number_of_queries(
    client, official_plan, planner, admin_user, django_assert_max_num_queries
):
    make_plan()  # a second plan, so the selector shows
    client.force_login(planner)
    workflow.close_period(admin_user, official_plan, "2017")
    with_one = _page_queries(client)
    for year in (2018, 2019, 2020, 2021):
        workflow.close_period(planner, official_plan, f"{year}", f"Cierre {year}")
    # session, user, role (groups), plans, closed periods with who closed them
    with django_assert_max_num_queries(5):
        assert client.get(PLAN_PAGE).status_code == 200
    assert _page_queries(client) == with_one
