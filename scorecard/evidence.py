"""Evidence files (medios de verificación): what is accepted, where it is kept, who gets it.

A file is accepted by what its first bytes are, not by the name or the browser's content
type (both are the uploader's to choose), and up to ``EVIDENCE_MAX_BYTES``. It is stored
under ``MEDIA_ROOT`` (outside the web root: no URL serves it) with a random name, and it
is served by :func:`open_for` only to users who may see the indicator's unvalidated values.
"""

from __future__ import annotations

import re
import uuid
import zipfile

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.utils.translation import gettext as _

from planning import access
from scorecard.models import Evidence, Measurement

DEFAULT_MAX_BYTES = 10 * 1024 * 1024

#: extension → (content type, a test on the first bytes)
_ZIP = b"PK\x03\x04"
KINDS = {
    "pdf": ("application/pdf", lambda head: head.startswith(b"%PDF-")),
    "png": ("image/png", lambda head: head.startswith(b"\x89PNG\r\n\x1a\n")),
    "jpg": ("image/jpeg", lambda head: head.startswith(b"\xff\xd8\xff")),
    "jpeg": ("image/jpeg", lambda head: head.startswith(b"\xff\xd8\xff")),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        lambda head: head.startswith(_ZIP),
    ),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        lambda head: head.startswith(_ZIP),
    ),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", lambda h: h.startswith(_ZIP)),
    "odt": ("application/vnd.oasis.opendocument.text", lambda h: h.startswith(_ZIP)),
}
_OFFICE_MARK = {"xlsx": "xl/", "docx": "word/", "ods": "mimetype", "odt": "mimetype"}
# Either system's directory separator: the name comes from the uploader's machine.
_DIRECTORIES = re.compile(r"^.*[/\\]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class EvidenceError(ValueError):
    """Why a file was refused, in Spanish, naming the file."""


def max_bytes() -> int:
    return getattr(settings, "EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES)


def allowed_extensions() -> str:
    return ", ".join(sorted(KINDS))


def file_name(name: str | None) -> str:
    """The file's own name as people read it and save it: no directory part (``/`` or
    ``\\``) and no control characters, which a download header could not carry.

    "" when nothing is left (a download then offers the stored random name).
    """
    name = _DIRECTORIES.sub("", _CONTROL.sub("", name or "")).strip()
    return "" if name in (".", "..") else name


def check_file(upload) -> tuple[str, str]:
    """(extension, content type) of an acceptable upload, or EvidenceError saying why not."""
    name = file_name(upload.name)
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in KINDS:
        raise EvidenceError(
            _("«%(name)s»: tipo de archivo no permitido; se aceptan %(kinds)s.")
            % {"name": name, "kinds": allowed_extensions()}
        )
    limit = max_bytes()
    if upload.size > limit:
        raise EvidenceError(
            _("«%(name)s» pesa %(size)s MB; el máximo es %(max)s MB.")
            % {
                "name": name,
                "size": f"{upload.size / 1048576:.1f}",
                "max": f"{limit / 1048576:.0f}",
            }
        )
    content_type, looks_right = KINDS[extension]
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not looks_right(head) or not _office_file_ok(upload, extension):
        raise EvidenceError(
            _("«%(name)s» no es un archivo %(kind)s válido.")
            % {"name": name, "kind": extension.upper()}
        )
    return extension, content_type


def _office_file_ok(upload, extension: str) -> bool:
    """An office document is a zip holding its own parts (a renamed zip is not one)."""
    mark = _OFFICE_MARK.get(extension)
    if mark is None:
        return True
    try:
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return False
    finally:
        upload.seek(0)
    return any(n == mark or n.startswith(mark) for n in names)


def attach(user, measurement: Measurement, upload) -> Evidence:
    """Store ``upload`` as evidence of ``measurement`` (the caller checked write rights)."""
    if not access.can_report(user, measurement.indicator):
        raise PermissionDenied
    extension, content_type = check_file(upload)
    original = file_name(upload.name)[:255]
    upload.name = f"{uuid.uuid4().hex}.{extension}"
    evidence = Evidence(
        measurement=measurement,
        file=upload,
        original_name=original,
        content_type=content_type,
        size=upload.size,
        uploaded_by=user,
    )
    evidence._history_user = user
    evidence.save()
    return evidence


def open_for(user, evidence: Evidence) -> FileResponse:
    """The file as a download, for users who may see the indicator's unvalidated values."""
    access.check_indicator(user, evidence.measurement.indicator, unvalidated=True)
    # SecurityMiddleware adds «nosniff» to every response, this download included.
    return FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=file_name(evidence.original_name),
        content_type=evidence.content_type,
    )
