"""Unit reporting: "Mis indicadores", the report form, its refusals, and the change history."""

import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from planning.models import Gadp, Indicator, OrgUnit, Target
from scorecard import duties, workflow
from scorecard.models import ClosedPeriod, Evidence, Measurement
from tests.conftest import PASSWORD, PLAN_CODE
from tests.factories import (
    make_indicator,
    make_measurement,
    make_objective,
    make_perspective,
    make_plan,
    make_target,
)

MY = reverse("my-indicators")
Status = Measurement.Status
ROLES = ["admin", "planificacion", "direccion", "responsable", "otro_responsable"]


def report_url(code="11.1", period="2018", plan=PLAN_CODE):
    return reverse("report-edit", args=[plan, code, period])


@pytest.fixture
def pgi(official_plan):
    """11.1 (a value, target 10 in 2018) and 13.2 (a ratio × 100, target 80) belong to PGI."""
    unit = OrgUnit.objects.get(code="PGI")
    for code, target in (("11.1", 10), ("13.2", 80)):
        indicator = Indicator.objects.get(plan=official_plan, code=code)
        indicator.responsible_unit = unit
        indicator.save()
        make_target(indicator=indicator, period="2018", value=target)
    return official_plan


def _indicator(code="11.1") -> Indicator:
    return Indicator.objects.get(plan__code=PLAN_CODE, code=code)


def _report(code="11.1", period="2018") -> Measurement | None:
    return Measurement.objects.filter(
        indicator__plan__code=PLAN_CODE, indicator__code=code, period=period, gadp=None
    ).first()


def snapshot():
    """Everything a report can change: values, states, versions, evidence and history."""
    return (
        list(Measurement.objects.order_by("pk").values()),
        list(Evidence.objects.order_by("pk").values_list("pk", "file")),
        Measurement.history.count(),
        Evidence.history.count(),
    )


def _post(client, url=None, action="draft", **data):
    payload = {"version": "", "analysis": "", "action": action, **data}
    return client.post(url or report_url(), payload)


def _page(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def _field_error(page: str, field: str) -> str:
    match = re.search(rf'id="id_{field}_error"[^>]*>(.*?)</div>', page, re.S)
    assert match, f"no error on {field}"
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


# --- Permissions --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 200),
        ("planificacion", 200),
        ("direccion", 403),
        ("responsable", 200),
        ("otro_responsable", 200),
    ],
)
def test_who_opens_my_indicators(client, pgi, personas, role, status):
    client.force_login(personas[role])
    assert client.get(MY).status_code == status


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 200),
        ("planificacion", 200),
        ("direccion", 403),
        ("responsable", 200),
        ("otro_responsable", 404),  # PGI's report: not theirs to see
    ],
)
def test_who_opens_the_report_form(client, pgi, personas, role, status):
    client.force_login(personas[role])
    assert client.get(report_url()).status_code == status


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 302),
        ("planificacion", 302),
        ("direccion", 403),
        ("responsable", 302),
        ("otro_responsable", 404),
    ],
)
def test_who_may_post_a_report(client, pgi, personas, role, status):
    client.force_login(personas[role])
    before = snapshot()
    response = _post(client, value="7")
    assert response.status_code == status
    if status == 302:
        assert _report().value == 7
    else:
        assert snapshot() == before


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", MY),
        ("get", report_url()),
        ("post", report_url()),
        ("get", reverse("evidence-download", args=[1])),
        ("post", reverse("evidence-delete", args=[1])),
    ],
)
def test_an_anonymous_visitor_is_sent_to_the_login_page(client, pgi, method, url):
    before = snapshot()
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert snapshot() == before


@pytest.mark.parametrize("url", [MY, report_url()])
def test_an_account_without_a_role_sees_nothing(client, pgi, url):
    client.force_login(get_user_model().objects.create_user("sin_rol", password=PASSWORD))
    assert client.get(url).status_code == 404
    if url != MY:  # the list only answers GET
        assert client.post(url, {"value": "1"}).status_code == 404
    assert _report() is None


