"""PostgreSQL restarts in the middle of an import and of a report: nothing half-written.

Runs on the throwaway cluster of ``scripts/throwaway_postgres.sh`` (CI's PostgreSQL leg
exports ``PGDIR``); skipped on SQLite. Each test restarts the server at a chosen moment
of the write, checks that the work fails with a clear message and leaves the data as it
was, then that the app answers the next request without being restarted itself.
"""

import os
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

from planning.models import Indicator, OrgUnit
from scorecard import workflow as wf
from scorecard.imports import bulk
from scorecard.models import ImportBatch, Measurement
from tests.test_import_helpers import example_file, run_plan, write_csv

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "throwaway_postgres.sh"

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.environ.get("PGDIR")
        or not Path(os.environ["PGDIR"], "data", "postmaster.pid").exists(),
        reason="needs the throwaway PostgreSQL of scripts/throwaway_postgres.sh (PGDIR)",
    ),
]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("fault tests restart PostgreSQL")


def restart_postgres():
    subprocess.run([str(SCRIPT), "restart"], check=True, env=os.environ.copy(), timeout=120)


@pytest.fixture
def configured(official_plan, tmp_path):
    for command, name in (
        ("import_indicators", "indicadores.csv"),
        ("import_targets", "metas.csv"),
    ):
        status, _out, err = run_plan(command, example_file(name, tmp_path))
        assert status == 0, err
    return official_plan


def _counts():
    connection.close()  # a fresh connection: the old one died with the server
    return (
        Measurement.objects.count(),
        Measurement.history.model.objects.count(),
        ImportBatch.objects.count(),
    )


def test_a_restart_during_an_import_writes_nothing_and_the_next_import_works(
    configured, tmp_path, monkeypatch, client, director
):
    rows = [
        [code, f"{year}", "5"] for code in ("11.2", "12.2", "13.3") for year in range(2017, 2022)
    ]
    path = write_csv(tmp_path / "mediciones.csv", ["indicador", "periodo", "valor"], rows)
    real_insert = bulk.insert_values
    calls = []

    def insert_then_restart(cursor, head, width, batch_rows):
        real_insert(cursor, head, width, batch_rows)  # the rows are in, not yet committed
        if not calls:
            calls.append(1)
            restart_postgres()

    before = _counts()
    monkeypatch.setattr(bulk, "insert_values", insert_then_restart)
    status, _out, err = run_plan("import_measurements", path)
    assert status == 1
    assert err.startswith("archivo: ") and "base de datos" in err
    monkeypatch.undo()

    assert _counts() == before  # the transaction died with the server: nothing half-written
    status, out, err = run_plan("import_measurements", path)  # same process, no restart
    assert status == 0, err
    assert out.startswith(f"creados {len(rows)},")
    client.force_login(director)
    response = client.get(reverse("api-scorecard", args=[configured.code]), {"period": "2019"})
    assert response.status_code == 200


def test_a_restart_during_a_report_submission_changes_nothing(official_plan, reporter, monkeypatch):
    indicator = Indicator.objects.get(plan=official_plan, code="11.2")
    indicator.responsible_unit = OrgUnit.objects.get(code="PGI")
    indicator.periodicity = "anual"
    indicator.save()
    draft = wf.save_report(reporter, indicator, "2018", wf.ReportInput(value=Decimal("4")))
    real_save = wf._save

    def restart_then_save(measurement, user, reason):
        restart_postgres()  # after the version was claimed, before the values are written
        real_save(measurement, user, reason)

    monkeypatch.setattr(wf, "_save", restart_then_save)
    with pytest.raises(Exception) as failed:
        wf.save_report(
            reporter,
            indicator,
            "2018",
            wf.ReportInput(value=Decimal("9")),
            expected_version=draft.version,
            submit=True,
        )
    assert "connection" in str(failed.value).lower() or "server" in str(failed.value).lower()
    monkeypatch.undo()

    connection.close()
    stored = Measurement.objects.get()
    assert (stored.value, stored.status, stored.version) == (Decimal("4"), "borrador", 1)
    assert stored.history.count() == 1
    # The form the reporter still has (version 1) goes through now.
    saved = wf.save_report(
        reporter,
        indicator,
        "2018",
        wf.ReportInput(value=Decimal("9")),
        expected_version=draft.version,
        submit=True,
    )
    assert (saved.value, saved.status) == (Decimal("9"), "reportado")
