"""Scorecards computed once per state of the data and reused until it changes.

Reading and evaluating a plan of thousands of indicators takes most of a second; directors
open the tablero, the CMI, the map and the JSON many times between two reports. A figure is
kept in this process under what it was computed for and the freshness key of
:mod:`planning.revision` (one small query per request), and computed again only when that
key moved: after any committed write, or in the writing process at once. Entries also
expire after ``SCORECARD_CACHE_SECONDS`` (0 turns the reuse off), so that a change made
outside the app, by SQL by hand, shows within minutes.

What is kept is the computed data, never a rendered page: language, the user and the
filters still apply on every request. Callers must treat it as read-only.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from django.conf import settings

from planning import revision
from planning.models import Plan
from planning.periods import Period
from scorecard.assembly import Scorecard, build_scorecard, evaluate, load_plan_data

#: Scorecards of a large plan take a few MB each; a handful covers the periods people open.
MAX_ENTRIES = 24

_entries: OrderedDict[tuple, tuple[float, object]] = OrderedDict()
_lock = threading.Lock()


def clear() -> None:
    with _lock:
        _entries.clear()


def _reused(key: tuple, compute: Callable[[], object]):
    seconds = getattr(settings, "SCORECARD_CACHE_SECONDS", 0)
    if seconds <= 0:
        return compute()
    key = (*key, revision.current())
    now = time.monotonic()
    with _lock:
        found = _entries.get(key)
        if found is not None and now - found[0] < seconds:
            _entries.move_to_end(key)
            return found[1]
    value = compute()  # outside the lock: two requests may compute alike, never wait
    with _lock:
        _entries[key] = (now, value)
        _entries.move_to_end(key)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return value


def _for(plan: Plan, card: Scorecard) -> Scorecard:
    """The kept scorecard, carrying this request's plan object (not the one it was built with)."""
    return dataclasses.replace(card, plan=plan)


def scorecard(plan: Plan, cutoff: Period | str, *, include_unvalidated=False) -> Scorecard:
    """``assembly.build_scorecard``, reused while the data does not change."""
    cutoff = Period.parse(cutoff)
    card = _reused(
        ("scorecard", plan.pk, cutoff, include_unvalidated),
        lambda: build_scorecard(plan, cutoff, include_unvalidated=include_unvalidated),
    )
    return _for(plan, card)


def scorecards(plan: Plan, periods: list[Period], *, include_unvalidated=False) -> list[Scorecard]:
    """The plan evaluated at each of ``periods`` (read once, up to the latest), reused alike."""
    periods = [Period.parse(p) for p in periods]

    def compute():
        latest = max(periods, key=lambda p: p.sort_key)
        data = load_plan_data(plan, latest, include_unvalidated=include_unvalidated)
        return [evaluate(data, p) for p in periods]

    cards = _reused(("scorecards", plan.pk, tuple(periods), include_unvalidated), compute)
    return [_for(plan, card) for card in cards]