@pytest.mark.parametrize(
    "url",
    [
        report_url(plan="NO-EXISTE"),
        report_url(code="99.9"),
        report_url(period="no-es-periodo"),
        MY + "?plan=NO-EXISTE",
    ],
)
def test_an_unknown_plan_indicator_or_period_is_not_found(client, pgi, reporter, url):
    client.force_login(reporter)
    assert client.get(url).status_code == 404


def test_the_other_units_reporter_cannot_touch_pgis_report_by_url_or_form(
    client, pgi, reporter, other_reporter
):
    client.force_login(reporter)
    _post(client, value="4")
    report = _report()
    before = snapshot()
    client.force_login(other_reporter)
    assert client.get(report_url()).status_code == 404
    data = {"version": str(report.version), "action": "submit", "analysis": "x"}
    assert client.post(report_url(), {**data, "value": "99"}).status_code == 404
    assert snapshot() == before
    assert "11.1" not in _page(client.get(MY))


# --- Mis indicadores ----------------------------------------------------------------------


def test_my_indicators_lists_what_is_due_returned_drafted_and_done(client, pgi, reporter):
    make_measurement(
        indicator=_indicator(),
        period="2017",
        value=3,
        status=Status.RETURNED,
        return_comment="Adjunte el acta firmada",
    )
    make_measurement(indicator=_indicator("13.2"), period="2018", numerator=9, denominator=12)
    client.force_login(reporter)
    page = _page(client.get(MY))
    assert "Adjunte el acta firmada" in page
    assert reverse("report-edit", args=[PLAN_CODE, "11.1", "2017"]) in page
    assert reverse("report-edit", args=[PLAN_CODE, "11.1", "2019"]) in page
    assert "75,00" in page  # 9 / 12 × 100, computed on the server
    counts = dict(re.findall(r'duty-(\w+)">[^<]+</span> <span class="duty-count">(\d+)', page))
    # Both annual indicators of PGI over 2017–2021, all ended and past due by now.
    assert counts == {
        "observado": "1",
        "vencido": "8",
        "pendiente": "0",
        "borrador": "0",
        "reportado": "0",
        "validado": "1",
    }
    rows = re.findall(r'<tr class="duty-row">.*?</tr>', page, re.S)
    assert len(rows) == 10
    assert "Observado" in rows[0] and "Corregir" in rows[0]  # returned first, with a word
    assert "Validado" in rows[-1] and ">Ver<" in rows[-1]


def test_my_indicators_filters_by_state_and_by_indicator(client, pgi, reporter):
    make_measurement(indicator=_indicator(), period="2017", value=3, status=Status.VALIDATED)
    client.force_login(reporter)
    page = _page(client.get(MY, {"state": "validado"}))
    rows = re.findall(r'<tr class="duty-row">.*?</tr>', page, re.S)
    assert len(rows) == 1 and "2017" in rows[0]
    page = _page(client.get(MY, {"indicator": "13.2"}))
    rows = re.findall(r'<tr class="duty-row">.*?</tr>', page, re.S)
    assert len(rows) == 5 and all("13.2" in r for r in rows)
    page = _page(client.get(MY, {"state": "inventado"}))
    assert "no es un filtro válido" in page
    assert len(re.findall(r'<tr class="duty-row">', page)) == 10


def test_a_reporter_without_indicators_is_told_so(client, pgi, other_reporter):
    client.force_login(other_reporter)
    page = _page(client.get(MY))
    assert "No tiene indicadores a su cargo" in page


def test_my_indicators_has_no_inline_script_or_style_and_captions_its_tables(client, pgi, reporter):
    client.force_login(reporter)
    for url in [MY, report_url(), report_url("13.2")]:
        page = _page(client.get(url))
        assert "style=" not in page and "<style" not in page
        assert not re.search(r"<script(?![^>]*\ssrc=)", page)
        assert page.count("<table") == page.count("<caption")


