"""The scorecard as an xlsx workbook: the view, the command and the workbook itself."""

import io
import json

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from planning.models import Indicator, Plan, Target
from scorecard import cache, exports
from scorecard.models import Measurement
from tests.conftest import PLAN_CODE
from tests.factories import make_indicator, make_objective, make_perspective, make_plan
from tests.test_scorecard_json import EXAMPLE, _load_example

HOSTILE_NAMES = {
    "11.1": '=HYPERLINK("http://x")',
    "11.2": "+1",
    "12.1": "@SUM(1)",
    "12.2": "-2",
    "12.3": "\t=1+1",
    "13.1": "==1+1",
}


@pytest.fixture
def example(official_plan):
    _load_example(official_plan)
    return official_plan


def _expected(period: str) -> dict:
    return json.loads((EXAMPLE / "expected.json").read_text(encoding="utf-8"))[period]


def _url(**params) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("scorecard-xlsx", args=[PLAN_CODE]) + (f"?{query}" if query else "")


def _download(client, user, **params) -> openpyxl.Workbook:
    client.force_login(user)
    response = client.get(_url(**params))
    assert response.status_code == 200, response.content[:200]
    assert response["Content-Type"] == exports.CONTENT_TYPE
    return openpyxl.load_workbook(io.BytesIO(response.content))


def _records(ws) -> list[dict]:
    """The sheet's rows as dicts keyed by the header row."""
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def _node(record: dict) -> dict:
    return {
        "achievement": record["Cumplimiento (%)"],
        "status": record["Estado"],
        "with_data": record["Con dato"],
        "total": record["Vigentes"],
    }


def test_the_workbook_holds_the_figures_of_the_json(example, client, director):
    expected = _expected("2018")
    book = _download(client, director, period="2018")
    assert book.sheetnames == ["Plan", "Perspectivas", "Objetivos", "Indicadores"]
    (plan,) = _records(book["Plan"])
    assert (plan["Plan"], plan["Corte"]) == (PLAN_CODE, "2018")
    assert _node(plan) == expected["score"]
    for sheet, key in [("Perspectivas", "perspectives"), ("Objetivos", "objectives")]:
        got = [{"code": r["Código"], **_node(r)} for r in _records(book[sheet])]
        assert got == expected[key]
    indicators = [
        {
            "code": r["Código"],
            "value": r["Valor"],
            "target": r["Meta"],
            "achievement": r["Cumplimiento (%)"],
            "status": r["Estado"],
        }
        for r in _records(book["Indicadores"])
    ]
    assert indicators == expected["indicators"]


def test_figures_are_numbers_rounded_half_up_and_empty_without_a_value(example, client, director):
    book = _download(client, director, period="2018")
    rows = {r["Código"]: r for r in _records(book["Indicadores"])}
    assert rows["13.1"]["Cumplimiento (%)"] == 83.33  # 5/6 = 83.333…
    assert isinstance(rows["13.1"]["Valor"], int | float)
    assert rows["12.1"]["Valor"] is None and rows["12.1"]["Estado"] == "gris"
    assert rows["12.1"]["Motivo"] == "sin dato"
    cell = book["Indicadores"]["K2"]  # Cumplimiento (%) of the first indicator
    assert cell.number_format == "0.00"


@pytest.mark.parametrize("period", ["2018", "2018-T3"])
def test_each_status_cell_is_filled_with_its_colour(example, client, director, period):
    book = _download(client, director, period=period)
    seen = set()
    for ws in book.worksheets:
        column = [c.value for c in ws[1]].index("Estado") + 1
        for row in ws.iter_rows(min_row=2):
            cell = row[column - 1]
            seen.add(cell.value)
            if cell.value in exports.FILLS:
                assert cell.fill.fill_type == "solid"
                assert cell.fill.fgColor.rgb.endswith(exports.FILLS[cell.value])
            else:
                assert cell.value == "no_aplica"
                assert cell.fill.fill_type is None
    if period == "2018":
        assert {"verde", "amarillo", "rojo", "gris"} <= seen
    else:
        assert "no_aplica" in seen  # annual indicators are not due at a quarter


