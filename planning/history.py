"""History rows for writes that model signals never see (PITFALLS 8).

django-simple-history records ``save()`` and ``delete()`` through signals; our imports
write thousands of rows with set-based SQL (``scorecard.imports.bulk``), and those would
leave no trace. After such a write, :func:`record_rows` copies the rows it touched into
the model's history table in one ``INSERT … SELECT``, on SQLite and PostgreSQL alike, inside
the same transaction: the history is exactly what was written, and a failed import leaves
neither rows nor history.

``QuerySet.update()`` is not used on history-tracked models anywhere else; tests in
``tests/test_history.py`` walk every write path and check its history on both databases.
"""

from __future__ import annotations

from django.db import connection
from django.utils import timezone

from planning import revision

CREATED, CHANGED, DELETED = "+", "~", "-"
_OWN = {"history_id", "history_date", "history_change_reason", "history_type", "history_user"}


def record_rows(model, where: str, params=(), *, user=None, reason: str = "", kind=CHANGED):
    """Add a history row, as of now, for every row of ``model`` matching the SQL ``where``.

    ``where`` is a condition on the model's own table (e.g. ``"import_batch_id = %s"``);
    ``user`` is who made the change (``None``: the command line); ``reason`` is kept as the
    change reason shown next to the change.
    """
    history = model.history.model
    columns = [f.column for f in history._meta.concrete_fields if f.name not in _OWN]
    qn = connection.ops.quote_name
    date_field = history._meta.get_field("history_date")
    fixed = [
        date_field.get_db_prep_save(timezone.now(), connection),
        kind,
        getattr(user, "pk", None),
        reason or None,
    ]
    own = ", ".join(
        map(qn, ("history_date", "history_type", "history_user_id", "history_change_reason"))
    )
    copied = ", ".join(qn(c) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {qn(history._meta.db_table)} ({copied}, {own}) "
            f"SELECT {copied}, %s, %s, %s, %s FROM {qn(model._meta.db_table)} WHERE {where}",
            [*fixed, *params],
        )
        written = cursor.rowcount
    revision.data_changed()
    return written


def record_pks(model, pks, **kwargs) -> int:
    """:func:`record_rows` for the rows with these primary keys (in batches the database takes)."""
    pks = list(pks)
    written = 0
    for start in range(0, len(pks), 900):
        batch = pks[start : start + 900]
        marks = ", ".join(["%s"] * len(batch))
        written += record_rows(model, f"id IN ({marks})", batch, **kwargs)
    return written


def record_missing(models, *, user=None, reason: str = "") -> int:
    """A creation record for every row of ``models`` that has none yet.

    Fixtures load with raw saves and demo data with ``bulk_create``, both unseen by the
    signals; this gives each such row its starting point, so that the first real change
    shows a «before».
    """
    written = 0
    for model in models:
        history = model.history.model
        qn = connection.ops.quote_name
        where = f"id NOT IN (SELECT id FROM {qn(history._meta.db_table)})"
        written += record_rows(model, where, user=user, reason=reason, kind=CREATED)
    return written


def tracked_models():
    """Every model whose changes are recorded, in an order where parents come first."""
    from django.apps import apps

    return [m for m in apps.get_models() if hasattr(m, "history") and not m._meta.proxy]
