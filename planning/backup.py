"""A whole plan in one file, between installations: ``export_plan`` and ``import_plan``.

The file is a zip (format ``congope-plan``, version 1, described in docs/backup.md):
``manifest.json`` (format, version, plan code, counts, export time), ``plan.json`` (the
plan and everything in it, every reference written as a code, a username or a list of
codes, never a database id), ``history.json`` (the change history of each of those rows,
keyed the same way) and ``evidence/<stored name>`` (the evidence files).

An import writes everything in one transaction or nothing. Units and GADPs are matched by
code and created when missing; users are matched by username, and a missing one becomes
"nobody" with a warning. Rows are created with ``bulk_create`` on purpose: their history
is the one in the file, not a new "created" row each (the import itself adds one row to
the plan's history, naming the file).

A plan spans both apps (its values and evidence live in ``scorecard``), so the scorecard
models are looked up by label, without importing that app into ``planning``.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import PurePosixPath

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from planning.models import Gadp, Institution, OrgUnit, Plan

FORMAT, VERSION = "congope-plan", 1
#: Fields never written: ids, the plan (implicit), and spreadsheet provenance, which
#: points at import records that stay in the source installation.
SKIPPED = {"id", "history_id", "plan", "import_batch", "import_row"}
MAX_JSON_BYTES = 512 * 1024 * 1024
BATCH = 500


class BackupError(Exception):
    """Why a plan file was refused, in Spanish; nothing was written."""


@dataclass(frozen=True)
class Kind:
    """One list of ``plan.json``: its model, how it reaches the plan, and its key fields."""

    name: str
    label: str
    plan_path: str
    key: tuple[str, ...] = ("code",)

    @property
    def model(self):
        return apps.get_model(self.label)

    def rows_of(self, plan):
        return self.model.objects.filter(**{self.plan_path: plan.pk}).order_by("pk")

    def key_of(self, row: dict):
        values = [row[name] for name in self.key]
        return values[0] if len(values) == 1 else values


#: In dependency order: every reference points to an earlier kind (or a unit, GADP, user).
KINDS = (
    Kind("plan", "planning.Plan", "pk"),
    Kind("principles", "planning.Principle", "plan"),
    Kind("policies", "planning.InstitutionalPolicy", "plan"),
    Kind("perspectives", "planning.Perspective", "plan"),
    Kind("objectives", "planning.StrategicObjective", "plan"),
    Kind("links", "planning.ObjectiveLink", "cause__plan", ("cause", "effect")),
    Kind("strategies", "planning.Strategy", "plan"),
    Kind("results", "planning.ExpectedResult", "plan"),
    Kind("indicators", "planning.Indicator", "plan"),
    Kind("targets", "planning.Target", "indicator__plan", ("indicator", "period")),
    Kind(
        "measurements", "scorecard.Measurement", "indicator__plan", ("indicator", "period", "gadp")
    ),
    Kind("evidence", "scorecard.Evidence", "measurement__indicator__plan", ("file",)),
    Kind("closed_periods", "scorecard.ClosedPeriod", "plan", ("period",)),
)


@dataclass
class Result:
    plan: Plan
    counts: dict[str, int]
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return ", ".join(f"{name} {n}" for name, n in self.counts.items())


# --- export --------------------------------------------------------------------------------


def export_plan(plan: Plan, destination) -> Result:
    """Write ``plan`` with everything in it to the zip file ``destination`` (path or file)."""
    refs = _export_refs(plan)
    data = {
        "institution": _plain(plan.institution, ("code", "name", "acronym")),
        "units": _units_out(plan.institution),
        "gadps": [_plain(g, ("code", "province")) for g in Gadp.objects.order_by("code")],
    }
    for kind in KINDS:
        objects = list(kind.rows_of(plan).prefetch_related(*_m2m_names(kind.model)))
        data[kind.name] = [_row_out(obj, refs, strict=True) for obj in objects]
        keys = (kind.key_of(row) for row in data[kind.name])
        refs[kind.model] = {obj.pk: key for obj, key in zip(objects, keys, strict=True)}
    history = {kind.name: _history_out(kind, plan, refs) for kind in KINDS}
    result = Result(plan, {kind.name: len(data[kind.name]) for kind in KINDS})
    result.counts["history"] = sum(len(rows) for rows in history.values())
    data["plan"] = data["plan"][0]
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "plan": plan.code,
        "exported_at": timezone.now().isoformat(),
        "counts": result.counts,
    }
    with zipfile.ZipFile(destination, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("plan.json", _dumps(data))
        archive.writestr("history.json", _dumps(history))
        result.counts["evidence_files"] = _evidence_out(archive, data["evidence"], result)
        archive.writestr("manifest.json", _dumps(manifest))
    return result


def _dumps(content) -> str:
    return json.dumps(content, ensure_ascii=False, indent=1)


def _plain(obj, names) -> dict:
    return {name: getattr(obj, name) for name in names}


def _units_out(institution) -> list[dict]:
    """The institution's units, each after its parent, so that an import can create them."""
    units = list(OrgUnit.objects.filter(institution=institution).order_by("order", "code"))
    code_of = {u.pk: u.code for u in units}
    ordered, placed = [], {None}
    while len(ordered) < len(units):
        ready = [u for u in units if u.parent_id in placed and u.pk not in placed]
        if not ready:  # a parent in another institution: keep the rest as roots
            ready = [u for u in units if u.pk not in placed]
        ordered += ready
        placed |= {u.pk for u in ready}
    return [
        {**_plain(u, ("code", "name", "kind", "order")), "parent": code_of.get(u.parent_id)}
        for u in ordered
    ]


