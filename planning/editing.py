"""Writes of the plan's editing pages: elements with their relations, and targets grids.

Every write runs in one transaction, locks what it changes, compares it with what the
form showed (:mod:`planning.concurrency`) and saves through ``save()``/``delete()`` with
``_history_user`` (and ``_change_reason`` where there is one), so that each change leaves a
history row naming who and why. Nothing here uses ``QuerySet.update()`` (PITFALLS 8).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.forms.models import construct_instance
from django.utils.translation import gettext as _
from django.utils.translation import ngettext_lazy

from planning import concurrency
from planning.models import (
    ExpectedResult,
    Indicator,
    ObjectiveLink,
    OrgUnit,
    Perspective,
    Plan,
    StrategicObjective,
    Target,
)


def history_reason(*pieces: str | None) -> str | None:
    """The reason a history row keeps: the given pieces joined (the column is a text)."""
    text = "; ".join(p.strip() for p in pieces if p and p.strip())
    return text or None


def _record(obj: models.Model, user, reason: str | None) -> models.Model:
    obj._history_user = user
    obj._change_reason = reason
    return obj


# --- elements ----------------------------------------------------------------------------


@transaction.atomic
def element_save(*, user, form) -> models.Model:
    """Create or change the element of a valid ``ElementForm``, with its relations.

    A stored element is locked and compared with what the form showed; the form's values
    are then applied to the row as stored now. Raises ``concurrency.Conflict`` when someone
    changed it meanwhile, ``DoesNotExist`` when someone deleted it, and ``IntegrityError``
    when the database refuses the values (the caller explains it on the form).
    """
    element = form.instance
    if element.pk:
        element = concurrency.lock(element)
        concurrency.check_object(element, form.watched, form.cleaned_data.get("version"))
        construct_instance(form, element, fields=form.watched)
    summary = _relation_summary(element, form)
    _record(element, user, history_reason(form.cleaned_data.get("reason"), *summary))
    element.save()
    for name in form.relations:
        wanted = list(form.cleaned_data[name])
        if name == "effects":
            _set_links(element, wanted, user)
        else:
            getattr(element, name).set(wanted)
    return element


def _label(obj) -> str:
    return getattr(obj, "code", None) or str(obj)


def _relation_summary(element, form) -> list[str]:
    """How the many-to-many fields change, for the history (which does not keep them)."""
    lines = []
    for name in form.relations:
        before = {o.pk: o for o in getattr(element, name).all()} if element.pk else {}
        after = {o.pk: o for o in form.cleaned_data[name]}
        added = [f"+{_label(o)}" for pk, o in after.items() if pk not in before]
        removed = [f"−{_label(o)}" for pk, o in before.items() if pk not in after]
        if added or removed:
            label = element._meta.get_field(name).verbose_name
            lines.append(f"{label}: {' '.join(added + removed)}")
    return lines


def _set_links(objective: StrategicObjective, effects: list, user) -> None:
    """Cause-effect arrows one by one, so that each has its own history row."""
    current = {link.effect_id: link for link in objective.effect_links.all()}
    wanted = {effect.pk for effect in effects}
    for effect_id, link in current.items():
        if effect_id not in wanted:
            _record(link, user, None).delete()
    for effect in effects:
        if effect.pk not in current:
            _record(ObjectiveLink(cause=objective, effect=effect), user, None).save()


class Refused(ValidationError):
    """A deletion that would take other data with it."""


# accessor → how many of them, in words. ``measurements`` is the scorecard's reverse name.
DEPENDENTS = {
    Perspective: [("objectives", ngettext_lazy("%(n)d objetivo", "%(n)d objetivos", "n"))],
    StrategicObjective: [
        ("indicators", ngettext_lazy("%(n)d indicador", "%(n)d indicadores", "n")),
        ("strategy_set", ngettext_lazy("%(n)d estrategia", "%(n)d estrategias", "n")),
        (
            "expectedresult_set",
            ngettext_lazy("%(n)d resultado esperado", "%(n)d resultados esperados", "n"),
        ),
    ],
    ExpectedResult: [("indicators", ngettext_lazy("%(n)d indicador", "%(n)d indicadores", "n"))],
    Indicator: [
        ("measurements", ngettext_lazy("%(n)d valor reportado", "%(n)d valores reportados", "n"))
    ],
    OrgUnit: [
        ("children", ngettext_lazy("%(n)d unidad dependiente", "%(n)d unidades dependientes", "n")),
        ("indicators", ngettext_lazy("%(n)d indicador a cargo", "%(n)d indicadores a cargo", "n")),
        ("objectives", ngettext_lazy("%(n)d objetivo a cargo", "%(n)d objetivos a cargo", "n")),
        ("members", ngettext_lazy("%(n)d miembro", "%(n)d miembros", "n")),
    ],
}


def dependents(element: models.Model) -> list[str]:
    """What depends on ``element`` and would be lost with it, in words (empty: none)."""
    found = []
    for accessor, words in DEPENDENTS.get(type(element), []):
        count = getattr(element, accessor).count()
        if count:
            found.append(words % {"n": count})
    return found


def parts(element: models.Model) -> list[models.Model]:
    """What goes with ``element`` by design: an indicator's targets, an objective's arrows."""
    if isinstance(element, Indicator):
        return list(element.targets.all())
    if isinstance(element, StrategicObjective):
        return [*element.effect_links.all(), *element.cause_links.all()]
    return []


@transaction.atomic
def element_delete(*, user, element: models.Model, seen: str | None, reason: str = "") -> None:
    """Delete an element the user saw as it is stored, unless other data depends on it.

    Raises ``Refused`` naming what depends on it, ``concurrency.Conflict`` when it changed
    since the confirmation was shown, ``DoesNotExist`` when it is already gone.
    """
    element = concurrency.lock(element)
    concurrency.check_object(element, concurrency.editable_fields(type(element)), seen)
    blocking = dependents(element)
    if blocking:
        raise Refused(refusal(element, blocking))
    why = history_reason(reason)
    for part in parts(element):
        _record(part, user, why).delete()
    _record(element, user, why).delete()


def refusal(element, blocking: list[str]) -> str:
    return _(
        "No se puede eliminar «%(element)s»: tiene %(what)s. Elimínelos o reasígnelos antes."
    ) % {"element": _label(element), "what": ", ".join(str(b) for b in blocking)}


# --- targets grid ------------------------------------------------------------------------


def grid_snapshot(targets: Iterable[Target]) -> dict[str, object]:
    """The stored targets of one indicator as the grid's version token covers them."""
    values = {}
    for target in sorted(targets, key=lambda t: t.period):
        values[f"{target.period}:meta"] = concurrency.canonical(target.value)
        values[f"{target.period}:max"] = concurrency.canonical(target.value_max)
    return values


