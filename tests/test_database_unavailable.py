"""The database stops answering in the middle of a request: a plain 503, nothing written.

The first tests simulate the lost connection (a step of the request raises the error a
dead connection raises) and run on any database; the last one restarts the throwaway
PostgreSQL of ``scripts/throwaway_postgres.sh`` under a real report submission and runs
only where ``PGDIR`` names it (as tests/test_faults_postgres.py).
"""

import logging
import os
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import InterfaceError, OperationalError, connection
from django.urls import reverse

from planning.models import Indicator, OrgUnit
from scorecard import workflow
from scorecard.models import Measurement
from tests.conftest import PLAN_CODE

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "throwaway_postgres.sh"
REPORT_URL = reverse("report-edit", args=[PLAN_CODE, "11.2", "2018"])


@pytest.fixture
def draft(official_plan, reporter):
    """A PGI reporter's draft of 11.2 for 2018 (value 4, version 1)."""
    indicator = Indicator.objects.get(plan=official_plan, code="11.2")
    indicator.responsible_unit = OrgUnit.objects.get(code="PGI")
    indicator.periodicity = "anual"
    indicator.save()
    return workflow.save_report(reporter, indicator, "2018", workflow.ReportInput(value=Decimal(4)))


def _submit(client, version):
    data = {"value": "9", "analysis": "Se cumplió.", "version": version, "action": "submit"}
    return client.post(REPORT_URL, data)


def _stored():
    return list(Measurement.objects.values_list("value", "status", "version")), (
        Measurement.history.count()
    )


def _fail_with(error):
    def step(*args, **kwargs):
        raise error

    return step


@pytest.mark.django_db
def test_a_report_submitted_while_the_database_is_lost_answers_503_and_writes_nothing(
    client, reporter, draft, monkeypatch
):
    before = _stored()
    # After the version was claimed, before the values are written: the claim must go too.
    lost = OperationalError("server closed the connection unexpectedly")
    monkeypatch.setattr(workflow, "_save", _fail_with(lost))
    client.force_login(reporter)

    response = _submit(client, draft.version)

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "no-store" in response["Cache-Control"]
    assert [t.name for t in response.templates] == ["503.html"]
    page = response.content.decode()
    assert "No se cambió ningún dato" in page and "Intente de nuevo en un momento" in page
    assert "Traceback" not in page and "server closed" not in page
    assert _stored() == before


@pytest.mark.django_db
def test_the_form_the_reporter_still_has_goes_through_once_the_database_is_back(
    client, reporter, draft, monkeypatch
):
    monkeypatch.setattr(workflow, "_save", _fail_with(OperationalError("gone")))
    client.force_login(reporter)
    assert _submit(client, draft.version).status_code == 503
    monkeypatch.undo()

    assert _submit(client, draft.version).status_code == 302
    assert _stored()[0] == [(Decimal(9), "reportado", 2)]


@pytest.mark.django_db
def test_a_page_read_on_a_closed_connection_answers_503(client, director, monkeypatch):
    lost = InterfaceError("connection already closed")
    monkeypatch.setattr("scorecard.selectors.plans_to_choose", _fail_with(lost))
    client.force_login(director)

    response = client.get(reverse("home"))

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "No se cambió ningún dato" in response.content.decode()


@pytest.mark.django_db
def test_the_lost_database_is_logged_once_as_an_error_with_the_path_and_no_traceback(
    client, director, monkeypatch, caplog
):
    lost = OperationalError("could not connect to server at 10.0.0.5")
    monkeypatch.setattr("scorecard.selectors.plans_to_choose", _fail_with(lost))
    client.force_login(director)

    with caplog.at_level(logging.INFO):
        client.get(reverse("home"), {"plan": PLAN_CODE})

    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1  # not a second line from django.request (nor a mail to ADMINS)
    assert errors[0].name == "congope.database_errors"
    assert "GET /" in errors[0].getMessage() and "OperationalError" in errors[0].getMessage()
    assert errors[0].exc_info is None and errors[0].stack_info is None


@pytest.mark.django_db
def test_an_english_browser_gets_the_page_in_english(client, director, monkeypatch):
    monkeypatch.setattr("scorecard.selectors.plans_to_choose", _fail_with(OperationalError()))
    client.force_login(director)

    response = client.get(reverse("home"), headers={"accept-language": "en"})

    assert response.status_code == 503
    page = response.content.decode()
    assert '<html lang="en">' in page and "No data was changed" in page


@pytest.mark.django_db
def test_other_errors_are_not_disguised_as_an_unavailable_database(client, director, monkeypatch):
    monkeypatch.setattr("scorecard.selectors.plans_to_choose", _fail_with(ValueError("a bug")))
    client.force_login(director)

    with pytest.raises(ValueError):  # the usual 500, with its traceback in the log
        client.get(reverse("home"))


# --- A real restart of PostgreSQL ---------------------------------------------------------


def _throwaway_postgres() -> bool:
    pgdir = os.environ.get("PGDIR")
    return bool(pgdir) and Path(pgdir, "data", "postmaster.pid").exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    not _throwaway_postgres(),
    reason="needs the throwaway PostgreSQL of scripts/throwaway_postgres.sh (PGDIR)",
)
def test_a_postgres_restart_during_a_submission_answers_503_and_writes_nothing(
    client, reporter, draft, monkeypatch
):
    if connection.vendor != "postgresql":
        pytest.skip("restarts PostgreSQL")
    before = _stored()
    real_save = workflow._save

    def restart_then_save(measurement, user, reason):
        subprocess.run([str(SCRIPT), "restart"], check=True, env=os.environ.copy(), timeout=120)
        real_save(measurement, user, reason)

    monkeypatch.setattr(workflow, "_save", restart_then_save)
    client.force_login(reporter)

    response = _submit(client, draft.version)

    assert response.status_code == 503
    monkeypatch.undo()
    connection.close()  # the test's own connection died with the server too
    assert _stored() == before
    assert _submit(client, draft.version).status_code == 302
