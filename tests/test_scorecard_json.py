"""The scorecard JSON of CONTRACT.md, end to end from the database (the worked example)."""

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from planning.models import Indicator, Plan, Target
from scorecard.models import Measurement
from scorecard.tokens import token_issue
from tests.conftest import PLAN_CODE
from tests.factories import make_indicator, make_objective, make_perspective

EXAMPLE = Path(__file__).parent / "data" / "scorecard_example"
SETTINGS = [
    "tipo",
    "sentido",
    "acumulacion",
    "ventana",
    "calculo",
    "factor",
    "referencia",
    "periodicidad",
    "linea_base",
    "anio_linea_base",
]
FIELDS = {
    "tipo": "kind",
    "sentido": "polarity",
    "acumulacion": "accumulation",
    "ventana": "window",
    "calculo": "calculation",
    "factor": "factor",
    "referencia": "reference",
    "periodicidad": "periodicity",
    "linea_base": "baseline",
    "anio_linea_base": "baseline_year",
    "unidad_medida": "unit_of_measure",
}


def _rows(name):
    return list(csv.DictReader(io.StringIO((EXAMPLE / name).read_text(encoding="utf-8"))))


def _load_example(plan):
    """The example's three files, written straight to the models (not through the importer)."""
    indicators = {i.code: i for i in Indicator.objects.filter(plan=plan)}
    for row in _rows("indicadores.csv"):
        indicator = indicators[row["codigo"]]
        for column, field in FIELDS.items():
            if row.get(column):
                setattr(indicator, field, row[column])
        indicator.full_clean()
        indicator.save()
    for row in _rows("metas.csv"):
        Target.objects.create(
            indicator=indicators[row["indicador"]],
            period=row["periodo"],
            value=Decimal(row["meta"]),
        )
    for row in _rows("mediciones.csv"):
        numbers = {k: Decimal(row[k]) for k in ("valor", "numerador", "denominador") if row[k]}
        Measurement.objects.create(
            indicator=indicators[row["indicador"]],
            period=row["periodo"],
            value=numbers.get("valor"),
            numerator=numbers.get("numerador"),
            denominator=numbers.get("denominador"),
            status=Measurement.Status.VALIDATED,
        )


@pytest.fixture
def example(official_plan):
    _load_example(official_plan)
    return official_plan


@pytest.mark.parametrize("period", ["2018", "2018-T3"])
def test_the_command_prints_the_worked_example(example, capsys, period):
    expected = json.loads((EXAMPLE / "expected.json").read_text(encoding="utf-8"))[period]
    call_command("scorecard", "--plan", PLAN_CODE, "--period", period, "--format", "json")
    assert json.loads(capsys.readouterr().out) == expected


def test_the_api_answers_the_same_json_to_a_signed_in_director(example, client, director):
    expected = json.loads((EXAMPLE / "expected.json").read_text(encoding="utf-8"))["2018"]
    client.force_login(director)
    url = reverse("api-scorecard", args=[PLAN_CODE])
    response = client.get(url, {"period": "2018"})
    assert response.status_code == 200
    assert response.json() == expected


def test_the_api_accepts_a_personal_bearer_token(example, client, reporter):
    _, raw = token_issue(user=reporter, name="integración LOTAIP")
    url = reverse("api-scorecard", args=[PLAN_CODE])
    response = client.get(url, {"period": "2018"}, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    assert response.json()["score"]["achievement"] == 74.79


@pytest.mark.parametrize("header", [None, "Bearer nada", "Basic abc", "Bearer "])
def test_the_api_answers_401_json_without_a_valid_token(example, client, header):
    url = reverse("api-scorecard", args=[PLAN_CODE])
    extra = {"HTTP_AUTHORIZATION": header} if header is not None else {}
    response = client.get(url, {"period": "2018"}, **extra)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert "error" in response.json()


def test_a_revoked_token_is_refused(example, client, reporter):
    token, raw = token_issue(user=reporter, name="x")
    token.revoked_at = token.created_at
    token.save()
    url = reverse("api-scorecard", args=[PLAN_CODE])
    response = client.get(url, {"period": "2018"}, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 401


def test_the_api_refuses_a_malformed_period(example, client, director):
    client.force_login(director)
    url = reverse("api-scorecard", args=[PLAN_CODE])
    assert client.get(url, {"period": "2018-13"}).status_code == 400


def test_unvalidated_values_count_only_when_asked_and_are_marked(example, capsys):
    indicator = Indicator.objects.get(plan=example, code="12.1")
    Measurement.objects.create(
        indicator=indicator, period="2018-T4", value=15, status=Measurement.Status.REPORTED
    )
    call_command("scorecard", "--plan", PLAN_CODE, "--period", "2018")
    validated_only = json.loads(capsys.readouterr().out)
    row = next(i for i in validated_only["indicators"] if i["code"] == "12.1")
    assert row["status"] == "gris"
    call_command("scorecard", "--plan", PLAN_CODE, "--period", "2018", "--include-unvalidated")
    with_reported = json.loads(capsys.readouterr().out)
    row = next(i for i in with_reported["indicators"] if i["code"] == "12.1")
    assert row["achievement"] == 100.0
    assert row["provisional"] is True


def test_the_scorecard_reads_a_fixed_number_of_queries(example, client, director):
    client.force_login(director)
    url = reverse("api-scorecard", args=[PLAN_CODE])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, {"period": "2018"}).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    plan = Plan.objects.get(code=PLAN_CODE)
    for _ in range(3):
        objective = make_objective(perspective=make_perspective(plan=plan))
        for _ in range(10):
            indicator = make_indicator(objective=objective, periodicity="trimestral")
            for quarter in range(1, 5):
                Target.objects.create(indicator=indicator, period=f"2018-T{quarter}", value=4)
                Measurement.objects.create(
                    indicator=indicator,
                    period=f"2018-T{quarter}",
                    value=3,
                    status=Measurement.Status.VALIDATED,
                )
    assert count() == before


def test_every_role_reads_the_same_figures(example, client, personas):
    url = reverse("api-scorecard", args=[PLAN_CODE])
    answers = []
    for role in ["admin", "planificacion", "direccion", "responsable", "otro_responsable"]:
        client.force_login(personas[role])
        answers.append(client.get(url, {"period": "2018"}).json())
    assert all(answer == answers[0] for answer in answers)


def test_the_command_writes_to_a_file(example, tmp_path):
    target = tmp_path / "cmi.json"
    call_command("scorecard", "--plan", PLAN_CODE, "--period", "2018", "-o", str(target))
    assert json.loads(target.read_text(encoding="utf-8"))["score"]["status"] == "amarillo"


def test_the_api_shows_unvalidated_values_only_to_roles_that_see_them_all(
    example, client, personas
):
    url = reverse("api-scorecard", args=[PLAN_CODE])
    expected = {"admin": 200, "planificacion": 200, "direccion": 200, "responsable": 403}
    for role, status in expected.items():
        client.force_login(personas[role])
        response = client.get(url, {"period": "2018", "unvalidated": "1"})
        assert response.status_code == status, role
    assert response.json()["error"]
