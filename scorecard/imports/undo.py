"""Undo an import, as long as what it wrote has not been changed since.

The rows an import wrote are found by their history: the importers write one history row
per row they create or update, with the change reason ``importación #<pk>: <file>``
(``ImportBatch.change_reason``). For each of them, if its latest history row is still the
import's (or holds the same values: a later import over it was undone), the undo restores
the state of the history row just before the import's (every column, as stored), or
deletes the row when the import created it. If any row has changed since (a later report,
validation, import, or deletion), or its earlier state is unknown (rows loaded before
history existed), nothing is undone and the refusal names the rows.

Set-based like the imports (a file may hold 100,000 rows): a fixed number of queries
whatever the size, the restore is one ``UPDATE … FROM`` the history table, the deletion one
``DELETE``, and their history rows one ``INSERT … SELECT`` each (``planning.history``),
with the reason ``deshecha la importación #<pk>``; all in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone

from planning import access
from planning.history import CHANGED, DELETED, record_rows
from planning.models import Indicator, Target
from scorecard.imports.bulk import insert_values
from scorecard.models import Evidence, ImportBatch, Measurement
from scorecard.workflow import closed_periods, is_closed

MODELS = {
    ImportBatch.Kind.MEASUREMENTS: Measurement,
    ImportBatch.Kind.TARGETS: Target,
    ImportBatch.Kind.INDICATORS: Indicator,
}
#: Rows named in a refusal; the rest are counted.
NAMED = 20
TEMP_TABLE = "import_undo_ids"
#: Columns that move on every write without changing what a row says.
NOT_VALUES = {"version", "updated_at"}
CHUNK = 500


class UndoRefused(Exception):
    """The import cannot be undone; the message (Spanish) says why and names the rows."""


@dataclass
class UndoResult:
    restored: int
    deleted: int


def undo_reason(batch: ImportBatch) -> str:
    return f"deshecha la importación #{batch.pk}"


def import_undo(*, batch: ImportBatch, user) -> UndoResult:
    """Undo ``batch`` for ``user`` (who may: ``access.can_undo_import``), all or nothing.

    Raises :class:`UndoRefused` when it was undone already, when a row changed since, or
    (for someone not in planning) when one of its periods has been closed meanwhile.
    """
    try:
        with transaction.atomic():
            locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
            if locked.undone_at is not None:
                raise UndoRefused(f"la importación #{batch.pk} ya fue deshecha")
            result = _undo(locked, user)
            locked.undone_at, locked.undone_by = timezone.now(), user
            locked.save(update_fields=["undone_at", "undone_by"])
    except IntegrityError:
        raise UndoRefused(
            "otros datos dependen de filas que la importación creó; no se deshizo nada"
        ) from None
    batch.undone_at, batch.undone_by = locked.undone_at, locked.undone_by
    return result


def _undo(batch: ImportBatch, user) -> UndoResult:
    model = MODELS[batch.kind]
    history = model.history.model.objects
    records = history.filter(history_change_reason__startswith=f"importación #{batch.pk}:")
    if model is Measurement:  # indexed: narrows the search before the reason is compared
        records = records.filter(import_batch_id=batch.pk)
    written = list(records.order_by().values_list("id", "history_id", "history_type"))
    if model is not Indicator and not access.can_validate(user):
        _check_open(batch, records)
    latest = dict(
        history.filter(id__in=records.order_by().values("id"))
        .order_by()
        .values("id")
        .annotate(last=Max("history_id"))
        .values_list("id", "last")
    )
    moved = [(hid, latest.get(pk)) for pk, hid, _kind in written if latest.get(pk) != hid]
    changed = {hid for hid, _last in moved} - _written_back(model, moved)
    created = [pk for pk, hid, kind in written if kind == "+" and hid not in changed]
    changed |= _depended_on(model, records, created, written)
    if changed:
        raise UndoRefused(_changed_message(batch, model, changed))
    previous = _previous(history, records)
    unknown = [hid for hid, before in previous.items() if before is None]
    if unknown:
        raise UndoRefused(_unknown_message(batch, model, unknown))
    restored = _restore(model, list(previous.values()), user, undo_reason(batch))
    deleted = _delete(model, created, user, undo_reason(batch))
    return UndoResult(restored, deleted)


def _written_back(model, moved: list[tuple[int, int | None]]) -> set[int]:
    """Import history ids whose row was written again since but holds the very values the
    import wrote (a later import, undone): its values have not changed since."""
    names = [f.attname for f in model._meta.concrete_fields if f.name not in NOT_VALUES]
    history = model.history.model.objects
    ids = [h for pair in moved for h in pair if h is not None]
    found = {}
    for start in range(0, len(ids), CHUNK):
        rows = history.filter(history_id__in=ids[start : start + CHUNK])
        for hid, kind, *values in rows.values_list("history_id", "history_type", *names):
            found[hid] = (kind, values)
    return {
        mine
        for mine, last in moved
        if last in found and found[last][0] != DELETED and found[last][1] == found[mine][1]
    }


def _check_open(batch, records) -> None:
    closed = closed_periods(batch.plan)
    periods = sorted(set(records.order_by().values_list("period", flat=True)))
    shut = [period for period in periods if is_closed(batch.plan, period, closed)]
    if shut:
        raise UndoRefused(
            f"el periodo {shut[0]} está cerrado: solo Planificación puede deshacer esta importación"
        )


def _depended_on(model, records, created: list[int], written) -> set[int]:
    """History ids of created rows that something else now points to (their evidence, an
    indicator's targets and values): deleting them would delete that too."""
    if not created:
        return set()
    ids = records.filter(history_type="+").order_by().values("id")
    if model is Measurement:
        dependents = [(Evidence, "measurement_id")]
    elif model is Indicator:
        dependents = [(Target, "indicator_id"), (Measurement, "indicator_id")]
    else:
        return set()
    used, mine = set(), set(created)
    for dependent, column in dependents:
        used.update(
            dependent.objects.filter(**{f"{column}__in": ids}).values_list(column, flat=True)
        )
    return {hid for pk, hid, _kind in written if pk in used and pk in mine}


def _previous(history, records) -> dict[int, int | None]:
    """For each row the import changed: its import history id → the history id before it."""
    before = history.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id"))
    rows = (
        records.filter(history_type=CHANGED)
        .order_by()
        .annotate(before=Subquery(before.order_by("-history_id").values("history_id")[:1]))
        .values_list("history_id", "before")
    )
    return dict(rows)


# --- messages -------------------------------------------------------------------------


def _labels(model, history_ids) -> list[str]:
    rows = model.history.model.objects.filter(history_id__in=sorted(history_ids)[:NAMED])
    if model is Indicator:
        return sorted(rows.values_list("code", flat=True))
    if model is Target:
        return sorted(f"{c} {p}" for c, p in rows.values_list("indicator__code", "period"))
    return sorted(
        f"{c} {p}" + (f" GADP {g}" if g else "")
        for c, p, g in rows.values_list("indicator__code", "period", "gadp__code")
    )


def _listed(model, history_ids) -> str:
    text = ", ".join(_labels(model, history_ids))
    rest = len(history_ids) - NAMED
    return f"{text} y {rest} más" if rest > 0 else text


def _changed_message(batch, model, history_ids) -> str:
    return (
        f"no se puede deshacer la importación #{batch.pk}: estos datos cambiaron después: "
        f"{_listed(model, history_ids)}"
    )


def _unknown_message(batch, model, history_ids) -> str:
    return (
        f"no se puede deshacer la importación #{batch.pk}: no se conoce el estado anterior "
        f"de {_listed(model, history_ids)}"
    )


# --- writing --------------------------------------------------------------------------


def _fill(cursor, ids: list[int]) -> None:
    qn = connection.ops.quote_name
    cursor.execute(f"CREATE TEMPORARY TABLE {qn(TEMP_TABLE)} (id bigint PRIMARY KEY)")
    insert_values(cursor, f"{qn(TEMP_TABLE)} (id)", 1, ((i,) for i in ids))


def _restore(model, history_ids: list[int], user, reason: str) -> int:
    """Every column of each row back to its history row ``history_ids`` (one statement)."""
    if not history_ids:
        return 0
    qn = connection.ops.quote_name
    table, temp = qn(model._meta.db_table), qn(TEMP_TABLE)
    history = qn(model.history.model._meta.db_table)
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    assignments, params = [], []
    for f in fields:
        column = qn(f.column)
        if f.name == "version":  # the optimistic lock moves on: open forms must reload
            assignments.append(f"{column} = {table}.{column} + 1")
        elif f.name == "updated_at":
            assignments.append(f"{column} = %s")
            params.append(f.get_db_prep_save(timezone.now(), connection))
        else:
            assignments.append(f"{column} = h.{column}")
    rows = f"SELECT h.id FROM {history} h WHERE h.history_id IN (SELECT id FROM {temp})"
    with connection.cursor() as cursor:
        _fill(cursor, history_ids)
        cursor.execute(
            f"UPDATE {table} SET {', '.join(assignments)} FROM {history} h "
            f"WHERE h.history_id IN (SELECT id FROM {temp}) AND {table}.id = h.id",
            params,
        )
        count = cursor.rowcount
        record_rows(model, f"id IN ({rows})", user=user, reason=reason, kind=CHANGED)
        cursor.execute(f"DROP TABLE {temp}")
    return count


def _delete(model, pks: list[int], user, reason: str) -> int:
    """Delete the rows the import created, with their history row (one statement each)."""
    if not pks:
        return 0
    qn = connection.ops.quote_name
    table, temp = qn(model._meta.db_table), qn(TEMP_TABLE)
    with connection.cursor() as cursor:
        _fill(cursor, pks)
        where = f"id IN (SELECT id FROM {temp})"
        record_rows(model, where, user=user, reason=reason, kind=DELETED)
        cursor.execute(f"DELETE FROM {table} WHERE {where}")
        count = cursor.rowcount
        cursor.execute(f"DROP TABLE {temp}")
    tables = [rel.related_model._meta.db_table for rel in model._meta.related_objects]
    connection.check_constraints(table_names=tables)  # now, not at commit
    return count