def _count(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        _page(client.get(MY))
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", ["responsable", "planificacion"])
def test_my_indicators_reads_a_fixed_number_of_queries(client, pgi, personas, role):
    client.force_login(personas[role])
    _count(client)
    before = _count(client)
    unit = OrgUnit.objects.get(code="PGI")
    objective = _indicator().objective
    for n in range(8):
        other = make_indicator(
            objective=objective, periodicity="trimestral", responsible_unit=unit, order=50 + n
        )
        for period in ("2017-T1", "2018-T2", "2019-T3"):
            make_target(indicator=other, period=period, value=5)
            make_measurement(indicator=other, period=period, value=4, status=Status.RETURNED)
    after = _count(client)
    # session, user, groups, units (reporters), plans, then the duties (4).
    assert after == before <= 10


# --- The report form ----------------------------------------------------------------------


def test_the_form_shows_the_indicator_unit_period_target_and_previous_values(client, pgi, reporter):
    indicator = _indicator()
    make_measurement(indicator=indicator, period="2017", value=Decimal("8.5"))
    client.force_login(reporter)
    page = _page(client.get(report_url()))
    assert indicator.name in page
    assert "PGI — " in page
    assert "Reporte del periodo 2018" in page
    assert "10,00" in page  # the period's target
    previous = re.search(r'aria-labelledby="anteriores".*?</section>', page, re.S).group(0)
    assert "2017" in previous and "8,50" in previous and "Validado" in previous
    assert 'name="version"' in page
    assert "Guardar borrador" in page and "Enviar a validación" in page
    assert 'for="id_value"' in page and 'for="id_analysis"' in page and 'for="id_evidence"' in page
    assert "pdf" in page and "MB por archivo" in page  # types and size in the help text


def test_a_draft_is_saved_then_submitted(client, pgi, reporter):
    client.force_login(reporter)
    response = _post(client, value="12,5")
    assert response.status_code == 302
    assert response["Location"] == MY + f"?plan={PLAN_CODE}"
    report = _report()
    assert (report.value, report.status, report.version) == (Decimal("12.5"), "borrador", 1)
    page = _page(client.get(report_url()))
    assert 'name="version" value="1"' in page
    assert 'value="12,5"' in page
    response = client.post(
        report_url(), {"value": "12.5", "version": "1", "action": "submit"}, follow=True
    )
    assert "Reporte de 11.1 · 2018 enviado a validación." in _page(response)
    report.refresh_from_db()
    assert (report.status, report.reported_by, report.version) == ("reportado", reporter, 2)


@pytest.mark.parametrize("text", ["12,5", "12.5", " 12,50 "])
def test_a_decimal_comma_or_point_are_both_accepted(client, pgi, reporter, text):
    client.force_login(reporter)
    assert _post(client, value=text).status_code == 302
    assert _report().value == Decimal("12.5")


@pytest.mark.parametrize("text", ["doce", "12,5,1", "1.234,5", "1e3", "NaN"])
def test_text_in_a_number_is_refused_on_its_field(client, pgi, reporter, text):
    client.force_login(reporter)
    page = _page(_post(client, value=text))
    assert _field_error(page, "value") == "Ingrese un número."
    assert 'aria-invalid="true"' in page
    assert _report() is None


def test_more_decimals_than_stored_are_refused_not_rounded(client, pgi, reporter):
    client.force_login(reporter)
    page = _page(_post(client, value="1,1234567"))
    assert "como máximo 6 decimales" in _field_error(page, "value")
    assert _report() is None


def test_submitting_below_target_needs_a_variance_analysis(client, pgi, reporter):
    client.force_login(reporter)
    before = snapshot()
    page = _page(_post(client, action="submit", value="5"))
    assert "por debajo de la meta (10)" in _field_error(page, "analysis")
    assert snapshot() == before
    response = _post(client, action="submit", value="5", analysis="Retraso en convenios")
    assert response.status_code == 302
    assert (_report().status, _report().analysis) == ("reportado", "Retraso en convenios")


def test_a_draft_below_target_needs_no_analysis_yet(client, pgi, reporter):
    client.force_login(reporter)
    assert _post(client, value="5").status_code == 302
    assert _report().status == "borrador"


@pytest.mark.parametrize("denominator", ["0", "-3", "0,0"])
def test_a_zero_or_negative_denominator_is_refused(client, pgi, reporter, denominator):
    client.force_login(reporter)
    page = _page(_post(client, report_url("13.2"), numerator="3", denominator=denominator))
    assert _field_error(page, "denominator") == "El denominador debe ser mayor que cero."
    assert _report("13.2") is None


def test_a_ratio_is_saved_as_numerator_and_denominator_and_shown_computed(client, pgi, reporter):
    client.force_login(reporter)
    page = _page(client.get(report_url("13.2")))
    assert 'data-ratio-factor="100' in page
    assert 'id="razon-en-vivo"' in page and 'aria-live="polite"' in page
    assert "js/reporting.js" in page
    assert 'name="value"' not in page
    assert _post(client, report_url("13.2"), numerator="18", denominator="25").status_code == 302
    report = _report("13.2")
    assert (report.numerator, report.denominator, report.value) == (18, 25, None)
    page = _page(client.get(report_url("13.2")))
    assert re.search(r'<output id="razon-en-vivo"[^>]*>72,00</output>', page)
    assert "72,00" in re.search(r'class="col-sm-9 saved-value">(.*?)</dd>', page, re.S).group(1)


def test_a_disaggregated_indicator_asks_every_gadp_by_name(client, pgi, reporter):
    indicator = _indicator()
    indicator.disaggregated_by_gadp = True
    indicator.save()
    azuay, bolivar = Gadp.objects.order_by("code")[:2]
    client.force_login(reporter)
    page = _page(client.get(report_url()))
    assert page.count('class="visually-hidden" for="id_gadp_') == Gadp.objects.count() == 23
    assert f'for="id_gadp_{azuay.pk}_value">Valor de 01 Azuay</label>' in page
    fields = {f"gadp_{azuay.pk}_value": "3,5", f"gadp_{bolivar.pk}_value": "doce"}
    page = _page(_post(client, value="7", **fields))
    assert _field_error(page, f"gadp_{bolivar.pk}_value") == "Ingrese un número."
    assert not Measurement.objects.exists()
    fields[f"gadp_{bolivar.pk}_value"] = ""
    assert _post(client, value="7", **fields).status_code == 302
    part = Measurement.objects.get(indicator=indicator, period="2018", gadp=azuay)
    assert (part.value, part.status) == (Decimal("3.5"), "borrador")
    assert not Measurement.objects.filter(gadp=bolivar).exists()


def test_a_gadp_ratio_needs_both_numbers(client, pgi, reporter):
    indicator = _indicator("13.2")
    indicator.disaggregated_by_gadp = True
    indicator.save()
    azuay = Gadp.objects.order_by("code").first()
    client.force_login(reporter)
    page = _page(
        _post(
            client,
            report_url("13.2"),
            numerator="1",
            denominator="2",
            **{f"gadp_{azuay.pk}_numerator": "1"},
        )
    )
    assert "numerador y denominador" in _field_error(page, f"gadp_{azuay.pk}_denominator")
    assert not Measurement.objects.exists()


def test_a_returned_report_shows_the_comment_and_is_corrected(client, pgi, reporter, planner):
    client.force_login(reporter)
    _post(client, action="submit", value="12")
    report = _report()
    workflow.return_for_correction(
        planner, report, "El valor no cuadra con el acta", expected_version=report.version
    )
    report.refresh_from_db()
    page = _page(client.get(report_url()))
    assert "El valor no cuadra con el acta" in page
    assert "Observado" in page
    response = _post(client, action="submit", value="11", version=str(report.version))
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.value) == ("reportado", 11)