def _grid_label(key: str) -> str:
    period, part = key.split(":")
    if part == "max":
        return _("Meta máxima %(period)s") % {"period": period}
    return _("Meta %(period)s") % {"period": period}


@dataclass
class GridOutcome:
    """How many cells a grid save wrote, by kind of change."""

    programmed: int = 0
    changed: int = 0
    cleared: int = 0

    @property
    def total(self) -> int:
        return self.programmed + self.changed + self.cleared


def _differs(old: Target | None, band, ranged: bool) -> bool:
    value, value_max = band
    if old is None or value is None:
        return (old is None) != (value is None)
    return old.value != value or (ranged and old.value_max != value_max)


@transaction.atomic
def targets_save(
    *, user, indicator: Indicator, cells: dict, seen: str | None, reason: str = ""
) -> GridOutcome:
    """Write the cells of an indicator's targets grid that differ from what is stored.

    ``cells`` maps each period code to ``(meta, meta máxima)`` as typed, None where blank
    (a blank meta clears the period's target; meta máxima counts for «rango» only). All or
    nothing. On an approved plan, changing or clearing a stored target is a *reforma*:
    ``reason`` is required (``ValidationError`` on ``reason`` otherwise), the target first
    programmed stays in ``original_value(_max)`` and the reason in ``reform_reason`` and the
    history. Programming a period without a target needs no reason. Raises
    ``concurrency.Conflict`` when the targets changed since the grid was shown.
    """
    stored = _locked_targets(indicator, seen)
    ranged = indicator.polarity == Indicator.Polarity.RANGE
    changes = [
        (period, stored.get(period), band)
        for period, band in cells.items()
        if _differs(stored.get(period), band, ranged)
    ]
    reforma = indicator.plan.status == Plan.Status.APPROVED
    reason = (reason or "").strip()
    if reforma and not reason and any(old is not None for _p, old, _b in changes):
        raise ValidationError(
            {
                "reason": _(
                    "El plan está aprobado: cambiar o borrar una meta programada es una "
                    "reforma. Escriba la justificación."
                )
            }
        )
    outcome = GridOutcome()
    for period, old, (value, value_max) in changes:
        if value is None:
            _record(old, user, history_reason(reason)).delete()
            outcome.cleared += 1
        elif old is None:
            target = Target(indicator=indicator, period=period, value=value)
            target.value_max = value_max if ranged else None
            _record(target, user, history_reason(reason)).save()
            outcome.programmed += 1
        else:
            _reform(old, value, value_max if ranged else old.value_max, reforma, reason)
            _record(old, user, history_reason(reason)).save()
            outcome.changed += 1
    return outcome


def _locked_targets(indicator: Indicator, seen: str | None) -> dict[str, Target]:
    """The indicator's targets by period, as the grid showed them, or Conflict."""
    # Locking the indicator serialises every grid save of it: the targets read next are
    # the ones this save changes.
    concurrency.lock(indicator)
    stored = {t.period: t for t in Target.objects.filter(indicator=indicator)}
    concurrency.check(
        seen,
        grid_snapshot(stored.values()),
        label=_grid_label,
        show=lambda _key, value: concurrency.show_number(value),
        history=Target.history.filter(indicator_id=indicator.pk),
    )
    return stored


def _reform(target: Target, value, value_max, reforma: bool, reason: str) -> None:
    """Change a stored target; on an approved plan keep the first one and say why."""
    if reforma:
        if target.original_value is None:
            target.original_value, target.original_value_max = target.value, target.value_max
        target.reform_reason = reason
    target.value, target.value_max = value, value_max
