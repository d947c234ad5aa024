"""Spreadsheets on the web: upload → preview → confirm, the unit's template, the history.

Thin views over ``scorecard.imports`` (the same importers as the commands, with the same
messages) and ``planning.access``: 404 for what a user may not see (no role, someone
else's upload or import), 403 for what they may see but not do (directors import nothing).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from planning import access
from scorecard.forms.imports import ImportForm, TemplateForm
from scorecard.imports.pending import (
    PREVIEW_ROWS,
    FileRefused,
    max_upload_bytes,
    pending_confirm,
    pending_create,
)
from scorecard.imports.reading import limit, size_text
from scorecard.imports.runner import CREATED, UNCHANGED, UPDATED, ImportRefused
from scorecard.imports.template import CONTENT_TYPE, template_for, template_xlsx
from scorecard.imports.undo import UndoRefused, import_undo
from scorecard.models import ImportBatch, PendingImport

HISTORY_PAGE = 25
# The template form shares field names (plan) with the upload form on one page.
TEMPLATE_IDS = "plantilla_%s"
OUTCOMES = (
    (CREATED, gettext_lazy("Se crearán")),
    (UPDATED, gettext_lazy("Se actualizarán")),
    (UNCHANGED, gettext_lazy("Sin cambios")),
)


def _require_importer(user) -> None:
    """404 without a role; 403 for a role that imports nothing (directors)."""
    access.require_read(user)
    if not access.can_report_values(user):
        raise PermissionDenied


def _crumbs(*tail) -> list[tuple[str, str | None]]:
    return [(_("Tablero"), reverse("home")), *tail]


def _start_page(request, form, template_form, status=200):
    context = {
        "form": form,
        "template_form": template_form,
        "max_size": size_text(max_upload_bytes()),
        "max_rows": limit("IMPORT_MAX_ROWS"),
        "crumbs": _crumbs((_("Importar"), None)),
    }
    return render(request, "scorecard/imports/start.html", context, status=status)


@login_required
def import_start(request):
    """The upload form (GET) and its check (POST): a preview, or the form with its errors."""
    _require_importer(request.user)
    template_form = TemplateForm(user=request.user, auto_id=TEMPLATE_IDS)
    if request.method != "POST":
        return _start_page(request, ImportForm(user=request.user), template_form)
    form = ImportForm(request.POST, request.FILES, user=request.user)
    if form.is_valid():
        pending = _check_upload(request, form)
        if pending is not None:
            return redirect("import-preview", pk=pending.pk)
    return _start_page(request, form, template_form, status=400)


def _check_upload(request, form) -> PendingImport | None:
    upload = form.cleaned_data["file"]
    try:
        return pending_create(
            user=request.user,
            plan=form.cleaned_data["plan"],
            kind=form.cleaned_data["kind"],
            options=form.options(),
            name=upload.name,
            data=b"".join(upload.chunks()),
        )
    except FileRefused as exc:
        form.add_error("file", str(exc))
    except ImportRefused as exc:
        form.add_error(None, capfirst(str(exc)))
    return None


def _own_pending(request, pk: int) -> PendingImport:
    """The user's own upload, or 404 (nobody sees or confirms someone else's)."""
    access.require_read(request.user)
    uploads = PendingImport.objects.defer("content").select_related("plan", "batch")
    return get_object_or_404(uploads, pk=pk, user=request.user)


@require_GET
@login_required
def import_preview(request, pk: int):
    """What the upload would create, update and leave, or its problems; and the confirm."""
    pending = _own_pending(request, pk)
    preview = pending.preview
    sections = [
        (outcome, label, preview.get(count_key, 0), preview.get("rows", {}).get(outcome, []))
        for (outcome, label), count_key in zip(
            OUTCOMES, ("created", "updated", "unchanged"), strict=True
        )
    ]
    context = {
        "pending": pending,
        "preview": preview,
        "sections": sections,
        "limit": PREVIEW_ROWS,
        "problems_cut": preview.get("problem_count", 0) > len(preview.get("problems", [])),
        "crumbs": _crumbs((_("Importar"), reverse("import-start")), (_("Vista previa"), None)),
    }
    return render(request, "scorecard/imports/preview.html", context)


@require_POST
@login_required
def import_confirm(request, pk: int):
    """Run the checked upload for real: all of it, then the history; or its new problems."""
    pending = _own_pending(request, pk)
    try:
        result = pending_confirm(pending)
    except ImportRefused as exc:
        messages.error(request, capfirst(str(exc)))
        return redirect("import-preview", pk=pk)
    if result is None:
        messages.warning(request, _("Este archivo ya no está pendiente de confirmar."))
        return redirect("import-preview", pk=pk)
    if not result.ok:
        messages.error(
            request,
            _(
                "Los datos cambiaron desde la vista previa y el archivo ya no se puede "
                "importar; no se guardó nada. Corrija el archivo y vuelva a subirlo."
            ),
        )
        return redirect("import-preview", pk=pk)
    messages.success(
        request,
        _("Importación hecha: creados %(c)s, actualizados %(u)s, sin cambios %(s)s.")
        % {"c": result.created, "u": result.updated, "s": result.unchanged},
    )
    return redirect("import-history")


@require_GET
@login_required
def import_template(request):
    """The unit's **mediciones** workbook for a period (``?plan=&unidad=&periodo=``)."""
    _require_importer(request.user)
    form = TemplateForm(request.GET, user=request.user, auto_id=TEMPLATE_IDS)
    if not form.is_valid():
        return _start_page(request, ImportForm(user=request.user), form, status=400)
    if not access.can_report_for_unit(request.user, form.cleaned_data["unidad"]):
        raise Http404
    data = form.cleaned_data
    template = template_for(data["plan"], data["unidad"], data["periodo"])
    response = HttpResponse(template_xlsx(template), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, template.file_name)
    return response


@require_GET
@login_required
def import_history(request):
    """The import records a user may read, newest first, a page at a time.

    Queries, whatever the number of imports: the count, one page with plan and people
    joined, plus the session, user and role lookups.
    """
    access.require_read(request.user)
    batches = access.imports_visible_to(
        request.user, ImportBatch.objects.select_related("plan", "user", "undone_by")
    )
    page = Paginator(batches, HISTORY_PAGE).get_page(request.GET.get("page"))
    rows = [
        (batch, batch.undone_at is None and access.can_undo_import(request.user, batch))
        for batch in page
    ]
    context = {"page": page, "rows": rows, "crumbs": _crumbs((_("Importaciones"), None))}
    return render(request, "scorecard/imports/history.html", context)


@require_POST
@login_required
def import_undo_view(request, batch_pk: int):
    """Undo an import if nothing it wrote has changed since; otherwise say which rows did."""
    access.require_read(request.user)
    visible = access.imports_visible_to(request.user, ImportBatch.objects.all())
    batch = get_object_or_404(visible, pk=batch_pk)
    if not access.can_undo_import(request.user, batch):
        raise PermissionDenied
    try:
        result = import_undo(batch=batch, user=request.user)
    except UndoRefused as exc:
        messages.error(request, capfirst(str(exc)))
    else:
        messages.success(
            request,
            _("Importación #%(pk)s deshecha: restaurados %(r)s, eliminados %(d)s.")
            % {"pk": batch.pk, "r": result.restored, "d": result.deleted},
        )
    return redirect("import-history")