def test_a_submitted_report_waits_for_planificacion(client, pgi, reporter, planner):
    client.force_login(reporter)
    _post(client, action="submit", value="12")
    report = _report()
    page = _page(client.get(report_url()))
    assert "en revisión de Planificación" in page
    assert 'name="action"' not in page
    before = snapshot()
    page = _page(_post(client, value="1", version=str(report.version)))
    assert "en revisión de Planificación" in page
    assert snapshot() == before
    client.force_login(planner)  # planners may correct it before validating
    assert _post(client, value="13", version=str(report.version)).status_code == 302
    assert _report().value == 13


def test_a_validated_report_is_read_only_for_everyone(client, pgi, reporter, planner):
    make_measurement(indicator=_indicator(), period="2018", value=12)
    for user in (reporter, planner):
        client.force_login(user)
        page = _page(client.get(report_url()))
        assert "validado: Planificación debe reabrirlo" in page
        before = snapshot()
        page = _page(_post(client, value="1", version="1"))
        assert snapshot() == before


# --- Periods ------------------------------------------------------------------------------


def test_a_period_of_another_periodicity_is_refused(client, pgi, reporter):
    client.force_login(reporter)
    url = report_url(period="2018-T1")
    assert "no corresponde a este indicador" in _page(client.get(url))
    page = _page(_post(client, url, value="3"))
    assert "no corresponde a este indicador (anual)" in page
    assert not Measurement.objects.exists()


