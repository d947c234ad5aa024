"""``export_plan``: a plan, everything in it and its history, into one zip.

Every row is written field by field from the model, so a field added to a model travels
without touching this module; references become codes through the maps that
:mod:`.references` starts and each kind extends as it is written (kinds come in
dependency order, so a reference always finds its target's code).
"""

from __future__ import annotations

import shutil
import zipfile
from datetime import date, datetime
from decimal import Decimal

from django.core.files.storage import default_storage
from django.db.models.fields.files import FieldFile

from scorecard.backup import members
from scorecard.backup.format import KINDS, SKIPPED, BackupError, Result, m2m_names
from scorecard.backup.references import ids_out, outside_out


def export_plan(plan, destination) -> Result:
    """Write ``plan`` with everything in it to the zip file ``destination`` (path or file)."""
    refs = ids_out(plan)
    data = outside_out(plan)
    for kind in KINDS:
        objects = list(kind.rows_of(plan).prefetch_related(*m2m_names(kind.model)))
        data[kind.name] = [_row_out(obj, refs, strict=True) for obj in objects]
        keys = (kind.key_of(row) for row in data[kind.name])
        refs[kind.model] = {obj.pk: key for obj, key in zip(objects, keys, strict=True)}
    history = {kind.name: _history_out(kind, plan, refs) for kind in KINDS}
    result = Result(plan, {kind.name: len(data[kind.name]) for kind in KINDS})
    result.counts["history"] = sum(len(rows) for rows in history.values())
    data["plan"] = data["plan"][0]
    manifest = members.new_manifest(plan, result.counts)
    with zipfile.ZipFile(destination, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("plan.json", members.dumps(data))
        archive.writestr("history.json", members.dumps(history))
        result.counts["evidence_files"] = _evidence_out(archive, data["evidence"], result)
        archive.writestr("manifest.json", members.dumps(manifest))
    return result


def _row_out(obj, refs, *, strict: bool) -> dict:
    row = {}
    for f in obj._meta.concrete_fields:
        if f.name not in SKIPPED:
            row[f.name] = _value_out(f, obj, refs, strict)
    for name in m2m_names(type(obj)):
        target = obj._meta.get_field(name).related_model
        row[name] = sorted(refs[target][o.pk] for o in getattr(obj, name).all())
    return row


def _value_out(f, obj, refs, strict: bool):
    if f.is_relation:
        raw = getattr(obj, f.attname)
        if f.related_model not in refs:
            raise BackupError(
                f"{f.model._meta.label}.{f.name}: referencia sin formato de exportación"
            )
        if raw is not None and strict and raw not in refs[f.related_model]:
            raise BackupError(f"{obj._meta.label} {obj.pk}: {f.name} apunta fuera del plan")
        return None if raw is None else refs[f.related_model].get(raw)
    value = f.value_from_object(obj)
    if isinstance(value, FieldFile):
        return value.name
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def _history_out(kind, plan, refs) -> list[dict]:
    """Every history row of the kind's rows, oldest first, ``object`` naming its row."""
    keys = refs[kind.model]
    # A subquery, not a list of ids: SQLite caps the number of query parameters.
    records = kind.model.history.filter(id__in=kind.rows_of(plan).values("pk"))
    rows = []
    for record in records.order_by("history_date", "history_id").iterator():
        rows.append({"object": keys[record.id], **_row_out(record, refs, strict=False)})
    return rows


def _evidence_out(archive, rows, result) -> int:
    """Copy the evidence files into ``evidence/``; how many were there to copy."""
    written = 0
    for row in rows:
        try:
            with (
                default_storage.open(row["file"], "rb") as src,
                archive.open(f"evidence/{row['file']}", "w") as dst,
            ):
                shutil.copyfileobj(src, dst, 1 << 20)
            written += 1
        except FileNotFoundError:
            result.warnings.append(f"evidencia {row['file']}: el archivo no está en el servidor")
    return written
