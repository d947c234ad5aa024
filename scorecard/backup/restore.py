"""``import_plan``: a plan file back into the database, all or nothing.

Everything is written in one transaction, and the evidence files saved on the way are
deleted again if it fails, so a refused file leaves nothing behind. Rows are created with
``bulk_create`` on purpose: their history is the one in the file, not a new "created" row
each (the import itself adds one row to the plan's history, naming the file). Ids are new
here; each kind's code → id map is kept for the kinds after it to point to.
"""

from __future__ import annotations

import zipfile
from contextlib import contextmanager
from pathlib import PurePosixPath

from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError, transaction

from planning import revision
from planning.models import Plan
from scorecard import evidence
from scorecard.backup import members
from scorecard.backup.format import KINDS, BackupError, Result, m2m_names
from scorecard.backup.references import ids_in
from scorecard.models import Evidence

BATCH = 500


def import_plan(source, *, replace: bool = False, user=None, file_name: str = "") -> Result:
    """Create the plan in ``source`` (a zip from ``export_plan``), all or nothing.

    Refuses (:class:`BackupError`) a plan whose code exists, unless ``replace``: then the
    existing plan, its values and evidence are deleted first, in the same transaction.
    """
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as exc:
        raise BackupError(f"archivo: no es un respaldo de plan ({exc})") from exc
    with archive:
        try:
            manifest, data, history = members.read(archive)
        except (KeyError, TypeError, AttributeError) as exc:
            raise BackupError(f"archivo: plan.json incompleto ({exc})") from exc
        restore = _Restore(archive, user=user, file_name=file_name)
        try:
            with transaction.atomic():
                plan = restore.run(manifest, data, history, replace=replace)
                # Rows and history arrive by bulk_create, unseen by the history signal.
                revision.data_changed()
        except (DatabaseError, ValidationError, ValueError, KeyError, TypeError) as exc:
            restore.discard_files()
            raise BackupError(
                f"archivo: contenido no válido ({type(exc).__name__}: {exc})"
            ) from exc
        except BaseException:
            restore.discard_files()
            raise
    return Result(plan, manifest["counts"], restore.warnings)


@contextmanager
def _keeping_timestamps(model):
    """Let ``bulk_create`` store the file's dates instead of "now" in auto_now fields."""
    stamped = [
        f
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in stamped]
    for f in stamped:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, now, now_add in saved:
            f.auto_now, f.auto_now_add = now, now_add


def _hashable(key):
    return tuple(_hashable(k) for k in key) if isinstance(key, list) else key


class _Restore:
    """One import: the ids it has created so far, by model and code, and its warnings."""

    def __init__(self, archive, *, user, file_name: str):
        self.archive, self.user, self.file_name = archive, user, file_name
        self.ids: dict = {}
        self.warnings: list[str] = []
        self.saved_files: list[str] = []
        self.renamed: dict[str, str] = {}
        self.missing_users: set[str] = set()
        self.plan_pk = None

    def run(self, manifest, data, history, *, replace: bool) -> Plan:
        existing = Plan.objects.filter(code=manifest["plan"]).first()
        if existing and not replace:
            raise BackupError(
                f"plan {existing.code}: ya existe en esta instalación; "
                "use --replace para reemplazarlo"
            )
        if existing:
            _delete_plan(existing)
        self.ids = ids_in(data)
        for kind in KINDS:
            if kind.name == "evidence":
                self._files(data["evidence"])
            self._create(kind, data[kind.name])
        for kind in KINDS:
            self._history(kind, history.get(kind.name, []))
        self.warnings += [
            f"usuario {u}: no existe aquí; queda sin usuario" for u in sorted(self.missing_users)
        ]
        return self._mark_import()

    def _create(self, kind, rows) -> None:
        model = kind.model
        objs = [model(**self._fields(model, row)) for row in rows]
        with _keeping_timestamps(model):
            model.objects.bulk_create(objs, batch_size=BATCH)
        self.ids[model] = {_hashable(kind.key_of(r)): o.pk for o, r in zip(objs, rows, strict=True)}
        if kind.name == "plan":
            self.plan_pk = objs[0].pk
        for name in m2m_names(model):
            self._m2m(model._meta.get_field(name), objs, rows)

    def _m2m(self, f, objs, rows) -> None:
        through = f.remote_field.through
        source, target = f.m2m_field_name(), f.m2m_reverse_field_name()
        links = [
            through(**{f"{source}_id": obj.pk, f"{target}_id": self._ref(f, key)})
            for obj, row in zip(objs, rows, strict=True)
            for key in row.get(f.name, [])
        ]
        through.objects.bulk_create(links, batch_size=BATCH)

    def _fields(self, model, row) -> dict:
        values = {}
        for f in model._meta.concrete_fields:
            if f.name == "plan":
                values["plan_id"] = self.plan_pk
            elif f.name in row:
                values[f.attname] = self._value_in(f, row[f.name])
        return values

    def _value_in(self, f, value):
        if f.is_relation:
            return None if value is None else self._ref(f, value)
        if f.name == "file":  # a FileField, or its name in a history row
            return self.renamed.get(value, value)
        return f.to_python(value)

    def _ref(self, f, key):
        found = self.ids[f.related_model].get(_hashable(key))
        if found is None and f.related_model is get_user_model():
            self.missing_users.add(key)
        elif found is None:
            raise BackupError(f"{f.model._meta.label}.{f.name}: {key} no está en el archivo")
        return found

    def _history(self, kind, rows) -> None:
        history = kind.model.history.model
        keys = self.ids[kind.model]
        records = []
        for row in rows:
            record = history(**self._fields(history, row))
            record.id = keys[_hashable(row["object"])]
            records.append(record)
        history.objects.bulk_create(records, batch_size=BATCH)

    def _files(self, rows) -> None:
        limit = evidence.max_bytes()
        for row in rows:
            name = row["file"]
            try:
                info = self.archive.getinfo(f"evidence/{name}")
            except KeyError:
                self.warnings.append(f"evidencia {name}: el archivo no viene en el respaldo")
                continue
            if info.file_size > limit or PurePosixPath(name).is_absolute():
                raise BackupError(f"evidencia {name}: archivo no aceptable")
            try:
                stored = default_storage.save(name, ContentFile(self.archive.read(info)))
            except SuspiciousFileOperation as exc:
                raise BackupError(f"evidencia {name}: nombre no aceptable") from exc
            self.saved_files.append(stored)
            self.renamed[name] = stored

    def _mark_import(self) -> Plan:
        plan = Plan.objects.get(pk=self.plan_pk)
        plan._history_user = self.user
        plan._change_reason = "importado con import_plan" + (
            f": {self.file_name}" if self.file_name else ""
        )
        plan.save()
        return plan

    def discard_files(self) -> None:
        for name in self.saved_files:
            default_storage.delete(name)


def _delete_plan(plan) -> None:
    """Delete a plan for ``--replace``: leaves first (objectives protect their indicators)."""
    files = list(
        Evidence.objects.filter(measurement__indicator__plan=plan).values_list("file", flat=True)
    )
    for kind in reversed(KINDS):
        kind.rows_of(plan).delete()
    transaction.on_commit(lambda: [default_storage.delete(name) for name in files])