def test_a_period_that_has_not_ended_is_refused(client, reporter):
    year = timezone.localdate().year
    plan = make_plan(start_year=year, end_year=year + 2)
    objective = make_objective(perspective=make_perspective(plan=plan))
    indicator = make_indicator(
        objective=objective, responsible_unit=OrgUnit.objects.get(code="PGI")
    )
    url = report_url(indicator.code, str(year + 1), plan=plan.code)
    client.force_login(reporter)
    assert "aún no termina" in _page(client.get(url))
    page = _page(_post(client, url, value="3"))
    assert "aún no termina" in page
    assert not Measurement.objects.exists()
    assert f"{year + 1}" not in _page(client.get(MY, {"plan": plan.code})).split("duty-table")[-1]


def test_a_closed_period_is_refused_to_the_reporter(client, pgi, reporter, planner):
    ClosedPeriod.objects.create(plan=pgi, period="2018", closed_by=planner)
    client.force_login(reporter)
    page = _page(client.get(report_url()))
    assert "está cerrado: solo Planificación puede cambiarlo" in page
    assert 'name="reason"' not in page
    before = snapshot()
    page = _page(_post(client, value="12"))
    assert "está cerrado" in page
    assert snapshot() == before


def test_a_planner_changes_a_closed_period_giving_a_reason(client, pgi, planner):
    ClosedPeriod.objects.create(plan=pgi, period="2018", closed_by=planner)
    client.force_login(planner)
    page = _page(client.get(report_url()))
    assert 'name="reason"' in page and 'for="id_reason"' in page
    page = _page(_post(client, value="12"))
    assert "indique el motivo" in _field_error(page, "reason")
    assert _report() is None
    response = _post(client, value="12", reason="Corrección del informe anual")
    assert response.status_code == 302
    record = _report().history.latest()
    assert record.history_change_reason == "Corrección del informe anual"
    assert record.history_user == planner


# --- Concurrent edits ---------------------------------------------------------------------


def test_the_second_of_two_forms_with_the_same_version_is_refused(client, pgi, reporter, planner):
    client.force_login(reporter)
    _post(client, value="12")
    version = str(_report().version)
    client.force_login(planner)  # both opened the form at version 1
    assert _post(client, value="20", version=version).status_code == 302
    client.force_login(reporter)
    before = snapshot()
    page = _page(_post(client, value="30", version=version, analysis="mío"))
    assert snapshot() == before
    assert _report().value == 20
    conflict = re.search(r'<section class="alert alert-danger conflict".*?</section>', page, re.S)
    assert conflict, "no conflict message"
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", conflict.group(0)))
    assert "Otra persona cambió este valor" in text
    assert "Valor 12 20" in text  # field, the value you saw, the current one
    assert "pablo_planificacion" in text
    assert 'name="version" value="2"' in page  # re-rendered with the current version
    assert 'value="20"' in page


def test_a_new_report_created_meanwhile_is_a_conflict(client, pgi, reporter, planner):
    client.force_login(reporter)
    page_version = ""  # the form showed no report yet
    make_measurement(indicator=_indicator(), period="2018", value=15, status=Status.DRAFT)
    before = snapshot()
    page = _page(_post(client, value="30", version=page_version))
    assert "Otra persona cambió este valor" in page
    assert snapshot() == before
    assert 'name="version" value="1"' in page


