"""The unit's template workbook: what it holds, who gets it, and that it imports back unchanged."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from planning.models import Gadp, Indicator, OrgUnit, Target
from planning.periods import Period
from scorecard.imports import import_measurements
from scorecard.imports.template import template_for
from scorecard.models import ClosedPeriod, Measurement
from tests.conftest import PASSWORD, PLAN_CODE
from tests.factories import make_measurement
from tests.test_import_helpers import snapshot

URL = reverse("import-template")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def pgi(official_plan):
    """PGI reports 11.2 (annual), 12.1 (made quarterly), 13.2 (a ratio) and 14.1 (a ratio,
    made disaggregated by GADP)."""
    unit = OrgUnit.objects.get(code="PGI")
    changes = {"12.1": {"periodicity": "trimestral"}, "14.1": {"disaggregated_by_gadp": True}}
    for code in ("11.2", "12.1", "13.2", "14.1"):
        indicator = Indicator.objects.get(plan=official_plan, code=code)
        indicator.responsible_unit = unit
        for name, value in changes.get(code, {}).items():
            setattr(indicator, name, value)
        indicator.save()
    return unit


def indicator(code):
    return Indicator.objects.get(code=code)


def download(client, unit="PGI", period="2019", plan=PLAN_CODE):
    return client.get(URL, {"plan": plan, "unidad": unit, "periodo": period})


def workbook(response):
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == XLSX
    return openpyxl.load_workbook(io.BytesIO(response.content))


def rows(sheet) -> list[tuple]:
    return list(sheet.iter_rows(values_only=True))


@pytest.fixture
def stored(pgi, official_plan, planner):
    """Values as people left them: validated, reported with analysis, a draft without value."""
    make_measurement(indicator=indicator("11.2"), period="2019", value=Decimal("12.5"))
    make_measurement(
        indicator=indicator("12.1"),
        period="2019-T2",
        value=Decimal("0.1"),
        analysis="=SUMA(A1) no es fórmula",
        status=Measurement.Status.REPORTED,
    )
    make_measurement(
        indicator=indicator("13.2"), period="2019", numerator=9, denominator=12, status="observado"
    )
    make_measurement(
        indicator=indicator("14.1"), period="2019", analysis="sin dato aún", status="borrador"
    )
    guayas = Gadp.objects.get(code="09")
    make_measurement(
        indicator=indicator("14.1"), period="2019", gadp=guayas, numerator=1, denominator=4
    )
    Target.objects.create(indicator=indicator("11.2"), period="2019", value=10)
    ClosedPeriod.objects.create(plan=official_plan, period="2019-T1")


def test_the_first_sheet_is_the_mediciones_format_with_the_units_rows(client, stored, planner):
    client.force_login(planner)
    book = workbook(download(client))
    assert book.sheetnames == ["mediciones", "Referencia", "Instrucciones"]
    sheet = rows(book["mediciones"])
    assert sheet[0] == (
        "indicador",
        "periodo",
        "gadp",
        "valor",
        "numerador",
        "denominador",
        "analisis",
    )
    keys = [(code, period, gadp) for code, period, gadp, *_rest in sheet[1:]]
    quarters = [("12.1", f"2019-T{q}", None) for q in range(1, 5)]
    provinces = [("14.1", "2019", code) for code in _gadp_codes()]
    assert keys == [
        ("11.2", "2019", None),
        *quarters,
        ("13.2", "2019", None),
        ("14.1", "2019", None),
        *provinces,
    ]
    by_key = {row[:3]: row[3:] for row in sheet[1:]}
    assert by_key[("11.2", "2019", None)] == (12.5, None, None, None)
    assert by_key[("12.1", "2019-T2", None)] == (0.1, None, None, "'=SUMA(A1) no es fórmula")
    assert by_key[("12.1", "2019-T3", None)] == (None, None, None, None)
    assert by_key[("13.2", "2019", None)] == (None, 9, 12, None)
    assert by_key[("14.1", "2019", None)] == (None, None, None, "sin dato aún")
    assert by_key[("14.1", "2019", "09")] == (None, 1, 4, None)


def _gadp_codes():
    return list(Gadp.objects.order_by("code").values_list("code", flat=True))


def test_value_cells_and_gadp_cells_are_validated(client, stored, planner):
    client.force_login(planner)
    sheet = workbook(download(client))["mediciones"]
    rules = {str(rule.sqref): rule for rule in sheet.data_validations.dataValidation}
    last = sheet.max_row
    assert rules[f"D2:D{last}"].type == "decimal"
    assert rules[f"E2:E{last}"].type == "decimal"
    assert (rules[f"F2:F{last}"].type, rules[f"F2:F{last}"].operator) == ("decimal", "greaterThan")
    gadp = rules[f"C2:C{last}"]
    assert gadp.type == "list" and gadp.formula1 == '"' + ",".join(_gadp_codes()) + '"'


def test_the_reference_sheet_tells_names_targets_and_closed_periods(client, stored, planner):
    client.force_login(planner)
    sheet = rows(workbook(download(client))["Referencia"])
    assert sheet[0][:4] == ("indicador", "nombre", "unidad de medida", "periodicidad")
    by_key = {(row[0], row[6]): row for row in sheet[1:]}
    first = by_key[("11.2", "2019")]
    assert first[1] == indicator("11.2").name
    assert (first[7], first[9], first[10]) == (10, "no", "Validado")
    assert by_key[("12.1", "2019-T1")][9] == "sí"  # closed
    assert by_key[("12.1", "2019-T3")][10] == "sin valor"
    assert by_key[("13.2", "2019")][4] == "Razón (numerador / denominador)"


def test_the_instructions_explain_the_rows_without_data(client, stored, planner):
    client.force_login(planner)
    text = " ".join(r[0] for r in rows(workbook(download(client))["Instrucciones"]))
    assert "Filas sin datos" in text and "se omite" in text
    assert "Importar la plantilla tal como se descargó no cambia nada." in text


def test_the_template_imports_back_unchanged(client, stored, planner, reporter, official_plan):
    client.force_login(planner)
    data = download(client).content
    before = snapshot()
    for user in (planner, reporter, None):
        result = import_measurements(data, plan=official_plan, user=user, file_name="p.xlsx")
        assert result.messages() == []
        assert (result.created, result.updated) == (0, 0)
        assert result.unchanged == len(rows(openpyxl.load_workbook(io.BytesIO(data)).active)) - 1
    assert snapshot() == before


def test_the_template_through_the_web_import_changes_nothing(client, stored, planner):
    client.force_login(planner)
    content = download(client).content
    before = snapshot()
    response = client.post(
        reverse("import-start"),
        {"plan": PLAN_CODE, "kind": "mediciones", "file": SimpleUploadedFile("p.xlsx", content)},
    )
    assert response.status_code == 302
    preview = client.get(response["Location"])
    assert preview.context["pending"].preview["created"] == 0
    assert preview.context["pending"].preview["updated"] == 0
    assert preview.context["pending"].preview["problems"] == []
    assert snapshot() == before


def test_a_filled_template_creates_the_values_written_in_it(client, stored, planner, official_plan):
    client.force_login(planner)
    book = workbook(download(client))
    sheet = book["mediciones"]
    for row in sheet.iter_rows(min_row=2):
        if (row[0].value, row[1].value) == ("12.1", "2019-T3"):
            row[3].value = 7
    out = io.BytesIO()
    book.save(out)
    result = import_measurements(out.getvalue(), plan=official_plan, user=planner)
    assert (result.messages(), result.created, result.updated) == ([], 1, 0)
    assert Measurement.objects.get(indicator__code="12.1", period="2019-T3").value == 7


@pytest.mark.parametrize(
    ("period", "quarters"),
    [("2019", 4), ("2019-S2", 2), ("2019-T3", 1), ("2019-08", 0)],
)
def test_the_period_chosen_gives_the_indicators_periods_inside_it(
    client, pgi, planner, period, quarters
):
    client.force_login(planner)
    keys = [row[:2] for row in rows(workbook(download(client, period=period))["mediciones"])[1:]]
    assert len([k for k in keys if k[0] == "12.1"]) == quarters
    annual = 1 if period == "2019" else 0
    assert len([k for k in keys if k[0] == "11.2"]) == annual


@pytest.mark.parametrize(
    ("role", "unit", "status"),
    [
        ("admin", "RI", 200),
        ("planificacion", "PGI", 200),
        ("planificacion", "RI", 200),
        ("direccion", "PGI", 403),
        ("responsable", "PGI", 200),
        ("responsable", "RI", 404),
        ("otro_responsable", "PGI", 404),
        ("otro_responsable", "RI", 200),
    ],
)
def test_who_gets_which_units_template(client, personas, pgi, role, unit, status):
    client.force_login(personas[role])
    assert download(client, unit=unit).status_code == status


def test_an_account_without_a_role_gets_no_template(client, pgi):
    client.force_login(get_user_model().objects.create_user("sin_rol", password=PASSWORD))
    assert download(client).status_code == 404


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        (
            {"periodo": "2019-13"},
            "periodo",
            "No es un periodo: escriba 2019, 2019-S1, 2019-T2 o 2019-03.",
        ),
        ({"periodo": "2025"}, "periodo", "El plan CONGOPE-2017-2021 va de 2017 a 2021."),
        ({"unidad": "NOPE"}, "unidad", None),
        ({"plan": "NOPE"}, "plan", None),
    ],
)
def test_a_wrong_choice_shows_the_form_again_with_its_error(
    client, pgi, planner, params, field, message
):
    client.force_login(planner)
    query = {"plan": PLAN_CODE, "unidad": "PGI", "periodo": "2019", **params}
    response = client.get(URL, query)
    assert response.status_code == 400
    errors = response.context["template_form"].errors
    assert field in errors
    if message:
        assert errors[field] == [message]


def test_a_unit_without_indicators_gets_a_header_only_template(client, official_plan, planner):
    client.force_login(planner)
    sheet = rows(workbook(download(client, unit="TI"))["mediciones"])
    assert sheet == [("indicador", "periodo", "valor", "analisis")]


def test_text_in_the_reference_sheet_is_escaped_against_formulas(client, pgi, planner):
    target = indicator("11.2")
    target.name = '=HYPERLINK("http://x")'
    target.unit_of_measure = "+1"
    target.save()
    client.force_login(planner)
    sheet = rows(workbook(download(client))["Referencia"])
    row = next(r for r in sheet if r[0] == "11.2")
    assert row[1] == '\'=HYPERLINK("http://x")' and row[2] == "'+1"


def test_the_template_is_read_in_five_queries(
    stored, official_plan, pgi, django_assert_num_queries
):
    # the unit's indicators, their values, their targets, the GADPs, the closed periods
    with django_assert_num_queries(5):
        template = template_for(official_plan, pgi, Period.parse("2019"))
    assert len(template.lines) == 1 + 4 + 1 + 1 + 23
