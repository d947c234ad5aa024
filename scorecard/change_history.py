"""The change history of an indicator as people read it: who changed what, when and why.

Read from django-simple-history's tables (every write path records there, imports
included: ``planning.history``), in a fixed number of queries.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.utils import formats
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext as _
from simple_history.models import DeletedObject

from planning.models import Indicator, Target
from scorecard.formatting import plain
from scorecard.models import Measurement

HISTORY_LIMIT = 50
# Who and when are the history row's own; these only move with every save.
_NOT_DIFFED = [
    *("id", "plan", "indicator", "gadp", "version", "updated_at", "import_batch", "import_row"),
    *("reported_by", "reported_at", "validated_by", "validated_at"),
]


@dataclass
class HistoryEntry:
    """One change of the indicator, a target or a value: when, who, what, and why."""

    when: datetime.datetime
    who: str
    what: str
    kind: str  # "+" created, "~" changed, "-" deleted
    changes: list[tuple[str, str, str]]  # (field label, before, after)
    first: bool  # a change with no earlier record to compare against
    reason: str


def indicator_history(indicator: Indicator, *, unvalidated: bool) -> list[HistoryEntry]:
    """The newest changes of the indicator, its targets and its own values (three queries).

    Without ``unvalidated`` (the access helper's answer), a value's history shows only its
    validated states, each compared with the validated state before it.
    """
    values = {"indicator_id": indicator.pk, "gadp__isnull": True}
    if not unvalidated:
        values["status"] = Measurement.Status.VALIDATED
    sources = [
        (Indicator, {"id": indicator.pk}, ("objective", "result", "responsible_unit")),
        (Target, {"indicator_id": indicator.pk}, ()),
        (Measurement, values, ()),
    ]
    entries = [e for model, where, links in sources for e in _entries(model, where, links)]
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:HISTORY_LIMIT]


def _records(model, where: dict, links) -> list:
    """The newest history rows matching ``where`` and, for each, the row before it."""
    rows = model.history.filter(**where)
    newest = rows.order_by("-history_date", "-history_id").values("history_id")[:HISTORY_LIMIT]
    before = (
        rows.filter(id=OuterRef("id"))
        .filter(
            Q(history_date__lt=OuterRef("history_date"))
            | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id"))
        )
        .order_by("-history_date", "-history_id")
        .values("history_id")[:1]
    )
    earlier = rows.filter(history_id__in=newest).annotate(prev=Subquery(before)).values("prev")
    wanted = Q(history_id__in=newest) | Q(history_id__in=earlier)
    return list(model.history.filter(wanted).select_related("history_user", *links))


def _entries(model, where: dict, links) -> list[HistoryEntry]:
    records = sorted(_records(model, where, links), key=lambda r: (r.history_date, r.history_id))
    last_seen, entries = {}, []
    for record in records:
        entries.append(_entry(model, record, last_seen.get(record.id)))
        last_seen[record.id] = record
    newest = sorted(entries, key=lambda e: e.when, reverse=True)[:HISTORY_LIMIT]
    return [e for e in newest if e.kind != "~" or e.changes or e.first or e.reason]


def _entry(model, record, previous) -> HistoryEntry:
    changes = []
    if record.history_type == "~" and previous is not None:
        delta = record.diff_against(
            previous, excluded_fields=_NOT_DIFFED, foreign_keys_are_objs=True
        )
        for change in delta.changes:
            field = record._meta.get_field(change.field)
            label = capfirst(field.verbose_name)
            changes.append((label, _shown(field, change.old), _shown(field, change.new)))
    user = record.history_user
    return HistoryEntry(
        when=record.history_date,
        who=(user.get_full_name() or user.get_username()) if user else _("sistema"),
        what=_history_subject(model, record),
        kind=record.history_type,
        changes=changes,
        first=record.history_type == "~" and previous is None,
        reason=record.history_change_reason or "",
    )


def _history_subject(model, record) -> str:
    if model is Target:
        return _("Meta %(period)s") % {"period": record.period}
    if model is Measurement:
        return _("Valor %(period)s") % {"period": record.period}
    return _("Indicador")


def _shown(field: models.Field, value) -> str:
    """A historical value as a person reads it: labels, Sí/No, plain numbers; — for empty."""
    if isinstance(value, DeletedObject):
        return _("(eliminado)") if value.pk is not None else "—"
    if value is None or value == "":
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Sí") if value else _("No")
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return Truncator(str(value)).chars(160)