def _export_refs(plan) -> dict:
    """How each referenced model is written: id → code (or username)."""
    users = get_user_model().objects.values_list("pk", get_user_model().USERNAME_FIELD)
    return {
        Institution: {plan.institution_id: plan.institution.code},
        OrgUnit: dict(
            OrgUnit.objects.filter(institution=plan.institution).values_list("pk", "code")
        ),
        Gadp: dict(Gadp.objects.values_list("pk", "code")),
        get_user_model(): dict(users),
    }


def _m2m_names(model) -> list[str]:
    return [f.name for f in model._meta.many_to_many if f.remote_field.through._meta.auto_created]


def _row_out(obj, refs, *, strict: bool) -> dict:
    row = {}
    for f in obj._meta.concrete_fields:
        if f.name not in SKIPPED:
            row[f.name] = _value_out(f, obj, refs, strict)
    for name in _m2m_names(type(obj)):
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


# --- import --------------------------------------------------------------------------------


def import_plan(source, *, replace: bool = False, user=None, file_name: str = "") -> Result:
    """Create the plan in ``source`` (a zip from :func:`export_plan`), all or nothing.

    Refuses (:class:`BackupError`) a plan whose code exists, unless ``replace``: then the
    existing plan, its values and evidence are deleted first, in the same transaction.
    """
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as exc:
        raise BackupError(f"archivo: no es un respaldo de plan ({exc})") from exc
    with archive:
        try:
            manifest, data, history = _read(archive)
        except (KeyError, TypeError, AttributeError) as exc:
            raise BackupError(f"archivo: plan.json incompleto ({exc})") from exc
        restore = _Restore(archive, user=user, file_name=file_name)
        try:
            with transaction.atomic():
                plan = restore.run(manifest, data, history, replace=replace)
        except (DatabaseError, ValidationError, ValueError, KeyError, TypeError) as exc:
            restore.discard_files()
            raise BackupError(
                f"archivo: contenido no válido ({type(exc).__name__}: {exc})"
            ) from exc
        except BaseException:
            restore.discard_files()
            raise
    return Result(plan, manifest["counts"], restore.warnings)


def _read(archive) -> tuple[dict, dict, dict]:
    manifest = _json(archive, "manifest.json")
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise BackupError(
            f"archivo: formato {manifest.get('format')!r} versión {manifest.get('version')!r}; "
            f"se espera {FORMAT!r} versión {VERSION}"
        )
    data, history = _json(archive, "plan.json"), _json(archive, "history.json")
    found = {kind.name: len(data[kind.name]) for kind in KINDS if kind.name != "plan"}
    expected = {name: n for name, n in manifest["counts"].items() if name in found}
    if found != expected or data["plan"].get("code") != manifest.get("plan"):
        raise BackupError("archivo: plan.json no coincide con el manifiesto")
    data["plan"] = [data["plan"]]
    return manifest, data, history


def _json(archive, name: str) -> dict:
    try:
        info = archive.getinfo(name)
    except KeyError as exc:
        raise BackupError(f"archivo: falta {name}") from exc
    if info.file_size > MAX_JSON_BYTES:
        raise BackupError(f"archivo: {name} es demasiado grande")
    try:
        return json.loads(archive.read(info))
    except (ValueError, zipfile.BadZipFile) as exc:
        raise BackupError(f"archivo: {name} no es JSON válido ({exc})") from exc


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
        self._references(data)
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

    def _references(self, data) -> None:
        values = data["institution"]
        institution, _ = Institution.objects.get_or_create(
            code=values["code"], defaults={"name": values["name"], "acronym": values["acronym"]}
        )
        User = get_user_model()
        self.ids = {
            Institution: {institution.code: institution.pk},
            OrgUnit: _units_in(institution, data["units"]),
            Gadp: _gadps_in(data["gadps"]),
            User: {name: pk for pk, name in User.objects.values_list("pk", User.USERNAME_FIELD)},
        }

    def _create(self, kind, rows) -> None:
        model = kind.model
        objs = [model(**self._fields(model, row)) for row in rows]
        with _keeping_timestamps(model):
            model.objects.bulk_create(objs, batch_size=BATCH)
        self.ids[model] = {_hashable(kind.key_of(r)): o.pk for o, r in zip(objs, rows, strict=True)}
        if kind.name == "plan":
            self.plan_pk = objs[0].pk
        for name in _m2m_names(model):
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
        limit = getattr(settings, "EVIDENCE_MAX_BYTES", 10 * 1024 * 1024)
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


def _units_in(institution, rows) -> dict:
    """Code → id of the institution's units, creating (parents first) the missing ones."""
    ids = dict(OrgUnit.objects.filter(institution=institution).values_list("code", "pk"))
    for row in rows:
        if row["code"] not in ids:
            unit = OrgUnit(
                institution=institution,
                parent_id=ids.get(row["parent"]),
                **{k: row[k] for k in ("code", "name", "kind", "order")},
            )
            unit._change_reason = "creada por import_plan"
            unit.save()
            ids[unit.code] = unit.pk
    return ids


def _gadps_in(rows) -> dict:
    ids = dict(Gadp.objects.values_list("code", "pk"))
    for row in rows:
        if row["code"] not in ids:
            ids[row["code"]] = Gadp.objects.create(code=row["code"], province=row["province"]).pk
    return ids


def _delete_plan(plan) -> None:
    """Delete a plan for ``--replace``: leaves first (objectives protect their indicators)."""
    evidence = apps.get_model("scorecard.Evidence")
    files = list(
        evidence.objects.filter(measurement__indicator__plan=plan).values_list("file", flat=True)
    )
    for kind in reversed(KINDS):
        kind.rows_of(plan).delete()
    transaction.on_commit(lambda: [default_storage.delete(name) for name in files])