# --- editing_blocked ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status", "blocked"),
    [
        ("responsable", None, False),
        ("responsable", "borrador", False),
        ("responsable", "observado", False),
        ("responsable", "reportado", True),
        ("responsable", "validado", True),
        ("planificacion", "reportado", False),
        ("planificacion", "validado", True),
    ],
)
def test_editing_is_blocked_by_the_reports_state(pgi, personas, role, status, blocked):
    indicator = _indicator()
    report = Measurement(indicator=indicator, period="2018", status=status) if status else None
    answer = duties.editing_blocked(personas[role], indicator, "2018", report)
    assert (answer is not None) == blocked


# --- History on the indicator page --------------------------------------------------------


def _history(client, code="11.1") -> str:
    page = _page(client.get(reverse("indicator-detail", args=[PLAN_CODE, code])))
    match = re.search(r'<section aria-labelledby="historial".*?</section>', page, re.S)
    assert match
    return re.sub(r"\s+", " ", match.group(0))


def test_the_history_lists_value_changes_newest_first_with_who_and_why(
    client, pgi, reporter, planner, director
):
    client.force_login(reporter)
    _post(client, value="12")
    _post(client, action="submit", value="14", analysis="", version="1")
    report = _report()
    workflow.return_for_correction(planner, report, "Revise el acta", expected_version=2)
    client.force_login(director)
    history = _history(client)
    rows = re.findall(r'<tr class="change-row">.*?</tr>', history)
    assert "Valor 2018" in rows[0] and "Estado: Reportado → Observado" in rows[0]
    assert "pablo_planificacion" in rows[0] and "devuelto: Revise el acta" in rows[0]
    assert "Valor: 12 → 14" in rows[1] and "Estado: Borrador → Reportado" in rows[1]
    assert "rosa_pgi" in rows[1] and "enviado" in rows[1]
    assert "creado" in rows[2] and "borrador" in rows[2]


def test_the_history_shows_target_and_indicator_changes(client, pgi, planner, director):
    target = Target.objects.get(indicator=_indicator(), period="2018")
    target.value, target._history_user, target._change_reason = 12, planner, "Reforma 2018"
    target.save()
    indicator = _indicator()
    indicator.name, indicator._history_user = "Nombre corregido", planner
    indicator.responsible_unit = OrgUnit.objects.get(code="RI")
    indicator.save()
    client.force_login(director)
    history = _history(client)
    assert "Meta 2018" in history and "Meta: 10 → 12" in history and "Reforma 2018" in history
    assert "Indicador" in history and "→ Nombre corregido" in history
    assert "Unidad responsable: PGI — Planificación" in history and "→ RI — " in history


def test_unvalidated_history_is_hidden_from_those_who_may_not_see_it(
    client, pgi, reporter, other_reporter, planner
):
    client.force_login(reporter)
    _post(client, action="submit", value="14", analysis="Secreto de PGI")
    assert "Valor 2018" in _history(client)  # the unit sees its own
    client.force_login(other_reporter)
    assert "Valor 2018" not in _history(client)
    report = _report()
    workflow.validate(planner, report, expected_version=report.version)
    history = _history(client)
    assert "Valor 2018" in history
    assert history.count("Valor 2018") == 1  # only the validated state


def test_the_history_is_bounded(client, pgi, planner, director):
    target = Target.objects.get(indicator=_indicator(), period="2018")
    for n in range(60):
        target.value, target._history_user = n + 100, planner
        target.save()
    client.force_login(director)
    history = _history(client)
    assert len(re.findall(r'<tr class="change-row">', history)) == 50
    assert "Meta: 158 → 159" in history  # the newest
    assert "Meta: 100 → 101" not in history


def test_the_form_says_when_the_report_is_due(client, pgi, reporter):
    client.force_login(reporter)
    assert "vence el 15/01/2019" in _page(client.get(report_url()))
