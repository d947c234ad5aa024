"""The web import's two steps: check an upload (preview), then confirm it (the real import).

The upload is kept in a :class:`~scorecard.models.PendingImport` bound to its user, in the
database rather than a server's temporary folder, so that the confirm works on any server
and nobody can point it at another file (PITFALLS 14). The preview is the importer's own
dry run; the confirm runs the import again, under the importer's lock, because the data may
have changed in between: it either writes everything or shows the new problems.
"""

from __future__ import annotations

import datetime
import hashlib

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from scorecard.imports.indicators import IndicatorImporter
from scorecard.imports.measurements import MeasurementImporter
from scorecard.imports.reading import size_text
from scorecard.imports.runner import CREATED, UNCHANGED, UPDATED, Importer, run_import
from scorecard.imports.sheet import Problem
from scorecard.imports.targets import TargetImporter
from scorecard.models import ImportBatch, PendingImport

Kind = ImportBatch.Kind
State = PendingImport.State
#: Rows of each outcome a preview shows; problems shown at most twice as many.
PREVIEW_ROWS = 500
MAX_PROBLEMS = 2 * PREVIEW_ROWS
#: Uploads nobody confirmed are deleted after this long (when a new one is made).
MAX_AGE = datetime.timedelta(days=1)
DEFAULT_MAX_BYTES = 20 * 1024 * 1024


class FileRefused(Exception):
    """The upload as a whole cannot be imported; the message is ``archivo: <reason>``."""


def max_upload_bytes() -> int:
    """The largest file the web import accepts (setting ``IMPORT_MAX_BYTES``, 20 MB)."""
    return int(getattr(settings, "IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def check_size(size: int) -> None:
    """Refuse a file over the web's limit before reading it."""
    maximum = max_upload_bytes()
    if size > maximum:
        raise FileRefused(
            str(Problem.file(f"pesa más de {size_text(maximum)}, el máximo admitido"))
        )


def importer_for(kind: str, *, plan, user, options: dict) -> Importer:
    """The importer of a format with the options chosen on the form."""
    if kind == Kind.MEASUREMENTS:
        return MeasurementImporter(
            plan=plan,
            user=user,
            validate=bool(options.get("validate")),
            overwrite=bool(options.get("overwrite")),
        )
    if kind == Kind.TARGETS:
        return TargetImporter(plan=plan, user=user, reason=options.get("reason", ""))
    return IndicatorImporter(plan=plan, user=user)


def expire_pending(now: datetime.datetime | None = None) -> int:
    """Delete every upload older than :data:`MAX_AGE` (confirmed or not)."""
    limit = (now or timezone.now()) - MAX_AGE
    deleted, _by_model = PendingImport.objects.filter(created_at__lt=limit).delete()
    return deleted


def pending_create(*, user, plan, kind: str, options: dict, name: str, data: bytes):
    """Check an upload (a dry run) and keep it for its owner to confirm.

    Raises :class:`FileRefused` when the file as a whole is refused (nothing is stored),
    and ``ImportRefused`` when the user may not import with these options.
    """
    check_size(len(data))
    expire_pending()
    importer = importer_for(kind, plan=plan, user=user, options=options)
    result = run_import(importer, data, file_name=name, dry_run=True, keep_rows=PREVIEW_ROWS)
    whole_file = [problem for problem in result.problems if problem.row == 0]
    if whole_file:
        raise FileRefused(str(whole_file[0]))
    return PendingImport.objects.create(
        user=user,
        plan=plan,
        kind=kind,
        options=options,
        content=data if result.ok else b"",
        file_name=name[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        state=State.PENDING if result.ok else State.INVALID,
        preview=preview_of(result),
    )


def pending_confirm(pending: PendingImport):
    """Run the real import of a checked upload: all of it, or none and its new problems.

    Returns the ``ImportResult``, or None when the upload is no longer pending (already
    confirmed, or found wrong).
    """
    with transaction.atomic():
        locked = PendingImport.objects.select_for_update().get(pk=pending.pk)
        content = bytes(locked.content)
        if locked.state != State.PENDING or hashlib.sha256(content).hexdigest() != locked.sha256:
            return None
        importer = importer_for(
            locked.kind, plan=locked.plan, user=locked.user, options=locked.options
        )
        result = run_import(importer, content, file_name=locked.file_name)
        if result.ok:
            locked.state, locked.batch, locked.content = State.IMPORTED, result.batch, b""
        else:
            locked.state, locked.content = State.INVALID, b""
        locked.preview = {
            **locked.preview,
            **_counts(result),
            "problems": _problems(result),
            "problem_count": len(result.problems),
        }
        locked.save()
    return result


def _counts(result) -> dict:
    return {"created": result.created, "updated": result.updated, "unchanged": result.unchanged}


def _problems(result) -> list[list]:
    ordered = sorted(result.problems, key=lambda p: (p.row, p.position, p.message))
    return [[p.row, p.column, p.value, p.message, str(p)] for p in ordered[:MAX_PROBLEMS]]


def preview_of(result) -> dict:
    """What the preview page shows, as JSON: counts, rows per outcome, problems."""
    return {
        **_counts(result),
        "columns": result.columns,
        "rows": {
            outcome: result.sample.get(outcome, []) for outcome in (CREATED, UPDATED, UNCHANGED)
        },
        "problems": _problems(result),
        "problem_count": len(result.problems),
    }
