"""The validation queue and its actions: who may, what changes, conflicts, fixed queries."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from planning.models import Indicator, OrgUnit
from scorecard import workflow
from scorecard.models import Evidence, Measurement
from scorecard.workflow import ReportInput
from tests.conftest import PASSWORD, PLAN_CODE
from tests.factories import make_indicator, make_measurement, make_target

QUEUE = reverse("validation-queue")
BULK = reverse("measurements-validate-selected")
Status = Measurement.Status


def indicator(code: str) -> Indicator:
    return Indicator.objects.get(plan__code=PLAN_CODE, code=code)


@pytest.fixture
def pgi(official_plan):
    """11.1 (a value) and 13.2 (a ratio ×100) are reported by PGI; 13.2 has targets."""
    unit = OrgUnit.objects.get(code="PGI")
    for code in ("11.1", "13.2"):
        item = indicator(code)
        item.responsible_unit = unit
        item.save()
    make_target(indicator=indicator("13.2"), period="2019", value="80")
    make_target(indicator=indicator("11.1"), period="2019", value="10")
    return unit


def submit(user, code="11.1", period="2019", analysis="", **numbers) -> Measurement:
    """The unit sends a value for validation, as the reporting page would."""
    data = ReportInput(analysis=analysis, **{k: Decimal(v) for k, v in numbers.items()})
    item = indicator(code)
    current = workflow.report_for(item, period)
    version = current.version if current else None
    return workflow.save_report(user, item, period, data, expected_version=version, submit=True)


def fresh(m: Measurement) -> Measurement:
    return Measurement.objects.get(pk=m.pk)


def state(m: Measurement) -> tuple:
    m = fresh(m)
    return (m.status, m.version, m.return_comment, m.validated_by_id)


def texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def login(client, personas, role):
    if role == "sin_rol":
        client.force_login(get_user_model().objects.create_user("sin_rol", password=PASSWORD))
    elif personas[role] is not None:
        client.force_login(personas[role])


# --- Who may do what ----------------------------------------------------------------------

ROLES = ["admin", "planificacion", "direccion", "responsable", "otro_responsable", "sin_rol"]
LOGIN = "login"


@pytest.fixture
def scene(pgi, reporter, planner):
    """One value awaiting validation and one validated value, both PGI's."""
    reported = submit(reporter, "11.1", "2019", value="12")
    validated = submit(reporter, "11.1", "2018", value="9")
    workflow.validate(planner, validated, expected_version=validated.version)
    return {"reported": fresh(reported), "validated": fresh(validated)}


def _queue(s):
    return "get", QUEUE, {}


def _validate(s):
    m = s["reported"]
    return "post", reverse("measurement-validate", args=[m.pk]), {"version": m.version}


def _return_page(s):
    return "get", reverse("measurement-return", args=[s["reported"].pk]), {}


def _return(s):
    m = s["reported"]
    url = reverse("measurement-return", args=[m.pk])
    return "post", url, {"version": m.version, "comment": "Falta el acta"}


def _reopen_page(s):
    return "get", reverse("measurement-reopen", args=[s["validated"].pk]), {}


def _reopen(s):
    m = s["validated"]
    url = reverse("measurement-reopen", args=[m.pk])
    return "post", url, {"version": m.version, "reason": "Error de digitación"}


def _bulk(s):
    return "post", BULK, {"item": [f"{s['reported'].pk}:{s['reported'].version}"]}


#          admin, planificacion, direccion, responsable, otro_responsable, sin_rol
PERMISSIONS = [
    (_queue, [200, 200, 403, 403, 403, 404]),
    (_validate, [302, 302, 403, 403, 404, 404]),
    (_return_page, [200, 200, 403, 403, 404, 404]),
    (_return, [302, 302, 403, 403, 404, 404]),
    (_reopen_page, [200, 200, 403, 403, 404, 404]),
    (_reopen, [302, 302, 403, 403, 404, 404]),
    (_bulk, [302, 302, 403, 403, 403, 404]),
]
CASES = [
    pytest.param(action, role, expected, id=f"{action.__name__[1:]}-{role}")
    for action, statuses in PERMISSIONS
    for role, expected in zip(ROLES, statuses, strict=True)
]


@pytest.mark.parametrize(("action", "role", "expected"), CASES)
def test_permission_table(client, scene, personas, action, role, expected):
    login(client, personas, role)
    before = {name: state(m) for name, m in scene.items()}
    method, url, data = action(scene)
    response = getattr(client, method)(url, data)
    assert response.status_code == expected
    if expected != 302:
        assert {name: state(m) for name, m in scene.items()} == before


@pytest.mark.parametrize("action", [a for a, _statuses in PERMISSIONS])
def test_an_anonymous_visitor_is_sent_to_the_login_page(client, scene, action):
    before = {name: state(m) for name, m in scene.items()}
    method, url, data = action(scene)
    response = getattr(client, method)(url, data)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert {name: state(m) for name, m in scene.items()} == before


