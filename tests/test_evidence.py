"""Evidence on the report form: what is accepted, who downloads it, who removes it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from planning.models import Indicator, OrgUnit
from scorecard import evidence
from scorecard.models import Evidence, Measurement
from tests.conftest import PLAN_CODE
from tests.factories import make_target

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
URL = reverse("report-edit", args=[PLAN_CODE, "11.1", "2018"])


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def pgi(official_plan, media):
    """11.1 belongs to PGI, with a target of 10 in 2018."""
    indicator = Indicator.objects.get(plan=official_plan, code="11.1")
    indicator.responsible_unit = OrgUnit.objects.get(code="PGI")
    indicator.save()
    make_target(indicator=indicator, period="2018", value=10)
    return indicator


def pdf(name="acta.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def stored_files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()]


def snapshot():
    return (
        list(Measurement.objects.order_by("pk").values()),
        list(Evidence.objects.order_by("pk").values()),
        Evidence.history.count(),
    )


def _post(client, files, action="draft", **data):
    payload = {"value": "12", "version": "", "analysis": "", "action": action, **data}
    return client.post(URL, {**payload, "evidence": files})


def _evidence_error(response) -> str:
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="id_evidence_error"' in page
    return page


@pytest.fixture
def attached(client, pgi, reporter):
    """A draft of PGI with one PDF attached by its reporter."""
    client.force_login(reporter)
    assert _post(client, [pdf()]).status_code == 302
    client.logout()
    return Evidence.objects.get()


# --- Upload -------------------------------------------------------------------------------


def test_files_are_attached_to_the_report(client, pgi, reporter, media):
    client.force_login(reporter)
    png = SimpleUploadedFile("foto.png", PNG, content_type="image/png")
    assert _post(client, [pdf(), png]).status_code == 302
    report = Measurement.objects.get(indicator=pgi, period="2018")
    items = list(report.evidence.order_by("original_name"))
    assert [e.original_name for e in items] == ["acta.pdf", "foto.png"]
    assert [e.content_type for e in items] == ["application/pdf", "image/png"]
    assert items[0].uploaded_by == reporter
    assert len(stored_files(media)) == 2
    assert "acta.pdf" not in items[0].file.name  # stored under a random name
    page = client.get(URL).content.decode()
    assert reverse("evidence-download", args=[items[0].pk]) in page


def test_the_form_allows_several_files_and_tells_types_and_size(client, pgi, reporter, settings):
    settings.EVIDENCE_MAX_BYTES = 5 * 1048576
    client.force_login(reporter)
    page = client.get(URL).content.decode()
    assert 'type="file" name="evidence"' in page and " multiple" in page
    assert "docx, jpeg, jpg, ods, odt, pdf, png, xlsx" in page
    assert "máximo 5 MB por archivo" in page


def test_a_file_too_large_is_refused_and_nothing_is_saved(client, pgi, reporter, settings, media):
    settings.EVIDENCE_MAX_BYTES = 20
    client.force_login(reporter)
    before = snapshot()
    page = _evidence_error(_post(client, [pdf()]))
    assert "«acta.pdf» pesa" in page and "el máximo es" in page
    assert snapshot() == before
    assert stored_files(media) == []


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("virus.exe", b"MZ\x90\x00"), "tipo de archivo no permitido"),
        (pdf("falso.pdf", b"MZ\x90\x00 not a pdf"), "no es un archivo PDF válido"),
        (SimpleUploadedFile("hoja.xlsx", b"PK\x03\x04 broken"), "no es un archivo XLSX válido"),
    ],
)
def test_a_file_of_the_wrong_type_is_refused_and_nothing_is_saved(
    client, pgi, reporter, media, upload, message
):
    client.force_login(reporter)
    before = snapshot()
    page = _evidence_error(_post(client, [pdf("bueno.pdf"), upload]))
    assert message in page
    assert 'aria-describedby="id_evidence_helptext id_evidence_error"' in page
    assert snapshot() == before
    assert stored_files(media) == []


def test_a_refused_report_keeps_no_file(client, pgi, reporter, media):
    client.force_login(reporter)
    before = snapshot()
    response = _post(client, [pdf()], action="submit", value="5")  # below target, no analysis
    assert "por debajo de la meta" in response.content.decode()
    assert snapshot() == before
    assert stored_files(media) == []


def test_a_file_refused_while_saving_undoes_the_report_and_the_stored_files(
    client, pgi, reporter, media, monkeypatch
):
    real = evidence.attach
    calls = []

    def attach_then_refuse(user, measurement, upload):
        calls.append(upload.name)
        if len(calls) == 2:
            raise evidence.EvidenceError("«segundo.pdf»: rechazado al guardar.")
        return real(user, measurement, upload)

    monkeypatch.setattr(evidence, "attach", attach_then_refuse)
    client.force_login(reporter)
    before = snapshot()
    page = _evidence_error(_post(client, [pdf("primero.pdf"), pdf("segundo.pdf")]))
    assert "rechazado al guardar" in page
    assert len(calls) == 2
    assert snapshot() == before
    assert stored_files(media) == []


# --- Download -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 200),
        ("planificacion", 200),
        ("direccion", 200),  # directors see unvalidated values and their evidence
        ("responsable", 200),
        ("otro_responsable", 404),
    ],
)
def test_who_downloads_evidence(client, attached, personas, role, status):
    client.force_login(personas[role])
    before = snapshot()
    response = client.get(reverse("evidence-download", args=[attached.pk]))
    assert response.status_code == status
    if status == 200:
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Disposition"].startswith("attachment")
        assert "acta.pdf" in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff"
    assert snapshot() == before


def test_unknown_or_lost_evidence_is_not_found(client, attached, reporter):
    client.force_login(reporter)
    assert client.get(reverse("evidence-download", args=[attached.pk + 99])).status_code == 404
    attached.file.storage.delete(attached.file.name)
    assert client.get(reverse("evidence-download", args=[attached.pk])).status_code == 404


# --- Delete -------------------------------------------------------------------------------


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
def test_who_deletes_evidence(client, attached, personas, role, status):
    client.force_login(personas[role])
    before = snapshot()
    response = client.post(reverse("evidence-delete", args=[attached.pk]))
    assert response.status_code == status
    if status == 302:
        assert response["Location"] == URL
        assert not Evidence.objects.exists()
    else:
        assert snapshot() == before


def test_deleting_evidence_is_post_only(client, attached, reporter):
    client.force_login(reporter)
    assert client.get(reverse("evidence-delete", args=[attached.pk])).status_code == 405
    assert Evidence.objects.exists()


def test_a_deletion_is_recorded_in_the_history(client, attached, reporter):
    client.force_login(reporter)
    response = client.post(reverse("evidence-delete", args=[attached.pk]), follow=True)
    assert "Evidencia «acta.pdf» eliminada." in response.content.decode()
    record = Evidence.history.filter(id=attached.pk).latest()
    assert (record.history_type, record.history_user) == ("-", reporter)
    assert record.history_change_reason == "evidencia eliminada"
    assert record.original_name == "acta.pdf"


def test_evidence_of_a_submitted_report_stays_for_the_unit(client, attached, reporter, planner):
    report = attached.measurement
    client.force_login(reporter)
    response = client.post(URL, {"value": "12", "version": str(report.version), "action": "submit"})
    assert response.status_code == 302
    page = client.get(URL).content.decode()
    assert reverse("evidence-delete", args=[attached.pk]) not in page
    assert reverse("evidence-download", args=[attached.pk]) in page  # still downloadable
    response = client.post(reverse("evidence-delete", args=[attached.pk]), follow=True)
    assert "en revisión de Planificación" in response.content.decode()
    assert Evidence.objects.filter(pk=attached.pk).exists()
    client.force_login(planner)
    client.post(reverse("evidence-delete", args=[attached.pk]))
    assert not Evidence.objects.filter(pk=attached.pk).exists()
