"""Whether the plans' data changed since a figure was computed.

Every write the scorecard can see leaves a history row: django-simple-history's signal for
ordinary saves and deletes, :mod:`planning.history` for the set-based imports (and
``tests/test_history.py`` walks every write path). Each of them calls :func:`data_changed`,
which (1) counts the change in this process at once, so that this process never reuses a
figure computed before it, even inside the writing transaction, and (2) once the
transaction commits, gives the shared row a new random token, so that every other process
learns it with one small query (:func:`current`).

Why after the commit: a token changed before the data is visible could let another process
compute old figures under the new token and keep them. Changed after, the worst case is a
figure computed from the new data under the old token, dropped as soon as the token moves.
A random token (not a counter) never comes back after a rollback.
"""

from __future__ import annotations

import secrets
import threading

from django.db import IntegrityError, transaction

from planning.models import DataRevision

_ROW = 1
_local = {"changes": 0}
_lock = threading.Lock()


def current() -> tuple[str, int]:
    """The shared token and this process's count of changes: a figure's freshness key."""
    token = DataRevision.objects.filter(pk=_ROW).values_list("token", flat=True).first()
    return token or "", _local["changes"]


def data_changed(**_signal_kwargs) -> None:
    """Note a write to the plans' data (a signal receiver too, hence the keyword arguments)."""
    with _lock:
        _local["changes"] += 1
    transaction.on_commit(_new_token)


def _new_token() -> None:
    token = secrets.token_hex(16)
    if DataRevision.objects.filter(pk=_ROW).update(token=token):
        return
    try:
        with transaction.atomic():
            DataRevision.objects.create(pk=_ROW, token=token)
    except IntegrityError:  # another process created it meanwhile
        DataRevision.objects.filter(pk=_ROW).update(token=token)