def test_validating_by_get_is_not_allowed(client, scene, planner):
    client.force_login(planner)
    url = reverse("measurement-validate", args=[scene["reported"].pk])
    assert client.get(url).status_code == 405
    assert fresh(scene["reported"]).status == Status.REPORTED


def test_a_per_gadp_row_is_not_an_item_of_the_queue(client, scene, planner):
    client.force_login(planner)
    assert client.post(reverse("measurement-validate", args=[999999]), {}).status_code == 404


# --- Validate, return, reopen -------------------------------------------------------------


def test_a_planner_validates_a_submitted_value(client, scene, planner):
    client.force_login(planner)
    m = scene["reported"]
    response = client.post(
        reverse("measurement-validate", args=[m.pk]), {"version": m.version, "next": QUEUE}
    )
    assert response.status_code == 302 and response["Location"] == QUEUE
    m = fresh(m)
    assert (m.status, m.validated_by) == (Status.VALIDATED, planner)
    assert m.history.first().history_user == planner
    assert "Validado: 11.1 · 2019." in texts(response)


def test_a_planner_returns_a_value_with_a_comment(client, scene, planner):
    client.force_login(planner)
    m = scene["reported"]
    url = reverse("measurement-return", args=[m.pk])
    response = client.post(url, {"version": m.version, "comment": "  Adjunte el acta  "})
    assert response.status_code == 302
    m = fresh(m)
    assert (m.status, m.return_comment) == (Status.RETURNED, "Adjunte el acta")
    assert "Devuelto a la unidad: 11.1 · 2019." in texts(response)