def test_hostile_names_are_exported_as_text_that_runs_nothing(example, client, director):
    for code, name in HOSTILE_NAMES.items():
        Indicator.objects.filter(plan=example, code=code).update(name=name)
    book = _download(client, director, period="2018")
    ws = book["Indicadores"]
    names = {r["Código"]: r["Indicador"] for r in _records(ws)}
    for code, name in HOSTILE_NAMES.items():
        assert names[code] == "'" + name
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f", f"{cell.coordinate} es una fórmula: {cell.value!r}"
    # Numbers and empty cells are left alone: still numbers, still empty.
    rows = {r["Código"]: r for r in _records(ws)}
    assert rows["12.2"]["Valor"] == 6 and rows["12.1"]["Valor"] is None


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("=1+1", "'=1+1"),
        ("==1+1", "'==1+1"),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(1)", "'@SUM(1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Convenios firmados", "Convenios firmados"),
        ("", ""),
        (-2, -2),
        (12.5, 12.5),
        (None, None),
    ],
)
def test_text_that_starts_like_a_formula_gets_a_leading_quote(value, shown):
    assert exports.escape_text(value) == shown


def test_headers_are_frozen_and_columns_are_sized(example, client, director):
    book = _download(client, director, period="2018")
    for ws in book.worksheets:
        assert ws.freeze_panes == "A2"
        assert all(c.font.bold for c in ws[1])
    assert book["Indicadores"].column_dimensions["D"].width > 10  # Indicador


def test_provisional_figures_are_marked(example, client, director):
    indicator = Indicator.objects.get(plan=example, code="12.1")
    Measurement.objects.create(
        indicator=indicator, period="2018-T4", value=15, status=Measurement.Status.REPORTED
    )
    book = _download(client, director, period="2018", unvalidated="1")
    (plan,) = _records(book["Plan"])
    assert plan["Incluye valores sin validar"] == "sí"
    rows = {r["Código"]: r for r in _records(book["Indicadores"])}
    assert rows["12.1"]["Provisional"] == "sí"
    assert rows["11.1"]["Provisional"] is None


def test_the_file_is_named_after_the_plan_and_cut_off(example, client, director):
    client.force_login(director)
    response = client.get(_url(period="2018-T3"))
    assert response["Content-Disposition"] == (
        f'attachment; filename="cmi-{PLAN_CODE}-2018-T3.xlsx"'
    )


def test_anonymous_users_are_sent_to_the_login_page(example, client):
    response = client.get(_url(period="2018"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_account_without_a_role_gets_404(example, client):
    nobody = get_user_model().objects.create_user("sin_rol", password="x")
    client.force_login(nobody)
    assert client.get(_url(period="2018")).status_code == 404


@pytest.mark.parametrize("period", ["2030", "2018-13", "nada"])
def test_a_period_outside_the_plan_answers_400(example, client, director, period):
    client.force_login(director)
    assert client.get(_url(period=period)).status_code == 400


def test_an_unknown_plan_answers_404(example, client, director):
    client.force_login(director)
    url = reverse("scorecard-xlsx", args=["NO-EXISTE"]) + "?period=2018"
    assert client.get(url).status_code == 404


def _count(client) -> int:
    cache.clear()  # the computing path
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(_url(period="2018")).status_code == 200
    return len(ctx.captured_queries)


def test_the_export_reads_a_fixed_number_of_queries(example, client, director):
    client.force_login(director)
    # session, user, role; the plan; its indicators (who may see unvalidated values);
    # the scorecard's 5 (indicators, values, objectives, perspectives, targets) and the
    # data's freshness token.
    assert _count(client) == 11
    plan = Plan.objects.get(code=PLAN_CODE)
    for _ in range(3):
        objective = make_objective(perspective=make_perspective(plan=plan))
        for _ in range(10):
            indicator = make_indicator(objective=objective, periodicity="trimestral")
            for quarter in range(1, 5):
                period = f"2018-T{quarter}"
                Target.objects.create(indicator=indicator, period=period, value=4)
                Measurement.objects.create(
                    indicator=indicator, period=period, value=3, status="validado"
                )
    assert _count(client) == 11


def test_a_plan_without_indicators_exports_headers_only(official_plan, client, director):
    empty = make_plan(code="VACIO-2022-2025", start_year=2022, end_year=2025)
    client.force_login(director)
    response = client.get(reverse("scorecard-xlsx", args=[empty.code]) + "?period=2022")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    (plan,) = _records(book["Plan"])
    assert (plan["Estado"], plan["Vigentes"]) == ("no_aplica", 0)
    assert _records(book["Indicadores"]) == []


def test_the_command_writes_the_same_workbook(example, tmp_path):
    target = tmp_path / "cmi.xlsx"
    call_command(
        "scorecard", "--plan", PLAN_CODE, "--period", "2018", "--format", "xlsx", "-o", target
    )
    book = openpyxl.load_workbook(target)
    (plan,) = _records(book["Plan"])
    assert _node(plan) == _expected("2018")["score"]


def test_the_command_refuses_xlsx_without_an_output_file(example):
    with pytest.raises(CommandError, match="-o"):
        call_command("scorecard", "--plan", PLAN_CODE, "--period", "2018", "--format", "xlsx")
