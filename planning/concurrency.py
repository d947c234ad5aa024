"""No lost updates in the plan's editing forms (PITFALLS 9).

A form that shows stored data also carries a *version token*: the values it showed,
signed. On save, inside ``transaction.atomic`` and after locking the row (:func:`lock`),
the writer calls :func:`check` with the values stored now; when someone else changed any
of them meanwhile, :class:`Conflict` lists each change (field, the value the user saw, the
current value) with who made the last change and when, from the history, and nothing is
written.

The token carries the values themselves rather than a history id or a hash, so that the
refusal can say what the user saw, many-to-many fields included (the history does not keep
them); the signature keeps a hand-made token from hiding someone else's change.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core import signing
from django.db import models
from django.utils import formats
from django.utils.text import capfirst
from django.utils.translation import gettext as _

SALT = "planning.concurrency"
EMPTY = "—"


def canonical(value):
    """A stored value as JSON keeps it, equal for equal values (``1.50`` and ``1.5`` are one)."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def snapshot(obj: models.Model, names: Iterable[str]) -> dict[str, object]:
    """The stored values of the fields ``names`` of ``obj`` (many-to-many: sorted ids)."""
    values = {}
    for name in names:
        model_field = obj._meta.get_field(name)
        if model_field.many_to_many:
            ids = getattr(obj, name).values_list("pk", flat=True) if obj.pk else []
            values[name] = sorted(ids)
        else:
            values[name] = canonical(getattr(obj, model_field.attname))
    return values


def editable_fields(model) -> list[str]:
    """Every field of ``model`` a person could change (what a delete confirmation shows)."""
    return [f.name for f in model._meta.concrete_fields if not f.primary_key]


def token(values: dict) -> str:
    return signing.dumps(values, salt=SALT, compress=True)


def read_token(text: str | None) -> dict | None:
    """The values a token carries; None when it is missing or was not made by us."""
    try:
        return signing.loads(text or "", salt=SALT)
    except signing.BadSignature:
        return None


@dataclass(frozen=True)
class Change:
    """One value someone else changed since the form was shown."""

    label: str
    seen: str
    current: str


@dataclass
class Conflict(Exception):
    """The data changed since the user opened the form: nothing was saved."""

    changes: list[Change] = field(default_factory=list)
    changed_by: object = None
    changed_at: datetime.datetime | None = None

    def __str__(self):
        return _(
            "Otra persona cambió estos datos mientras usted los editaba: no se guardó nada. "
            "Revise los valores actuales y vuelva a intentarlo."
        )


def check(
    seen_token: str | None,
    current: dict,
    *,
    label: Callable[[str], str],
    show: Callable[[str, object], str],
    history: models.QuerySet,
) -> None:
    """Raise :class:`Conflict` unless ``current`` holds exactly the values the token showed.

    ``label`` names a key for people and ``show`` writes one of its values; the latest row
    of ``history`` says who changed the data last and when. A missing or forged token is a
    conflict too: what the user saw cannot be told.
    """
    seen = read_token(seen_token)
    if seen == current:
        return
    changes = []
    if seen is not None:
        keys = [*current, *(k for k in seen if k not in current)]
        changes = [
            Change(label(k), show(k, seen.get(k)), show(k, current.get(k)))
            for k in keys
            if seen.get(k) != current.get(k)
        ]
    latest = history.select_related("history_user").order_by("-history_id").first()
    raise Conflict(
        changes,
        changed_by=latest.history_user if latest else None,
        changed_at=latest.history_date if latest else None,
    )


def lock(obj: models.Model) -> models.Model:
    """The row of ``obj`` as stored now, locked until the transaction ends.

    Raises ``DoesNotExist`` when someone deleted it meanwhile.
    """
    return type(obj)._default_manager.select_for_update().get(pk=obj.pk)


def object_token(obj: models.Model, names: Iterable[str]) -> str:
    return token(snapshot(obj, names))


def check_object(obj: models.Model, names: Iterable[str], seen_token: str | None) -> None:
    """:func:`check` for one locked instance, labelled by its fields' verbose names."""
    opts = obj._meta
    check(
        seen_token,
        snapshot(obj, names),
        label=lambda name: str(capfirst(opts.get_field(name).verbose_name)),
        show=lambda name, value: show_field(opts.get_field(name), value),
        history=obj.history.all(),
    )


def show_number(value) -> str:
    """A stored number as people write it here (``80,5`` in Spanish), no trailing zeros."""
    if value is None or value == "":
        return EMPTY
    return formats.number_format(Decimal(value).normalize())


def show_field(model_field, value) -> str:
    """One canonical value of ``model_field`` as the form showed it."""
    if value is None or value == "" or value == []:
        return EMPTY
    if model_field.is_relation:
        ids = value if isinstance(value, list) else [value]
        found = model_field.related_model._default_manager.in_bulk(ids)
        return ", ".join(str(found[i]) if i in found else _("(eliminado)") for i in ids)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.BooleanField):
        return _("Sí") if value else _("No")
    if isinstance(model_field, models.DecimalField):
        return show_number(value)
    if isinstance(model_field, models.DateField):
        return formats.date_format(datetime.date.fromisoformat(value), "SHORT_DATE_FORMAT")
    return str(value)