def test_returning_without_a_comment_shows_the_error_on_the_field_and_changes_nothing(
    client, scene, planner
):
    client.force_login(planner)
    m = scene["reported"]
    before = state(m)
    response = client.post(
        reverse("measurement-return", args=[m.pk]), {"version": m.version, "comment": "  "}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="id_comment"' in page and "is-invalid" in page
    assert "Indique a la unidad qué debe corregir." in page
    assert state(m) == before


def test_a_planner_reopens_a_validated_value_with_a_reason_kept_in_its_history(
    client, scene, planner
):
    client.force_login(planner)
    m = scene["validated"]
    url = reverse("measurement-reopen", args=[m.pk])
    response = client.post(url, {"version": m.version, "reason": "Dato mal digitado"})
    expected = reverse("indicator-detail", args=[PLAN_CODE, "11.1"])
    assert response.status_code == 302 and response["Location"] == expected
    m = fresh(m)
    assert (m.status, m.validated_by) == (Status.RETURNED, None)
    assert m.history.first().history_change_reason == "reabierto: Dato mal digitado"


def test_the_reopen_page_shows_the_value_and_a_reason_field(client, scene, planner):
    client.force_login(planner)
    page = client.get(reverse("measurement-reopen", args=[scene["validated"].pk])).content
    page = page.decode()
    assert "Reabrir un valor validado" in page
    assert 'for="id_reason"' in page
    assert f'name="version" value="{scene["validated"].version}"' in page


def test_the_reopen_page_of_a_value_not_validated_offers_no_form(client, scene, planner):
    client.force_login(planner)
    page = client.get(reverse("measurement-reopen", args=[scene["reported"].pk])).content
    assert "no admite este paso" in page.decode()
    assert b'name="reason"' not in page


def test_reopening_without_a_reason_changes_nothing(client, scene, planner):
    client.force_login(planner)
    m = scene["validated"]
    before = state(m)
    url = reverse("measurement-reopen", args=[m.pk])
    response = client.post(url, {"version": m.version, "reason": ""})
    assert response.status_code == 200
    page = response.content.decode()
    assert "is-invalid" in page and "Indique el motivo para reabrir un valor validado." in page
    assert state(m) == before


def test_validating_a_value_that_is_not_submitted_is_refused_with_a_message(client, scene, planner):
    client.force_login(planner)
    m = scene["validated"]
    before = state(m)
    response = client.post(reverse("measurement-validate", args=[m.pk]), {"version": m.version})
    assert response.status_code == 302
    assert "11.1 · 2018: Solo se valida un valor enviado (estado «Reportado»)." in texts(response)
    assert state(m) == before


def test_returned_then_corrected_by_the_unit_then_validated(client, pgi, reporter, planner):
    m = submit(reporter, "11.1", "2019", value="5", analysis="Retraso en convenios")
    client.force_login(planner)
    client.post(
        reverse("measurement-return", args=[m.pk]),
        {"version": m.version, "comment": "El valor no coincide con el acta"},
    )
    returned = fresh(m)
    assert returned.status == Status.RETURNED
    corrected = workflow.save_report(
        reporter,
        indicator("11.1"),
        "2019",
        ReportInput(value=Decimal("11")),
        expected_version=returned.version,
        submit=True,
    )
    assert corrected.status == Status.REPORTED
    client.post(reverse("measurement-validate", args=[m.pk]), {"version": corrected.version})
    m = fresh(m)
    assert (m.status, m.value, m.return_comment) == (Status.VALIDATED, Decimal("11"), "")
    statuses = [h.status for h in m.history.order_by("history_id")]
    assert statuses[0] == Status.REPORTED and statuses[-1] == Status.VALIDATED
    assert Status.RETURNED in statuses


# --- Conflicts ----------------------------------------------------------------------------


def test_a_stale_version_is_refused_showing_what_changed_and_nothing_changes(
    client, scene, planner, admin_user
):
    m = scene["reported"]
    seen = m.version
    workflow.return_for_correction(admin_user, m, "Revise la fuente", expected_version=seen)
    before = state(m)
    client.force_login(planner)
    response = client.post(reverse("measurement-validate", args=[m.pk]), {"version": seen})
    assert response.status_code == 302
    [message] = texts(response)
    assert "Otra persona cambió este valor" in message
    assert "estado: Reportado → Observado" in message
    assert "observación de Planificación: — → Revise la fuente" in message
    assert "ana_admin" in message
    assert state(m) == before


def test_a_return_with_a_stale_version_is_refused_and_nothing_changes(
    client, scene, planner, admin_user
):
    m = scene["reported"]
    seen = m.version
    workflow.validate(admin_user, m, expected_version=seen)
    before = state(m)
    client.force_login(planner)
    response = client.post(
        reverse("measurement-return", args=[m.pk]), {"version": seen, "comment": "Tarde"}
    )
    assert response.status_code == 302
    assert "estado: Reportado → Validado" in texts(response)[0]
    assert state(m) == before


def test_a_post_without_a_version_asks_to_reload_and_changes_nothing(client, scene, planner):
    client.force_login(planner)
    m = scene["reported"]
    before = state(m)
    response = client.post(reverse("measurement-validate", args=[m.pk]), {})
    assert "recárguela" in texts(response)[0]
    assert state(m) == before


def test_an_outside_next_address_is_ignored(client, scene, planner):
    client.force_login(planner)
    m = scene["reported"]
    response = client.post(
        reverse("measurement-validate", args=[m.pk]),
        {"version": m.version, "next": "https://ejemplo.com/"},
    )
    assert response["Location"] == QUEUE


# --- Bulk ---------------------------------------------------------------------------------


@pytest.fixture
def three(pgi, reporter):
    return [submit(reporter, "11.1", year, value="12") for year in ("2017", "2018", "2019")]


def test_validating_the_selected_values_validates_them_all(client, three, planner):
    client.force_login(planner)
    response = client.post(BULK, {"item": [f"{m.pk}:{m.version}" for m in three]})
    assert response.status_code == 302
    assert {fresh(m).status for m in three} == {Status.VALIDATED}
    assert "Validados: 3 valores." in texts(response)


def test_one_stale_selection_validates_none_and_names_it(client, three, planner, admin_user):
    stale = three[1]
    seen = stale.version
    workflow.return_for_correction(admin_user, stale, "Revise", expected_version=seen)
    before = [state(m) for m in three]
    client.force_login(planner)
    items = [f"{m.pk}:{m.version}" for m in three[:1]] + [f"{stale.pk}:{seen}"]
    items += [f"{three[2].pk}:{three[2].version}"]
    response = client.post(BULK, {"item": items})
    assert response.status_code == 302
    messages = texts(response)
    assert messages[0].startswith("No se validó ningún valor")
    assert len(messages) == 2 and messages[1].startswith("11.1 · 2018: Otra persona cambió")
    assert [state(m) for m in three] == before


def test_bulk_validation_with_nothing_ticked_says_so(client, three, planner):
    client.force_login(planner)
    response = client.post(BULK, {})
    assert texts(response) == ["Marque al menos un valor para validar."]
    assert {fresh(m).status for m in three} == {Status.REPORTED}


def test_a_tampered_selection_is_refused(client, three, planner):
    client.force_login(planner)
    response = client.post(BULK, {"item": ["abc"]})
    assert "recargue la página" in texts(response)[0]
    assert {fresh(m).status for m in three} == {Status.REPORTED}


# --- What the queue shows -----------------------------------------------------------------


def test_the_queue_shows_what_a_reviewer_weighs(client, pgi, reporter, planner):
    ratio = indicator("13.2")
    make_measurement(indicator=ratio, period="2017", numerator=Decimal(10), denominator=Decimal(20))
    make_measurement(
        indicator=ratio,
        period="2018",
        numerator=Decimal(15),
        denominator=Decimal(25),
        status=Status.REPORTED,
    )
    m = submit(reporter, "13.2", "2019", numerator="18", denominator="25", analysis="Bien")
    Evidence.objects.create(
        measurement=m,
        file="evidencias/x.pdf",
        original_name="acta-convenios.pdf",
        content_type="application/pdf",
        size=10,
    )
    client.force_login(planner)
    page = client.get(QUEUE).content.decode()
    assert "13.2" in page and "PGI — " in page
    assert "18 / 25 = 72,00" in page
    assert "80,00" in page  # the period's target
    assert "Verde · 90,00 %" in page
    assert "2017: 50,00" in page and "2018: 60,00 (sin validar)" in page
    assert "Bien" in page and "acta-convenios.pdf" in page
    assert "rosa_pgi" in page
    assert f'value="{m.pk}:{m.version}" form="validar-seleccionados"' in page


def test_a_value_below_its_target_shows_red_with_its_word(client, pgi, reporter, planner):
    submit(reporter, "11.1", "2019", value="5", analysis="Faltó presupuesto")
    client.force_login(planner)
    page = client.get(QUEUE).content.decode()
    assert "Rojo · 50,00 %" in page and "Faltó presupuesto" in page


def test_the_queue_lists_only_submitted_own_values(client, scene, planner):
    client.force_login(planner)
    page = client.get(QUEUE).content.decode()
    assert f'id="valor-{scene["reported"].pk}"' in page
    assert f'id="valor-{scene["validated"].pk}"' not in page


def test_the_queue_filters_by_plan_unit_and_period(client, pgi, reporter, other_reporter, planner):
    ri = OrgUnit.objects.get(code="RI")
    item = indicator("12.1")
    item.responsible_unit = ri
    item.save()
    mine = submit(reporter, "11.1", "2019", value="12")
    theirs = submit(other_reporter, "12.1", "2018", value="3")
    client.force_login(planner)

    def shown(**params):
        page = client.get(QUEUE, params).content.decode()
        return {m.pk for m in (mine, theirs) if f'id="valor-{m.pk}"' in page}

    assert shown() == {mine.pk, theirs.pk}
    assert shown(unit=ri.pk) == {theirs.pk}
    assert shown(period="2019") == {mine.pk}
    assert shown(plan=PLAN_CODE) == {mine.pk, theirs.pk}
    assert shown(plan=PLAN_CODE, unit=pgi.pk, period="2018") == set()


def test_an_invalid_period_filter_is_explained_on_its_field(client, scene, planner):
    client.force_login(planner)
    page = client.get(QUEUE, {"period": "2019-X"}).content.decode()
    assert "«2019-X» no es un periodo válido." in page


def _reported_rows(count: int, reporter, start: int = 0) -> None:
    """``count`` submitted values (each with a target, evidence and an earlier value)."""
    objective = indicator("11.1").objective
    unit = OrgUnit.objects.get(code="PGI")
    now = timezone.now()
    for n in range(start, start + count):
        item = make_indicator(objective=objective, responsible_unit=unit, code=f"Q{n}")
        make_target(indicator=item, period="2019", value="10")
        make_measurement(indicator=item, period="2018", value=Decimal(8))
        m = make_measurement(
            indicator=item,
            period="2019",
            value=Decimal(n),
            status=Status.REPORTED,
            reported_by=reporter,
            reported_at=now - datetime.timedelta(minutes=1000 - n),
        )
        Evidence.objects.create(
            measurement=m, file="e.pdf", original_name=f"e{n}.pdf", content_type="x", size=1
        )


def _queue_queries(client, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(QUEUE, params).status_code == 200
    return len(queries)


def test_the_queue_reads_a_fixed_number_of_queries(
    client, official_plan, reporter, planner, django_assert_max_num_queries
):
    client.force_login(planner)
    _reported_rows(3, reporter)
    with_three = _queue_queries(client)
    _reported_rows(27, reporter, start=3)
    # session, user, role (groups), count, page rows, evidence, targets, earlier values,
    # the plan and the unit choices of the filters
    with django_assert_max_num_queries(10):
        assert client.get(QUEUE).status_code == 200
    assert _queue_queries(client) == with_three
    assert _queue_queries(client, plan=PLAN_CODE, period="2019") == with_three + 1  # the plan


def test_the_queue_shows_fifty_values_a_page(client, official_plan, reporter, planner):
    _reported_rows(55, reporter)
    client.force_login(planner)
    first = client.get(QUEUE).content.decode()
    second = client.get(QUEUE, {"page": 2}).content.decode()
    assert first.count('name="item"') == 50 and second.count('name="item"') == 5
    assert "55 valores por validar" in first and "página 2 de 2" in second
    assert "e0.pdf" in first and "e54.pdf" in second  # oldest submission first
