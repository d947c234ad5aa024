"""Two units side by side, each with what an attacker of the other would go after.

PGI (rosa, ``reporter``) owns indicator 11.1; RI (raúl, ``other_reporter``) owns 11.2.
Each unit has a report under review with evidence (2018), a validated report (2019), a
confirmed import (2020) and an upload waiting for confirmation (2021). RI's unvalidated
texts carry :data:`SECRET` so that a test can prove they never reach a PGI reporter.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from planning.models import Indicator, OrgUnit, Target
from scorecard import evidence, workflow
from scorecard.imports.pending import pending_confirm, pending_create
from scorecard.models import (
    ClosedPeriod,
    Evidence,
    ImportBatch,
    Measurement,
    PendingImport,
)
from tests.conftest import form_data

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
SECRET = "SECRETO-DE-RI"
#: indicator code → unit code, as the scene assigns them.
OWNERS = {"11.1": "PGI", "11.2": "RI"}


@dataclass
class UnitObjects:
    """What one unit has in the scene."""

    indicator: Indicator
    under_review: Measurement  # 2018, reportado, with evidence
    validated: Measurement  # 2019
    evidence: Evidence
    batch: ImportBatch  # confirmed import of 2020
    pending: PendingImport  # upload of 2021, not confirmed


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def csv_bytes(rows, header=("indicador", "periodo", "valor", "analisis")) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return text.getvalue().encode("utf-8")


def _unit_objects(plan, code: str, user, planner, secret: str) -> UnitObjects:
    indicator = Indicator.objects.get(plan=plan, code=code)
    indicator.responsible_unit = OrgUnit.objects.get(code=OWNERS[code])
    indicator.save()
    data = workflow.ReportInput(value=5, analysis=f"{secret} análisis en revisión")
    report = workflow.save_report(user, indicator, "2018", data, submit=True)
    pdf = SimpleUploadedFile(f"{secret}-acta.pdf", PDF, content_type="application/pdf")
    item = evidence.attach(user, report, pdf)
    done = workflow.save_report(
        user, indicator, "2019", workflow.ReportInput(value=7, analysis="validado"), submit=True
    )
    done = workflow.validate(planner, done, expected_version=done.version)
    kind = ImportBatch.Kind.MEASUREMENTS
    upload = pending_create(
        user=user,
        plan=plan,
        kind=kind,
        options={},
        name=f"{secret}-2020.csv",
        data=csv_bytes([[code, "2020", "3", ""]]),
    )
    pending_confirm(upload)
    upload.refresh_from_db()
    waiting = pending_create(
        user=user,
        plan=plan,
        kind=kind,
        options={},
        name=f"{secret}-2021.csv",
        data=csv_bytes([[code, "2021", "4", ""]]),
    )
    return UnitObjects(indicator, report, done, item, upload.batch, waiting)


@pytest.fixture
def scene(official_plan, reporter, other_reporter, planner, media) -> dict[str, UnitObjects]:
    """PGI's and RI's objects, plus a closed period of the plan (public to every role)."""
    objects = {
        "PGI": _unit_objects(official_plan, "11.1", reporter, planner, "pgi"),
        "RI": _unit_objects(official_plan, "11.2", other_reporter, planner, SECRET),
    }
    workflow.close_period(planner, official_plan, "2017", "cierre anual")
    return objects


def snapshot() -> dict:
    """Every row an attack on a report, a file or an import could change."""
    pending_fields = [f.name for f in PendingImport._meta.concrete_fields if f.name != "content"]
    return {
        "measurements": list(Measurement.objects.order_by("pk").values()),
        "measurement_history": Measurement.history.count(),
        "evidence": list(Evidence.objects.order_by("pk").values()),
        "batches": list(ImportBatch.objects.order_by("pk").values()),
        "pending": list(PendingImport.objects.order_by("pk").values(*pending_fields)),
        "targets": list(Target.objects.order_by("pk").values()),
        "indicators": list(Indicator.objects.order_by("pk").values()),
        "units": list(OrgUnit.objects.order_by("pk").values()),
        "closed": list(ClosedPeriod.objects.order_by("pk").values()),
    }


# --- posting a form as a browser would ------------------------------------------------------


def edit_through_page(client, url: str, **changes):
    """Open a form page, change some fields, post it as a browser would; it must save."""
    page = client.get(url)
    assert page.status_code == 200, url
    response = client.post(url, {**form_data(page.context["form"]), **changes})
    form = response.context["form"] if response.context else None
    assert response.status_code == 302, (url, form.errors if form else response.status_code)
    return response


def admin_form_data(page) -> dict:
    """The admin change form of ``page`` as a browser would post it, inlines included."""
    data = form_data(page.context["adminform"].form)
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        data |= form_data(formset.management_form)
        for form in formset.forms:
            data |= form_data(form)
    return data
