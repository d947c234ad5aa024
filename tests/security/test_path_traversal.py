"""Path traversal: file names chosen by an uploader never become paths on the server.

Evidence is stored under ``MEDIA_ROOT`` with a random name and served by its id only,
through the access helper; its original name is kept for people to read and offered as the
download's name, without any directory part. Browsers send only a file's last path
segment, but an attacker's client sends whatever it likes: the uploads here are written
as raw multipart bodies, so the names reach the server exactly as typed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from scorecard import evidence
from scorecard.models import Evidence, Measurement, PendingImport
from tests.conftest import PLAN_CODE
from tests.security.conftest import PDF, csv_bytes

BOUNDARY = "limite-de-prueba-1234"
REPORT = reverse("report-edit", args=[PLAN_CODE, "11.1", "2018"])
STORED = re.compile(r"^evidencias/\d{4}/\d{2}/[0-9a-f]{32}\.pdf$")

TRAVERSALS = [
    "../../etc/passwd.pdf",
    "..\\..\\x.pdf",
    "/etc/cron.d/x.pdf",
    "C:\\Windows\\System32\\x.pdf",
    "....//....//x.pdf",
    "..%2F..%2Fx.pdf",
]


def multipart(fields: dict[str, str], files: list[tuple[str, str, bytes]]) -> bytes:
    """A multipart body with the file names written as given (no client cleans them)."""
    parts = []
    for name, value in fields.items():
        head = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(f"{head}{value}\r\n".encode())
    for field, filename, content in files:
        head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{field}"; '
            f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
        )
        parts.append(head.encode() + content + b"\r\n")
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def post_raw(client, url: str, fields: dict, files: list) -> object:
    return client.post(
        url, multipart(fields, files), content_type=f"multipart/form-data; boundary={BOUNDARY}"
    )


@pytest.fixture
def pgi_reporter(client, official_plan, reporter, unit, media):
    from planning.models import Indicator

    Indicator.objects.filter(plan=official_plan, code="11.1").update(responsible_unit=unit("PGI"))
    client.force_login(reporter)
    return client


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def _draft_with(client, filename: str):
    fields = {"value": "12", "analysis": "", "action": "draft", "version": ""}
    return post_raw(client, REPORT, fields, [("evidence", filename, PDF)])


@pytest.mark.parametrize("filename", TRAVERSALS)
def test_an_evidence_named_like_a_path_is_stored_under_media_with_a_random_name(
    pgi_reporter, media, tmp_path, filename
):
    response = _draft_with(pgi_reporter, filename)
    assert response.status_code == 302
    item = Evidence.objects.get()
    assert STORED.match(item.file.name), item.file.name
    stored = Path(item.file.path).resolve()
    assert stored.is_relative_to(Path(media).resolve())
    assert files_under(tmp_path) == [stored]  # nothing written anywhere else
    assert "/" not in item.original_name and "\\" not in item.original_name
    assert item.original_name not in ("", ".", "..")


@pytest.mark.parametrize("filename", TRAVERSALS)
def test_the_download_offers_the_name_without_any_directory(pgi_reporter, filename):
    _draft_with(pgi_reporter, filename)
    item = Evidence.objects.get()
    response = pgi_reporter.get(reverse("evidence-download", args=[item.pk]))
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    offered = re.search(r'filename="((?:[^"\\]|\\.)*)"|filename\*=utf-8\'\'(\S+)', disposition)
    assert offered, disposition
    name = offered.group(1) or offered.group(2)
    assert "/" not in name and "\\" not in name, disposition
    assert b"".join(response.streaming_content) == PDF


@pytest.mark.parametrize(
    "filename",
    ['acta".pdf', "acta\r\nSet-Cookie: x=1.pdf", "acta\nX-Inyectada: 1.pdf", "acta\x00.exe.pdf"],
)
def test_an_evidence_name_cannot_inject_headers_into_its_download(pgi_reporter, filename):
    response = _draft_with(pgi_reporter, filename)
    assert response.status_code in (200, 302)
    for item in Evidence.objects.all():
        download = pgi_reporter.get(reverse("evidence-download", args=[item.pk]))
        assert download.status_code == 200
        assert "Set-Cookie" not in download.headers and "X-Inyectada" not in download.headers
        assert not re.search(r"[\r\n\x00]", download["Content-Disposition"])
        assert download["Content-Type"] == "application/pdf"


def test_a_stored_name_with_line_breaks_still_downloads_with_a_clean_header(pgi_reporter):
    """A name that reached the table some other way (a restored backup) breaks no header."""
    _draft_with(pgi_reporter, "acta.pdf")
    item = Evidence.objects.get()
    Evidence.objects.filter(pk=item.pk).update(original_name="..\\a\r\nSet-Cookie: x=1.pdf")
    response = pgi_reporter.get(reverse("evidence-download", args=[item.pk]))
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert not re.search(r"[\r\n\\/]", response["Content-Disposition"])


def test_the_service_strips_directories_even_when_a_caller_does_not(
    official_plan, reporter, unit, media
):
    """Defence in depth: ``evidence.attach`` does not trust the name its caller passes."""
    from planning.models import Indicator

    indicator = Indicator.objects.get(plan=official_plan, code="11.1")
    indicator.responsible_unit = unit("PGI")
    indicator.save()
    report = Measurement.objects.create(indicator=indicator, period="2018", value=1)
    for name in ("..\\..\\x.pdf", "../../y.pdf", "a\r\nb.pdf", "a\n../../z.pdf"):
        upload = SimpleUploadedFile("placeholder.pdf", PDF, content_type="application/pdf")
        upload._name = name  # as a caller other than Django's parser might hand it over
        item = evidence.attach(reporter, report, upload)
        assert STORED.match(item.file.name), item.file.name
        assert not re.search(r"[/\\\r\n]", item.original_name), item.original_name


@pytest.mark.parametrize(
    "path",
    [
        "/evidencias/../../etc/passwd",
        "/evidencias/..%2F..%2Fetc%2Fpasswd/",
        "/evidencias/%2e%2e/%2e%2e/etc/passwd/",
        "/evidencias/1/../../../etc/passwd",
        "/evidencias/-1/",
        "/evidencias/1.0/",
        "/evidencias/0x1/",
        "/evidencias/1%00/",
    ],
)
def test_an_evidence_url_with_a_path_in_it_is_not_found(pgi_reporter, path):
    _draft_with(pgi_reporter, "acta.pdf")
    assert pgi_reporter.get(path).status_code == 404


def test_stored_files_are_not_served_from_the_media_url(pgi_reporter, settings):
    _draft_with(pgi_reporter, "acta.pdf")
    item = Evidence.objects.get()
    assert pgi_reporter.get(settings.MEDIA_URL + item.file.name).status_code == 404
    assert pgi_reporter.get(item.file.url).status_code == 404


def test_an_import_named_like_a_path_keeps_only_its_name(pgi_reporter):
    body = csv_bytes([["11.1", "2018", "5", ""]])
    fields = {"plan": PLAN_CODE, "kind": "mediciones"}
    response = post_raw(
        pgi_reporter, reverse("import-start"), fields, [("file", "../../x.csv", body)]
    )
    assert response.status_code == 302
    assert PendingImport.objects.get().file_name == "x.csv"
