"""Every write path leaves history: forms and workflow, the three imports, the admin (PITFALLS 8).

The imports write with set-based SQL that model signals never see; planning.history adds
their rows. These tests run on SQLite and on PostgreSQL (CI runs both legs).
"""

from decimal import Decimal

import pytest
from django.urls import reverse

from planning.models import Indicator, OrgUnit, Target
from scorecard import workflow as wf
from scorecard.models import ImportBatch, Measurement
from tests.test_import_helpers import example_file, run_plan, write_csv


def _history(model):
    return model.history.model.objects


@pytest.fixture
def imported(official_plan, tmp_path, planner):
    """The worked example's three files, imported by the planner through the commands."""
    for command, name in (
        ("import_indicators", "indicadores.csv"),
        ("import_targets", "metas.csv"),
        ("import_measurements", "mediciones.csv"),
    ):
        status, _out, err = run_plan(
            command, example_file(name, tmp_path), "--user", planner.username
        )
        assert status == 0, err
    return official_plan


def test_imported_measurements_each_have_a_creation_record_naming_the_import(imported, planner):
    batch = ImportBatch.objects.get(kind=ImportBatch.Kind.MEASUREMENTS)
    measurements = Measurement.objects.filter(import_batch=batch)
    records = _history(Measurement).filter(id__in=measurements.values("pk"))
    assert records.count() == measurements.count() > 0
    assert set(records.values_list("history_type", "history_user", "history_change_reason")) == {
        ("+", planner.pk, f"importación #{batch.pk}: mediciones.csv")
    }
    # The history row holds the values as written.
    for record in records:
        stored = Measurement.objects.get(pk=record.id)
        assert (record.value, record.numerator, record.status) == (
            stored.value,
            stored.numerator,
            stored.status,
        )


def test_an_import_that_changes_values_records_each_change(imported, tmp_path, planner):
    path = write_csv(
        tmp_path / "cambios.csv", ["indicador", "periodo", "valor"], [["11.2", "2018", "7"]]
    )
    status, _out, err = run_plan("import_measurements", path, "--user", planner.username)
    assert status == 0, err
    value = Measurement.objects.get(indicator__code="11.2", period="2018", gadp=None)
    records = value.history.order_by("history_id")
    assert [(r.history_type, r.value) for r in records] == [
        ("+", Decimal("5")),
        ("~", Decimal("7")),
    ]
    assert records.last().history_change_reason.endswith("cambios.csv")


def test_an_import_without_changes_adds_no_history(imported, tmp_path, planner):
    before = _history(Measurement).count()
    status, out, _err = run_plan(
        "import_measurements", example_file("mediciones.csv", tmp_path), "--user", planner.username
    )
    assert status == 0 and "actualizados 0" in out
    assert _history(Measurement).count() == before


def test_a_failed_import_leaves_no_history(imported, tmp_path, planner):
    before = _history(Measurement).count()
    rows = [["11.2", "2018", "9"], ["11.2", "2018", "8"]]  # a duplicate key: the file fails
    path = write_csv(tmp_path / "mala.csv", ["indicador", "periodo", "valor"], rows)
    assert run_plan("import_measurements", path)[0] == 1
    assert _history(Measurement).count() == before


def test_imported_targets_record_creation_and_the_reforma_reason(imported, tmp_path, planner):
    target = Target.objects.get(indicator__code="11.2", period="2018")
    assert target.history.get().history_type == "+"
    plan = imported
    plan.status = plan.Status.APPROVED
    plan.save()
    path = write_csv(
        tmp_path / "reforma.csv", ["indicador", "periodo", "meta"], [["11.2", "2018", "6"]]
    )
    status, _out, err = run_plan(
        "import_targets", path, "--reason", "Resolución 12", "--user", planner.username
    )
    assert status == 0, err
    latest = target.history.order_by("-history_id").first()
    assert (latest.history_type, latest.value, latest.original_value) == (
        "~",
        Decimal("6"),
        Decimal("4"),
    )
    assert latest.history_change_reason.endswith("Resolución 12")
    assert latest.history_user == planner


def test_imported_indicators_record_creation_and_change(official_plan, tmp_path):
    header = ["codigo", "nombre", "objetivo", "sentido", "acumulacion", "calculo", "periodicidad"]
    row = ["T-9.1", "Nuevo", "OE1", "creciente", "discreto", "valor", "anual"]
    path = write_csv(tmp_path / "ind.csv", header, [row])
    assert run_plan("import_indicators", path)[0] == 0
    row[1] = "Nuevo nombre"
    assert run_plan("import_indicators", write_csv(tmp_path / "ind2.csv", header, [row]))[0] == 0
    indicator = Indicator.objects.get(code="T-9.1")
    records = indicator.history.order_by("history_id")
    assert [(r.history_type, r.name, r.history_user) for r in records] == [
        ("+", "Nuevo", None),
        ("~", "Nuevo nombre", None),
    ]


def test_workflow_saves_record_history(official_plan, reporter):
    indicator = Indicator.objects.get(plan=official_plan, code="11.2")
    indicator.responsible_unit = OrgUnit.objects.get(code="PGI")
    indicator.periodicity = "anual"
    indicator.save()
    wf.save_report(reporter, indicator, "2018", wf.ReportInput(value=Decimal("3")))
    assert Measurement.objects.get().history.get().history_user == reporter


def test_admin_edits_record_history_with_the_user(official_plan, admin_user, client):
    client.force_login(admin_user)
    strategy = official_plan.strategy_set.order_by("pk").first()
    url = reverse("admin:planning_strategy_change", args=[strategy.pk])
    data = {
        "plan": official_plan.pk,
        "objective": strategy.objective_id,
        "code": strategy.code,
        "text": "Estrategia corregida en la administración",
        "order": strategy.order,
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    latest = strategy.history.order_by("-history_id").first()
    assert (latest.history_type, latest.history_user, latest.text) == (
        "~",
        admin_user,
        "Estrategia corregida en la administración",
    )


def test_setup_gives_the_official_plan_and_demo_data_a_starting_record(db, settings):
    settings.DEBUG = True  # seed_demo refuses to run in production
    from tests.test_import_helpers import run

    status, _out, err = run("setup_site")
    assert status == 0, err
    for model in (Indicator, Target, Measurement):
        assert model.objects.exists()
        assert _history(model).filter(history_type="+").count() == model.objects.count()
