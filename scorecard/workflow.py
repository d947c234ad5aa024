"""The life of a reported value: draft → reportado → validado, or observado and corrected.

Every web write of a measurement goes through these functions, so the rules live in one
place: who may (``planning.access``), which periods (due, not closed), which states, the
variance analysis, and the optimistic lock. Each raises :class:`WorkflowError` with a
Spanish message naming the field, and changes nothing when it does; each leaves a history
row with who and why (django-simple-history, through ``save()``).

A *report* is an indicator's own value for a period (the row without GADP) plus, for an
indicator disaggregated by province, its per-GADP rows; the own row carries the state and
the version, and the per-GADP rows follow it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from planning import access, concurrency
from planning.periods import InvalidPeriod, Period
from scorecard import arithmetic
from scorecard.models import ClosedPeriod, Measurement

Status = Measurement.Status
#: States in which the reporting unit may still change its report.
EDITABLE_BY_UNIT = (Status.DRAFT, Status.RETURNED)


class WorkflowError(ValidationError):
    """A refused step: ``message_dict`` says which field and why, in Spanish."""


@dataclass
class Conflict(Exception):
    """The value changed since the user opened it: nothing was saved."""

    current: Measurement
    changes: list[concurrency.Change] = field(default_factory=list)
    changed_by: object = None
    changed_at: datetime.datetime | None = None

    def __str__(self):
        return _(
            "Otra persona cambió este valor mientras usted lo editaba; no se guardó nada. "
            "Revise los cambios y vuelva a intentarlo."
        )


@dataclass
class ReportInput:
    """What a report form sends: the own value and, per GADP id, its part."""

    value: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    analysis: str = ""
    by_gadp: dict[int, tuple] = field(default_factory=dict)  # gadp id → (value, num, den)


# --- periods ------------------------------------------------------------------------------


def closed_periods(plan) -> list[Period]:
    return [Period.parse(code) for code in plan.closed_periods.values_list("period", flat=True)]


def is_closed(plan, period_code: str, closed: list[Period] | None = None) -> bool:
    """Whether ``period_code`` lies inside a period planning closed (a year closes its months)."""
    period = Period.parse(period_code)
    closed = closed_periods(plan) if closed is None else closed
    return any(c.contains(period) for c in closed)


def period_end(period: Period) -> datetime.date:
    end_month = period.end_month
    if end_month == 12:
        return datetime.date(period.year, 12, 31)
    return datetime.date(period.year, end_month + 1, 1) - datetime.timedelta(days=1)


def due_date(period: Period) -> datetime.date:
    """The day a period's value is due: its last day plus the reporting grace days."""
    grace = getattr(settings, "REPORTING_GRACE_DAYS", 15)
    return period_end(period) + datetime.timedelta(days=grace)


def is_reportable(period: Period, today: datetime.date | None = None) -> bool:
    """A value is reported once its period has ended (not for a period still running)."""
    return period_end(period) <= (today or timezone.localdate())


def period_achievement(indicator, target, value: Decimal | None) -> Decimal | None:
    """A period's own value against its own target (not the scorecard's comparable X, Y)."""
    if value is None or target is None:
        return None
    return arithmetic.achievement(
        value,
        target.value,
        polarity=indicator.polarity,
        reference=indicator.reference,
        baseline=indicator.baseline,
        target_max=target.value_max,
    )


def below_target(indicator, target, value: Decimal | None) -> bool:
    """Whether a period's own value falls short of its own target (analysis then required)."""
    figure = period_achievement(indicator, target, value)
    return figure is not None and figure < 100


# --- checks -------------------------------------------------------------------------------


def _refuse(field_name: str, message: str):
    raise WorkflowError({field_name: [message]})


def check_period(user, indicator, period_code: str, reason: str = "") -> Period:
    """The period as a Period, or a refusal: not one of the indicator's, not ended, closed."""
    try:
        indicator.check_period(period_code)
        period = Period.parse(period_code)
    except (ValidationError, InvalidPeriod):
        _refuse(
            "period",
            _("El periodo %(period)s no corresponde a este indicador (%(periodicity)s).")
            % {"period": period_code, "periodicity": indicator.get_periodicity_display().lower()},
        )
    if not is_reportable(period):
        _refuse(
            "period",
            _("El periodo %(period)s aún no termina: se reporta desde el %(day)s.")
            % {"period": period_code, "day": period_end(period).strftime("%d/%m/%Y")},
        )
    if is_closed(indicator.plan, period_code):
        if not access.can_validate(user):
            _refuse(
                "period",
                _("El periodo %(period)s está cerrado: solo Planificación puede cambiarlo.")
                % {"period": period_code},
            )
        if not reason.strip():
            _refuse(
                "reason",
                _("El periodo %(period)s está cerrado: indique el motivo del cambio.")
                % {"period": period_code},
            )
    return period


def _check_numbers(indicator, data: ReportInput, *, required: bool):
    errors = {}
    ratio = indicator.calculation == indicator.Calculation.RATIO
    if ratio:
        if data.value is not None:
            errors["value"] = [_("Este indicador es una razón: indique numerador y denominador.")]
        if (data.numerator is None) != (data.denominator is None):
            errors["denominator"] = [_("Indique numerador y denominador: la razón necesita ambos.")]
        if data.denominator is not None and data.denominator <= 0:
            errors["denominator"] = [_("El denominador debe ser mayor que cero.")]
        if required and data.numerator is None and "denominator" not in errors:
            errors["numerator"] = [_("Indique numerador y denominador para enviar el reporte.")]
    else:
        if data.numerator is not None or data.denominator is not None:
            errors["numerator"] = [_("Este indicador se reporta con un valor, no con una razón.")]
        if required and data.value is None:
            errors["value"] = [_("Indique el valor para enviar el reporte.")]
    if errors:
        raise WorkflowError(errors)


def own_value(indicator, data: ReportInput) -> Decimal | None:
    """The period's figure the data makes (numerator / denominator × factor for a ratio)."""
    if data.numerator is not None and data.denominator:
        return data.numerator / data.denominator * indicator.factor
    return data.value


def _claim(measurement: Measurement, expected_version: int | None) -> None:
    """Take the row at the version the user saw, or raise Conflict (PITFALLS 9).

    The conditional UPDATE is the lock: of two concurrent saves only one finds the version
    it read. It moves ``version`` alone; the ``save()`` that follows writes the values and
    the history row.
    """
    if expected_version is None:
        raise Conflict(measurement, _changes_since(measurement, None))
    claimed = Measurement.objects.filter(pk=measurement.pk, version=expected_version).update(
        version=F("version") + 1
    )
    if not claimed:
        current = Measurement.objects.get(pk=measurement.pk)
        raise _conflict(current, expected_version)
    measurement.version = expected_version + 1


def _conflict(current: Measurement, seen_version: int) -> Conflict:
    latest = current.history.order_by("-history_id").first()
    return Conflict(
        current,
        _changes_since(current, seen_version),
        changed_by=latest.history_user if latest else None,
        changed_at=latest.history_date if latest else None,
    )


WATCHED = ("value", "numerator", "denominator", "analysis", "status", "return_comment")


def _changes_since(current: Measurement, seen_version: int | None) -> list[concurrency.Change]:
    seen = (
        current.history.filter(version=seen_version).order_by("-history_id").first()
        if seen_version is not None
        else None
    )
    changes = []
    for name in WATCHED:
        before = getattr(seen, name, None) if seen else None
        after = getattr(current, name)
        if before != after:
            model_field = Measurement._meta.get_field(name)
            shown = (concurrency.show_field(model_field, v) for v in (before, after))
            changes.append(concurrency.Change(str(model_field.verbose_name), *shown))
    return changes


def _save(measurement: Measurement, user, reason: str) -> None:
    measurement._history_user = user
    measurement._change_reason = reason or None
    measurement.full_clean(exclude=["version"])
    if not measurement._state.adding:
        measurement.save()
        return
    try:
        with transaction.atomic():
            measurement.save()
    except IntegrityError:
        # Someone created the same report between our check and our insert.
        current = Measurement.objects.get(
            indicator=measurement.indicator, period=measurement.period, gadp=measurement.gadp
        )
        raise Conflict(current, _changes_since(current, None)) from None


# --- steps --------------------------------------------------------------------------------


def report_for(indicator, period_code: str) -> Measurement | None:
    return Measurement.objects.filter(indicator=indicator, period=period_code, gadp=None).first()


@transaction.atomic
def save_report(
    user,
    indicator,
    period_code: str,
    data: ReportInput,
    *,
    expected_version: int | None = None,
    submit: bool = False,
    reason: str = "",
) -> Measurement:
    """Save a report as a draft, or submit it for validation (``submit``).

    ``expected_version`` is the version the form showed (None for a new report). A report
    that is validated must be reopened first; one submitted is with Planificación until
    it is validated or returned (a unit cannot change it meanwhile, planners can).
    """
    access.check_indicator(user, indicator, write=True)
    period = check_period(user, indicator, period_code, reason)
    _check_numbers(indicator, data, required=submit)
    measurement = report_for(indicator, period_code)
    planner = access.can_validate(user)
    if measurement is None:
        if expected_version is not None:
            raise Conflict(Measurement(indicator=indicator, period=period_code), [])
        measurement = Measurement(indicator=indicator, period=period_code)
    else:
        if measurement.status == Status.VALIDATED:
            _refuse("status", _("El valor está validado: Planificación debe reabrirlo primero."))
        if measurement.status == Status.REPORTED and not planner:
            _refuse("status", _("El valor está en revisión de Planificación: no puede cambiarse."))
        _claim(measurement, expected_version)
    if submit:
        target = indicator.targets.filter(period=period.code).first()
        short = below_target(indicator, target, own_value(indicator, data))
        if short and not data.analysis.strip():
            _refuse(
                "analysis",
                _("El valor está por debajo de la meta (%(target)s): explique la variación.")
                % {"target": f"{target.value.normalize():f}"},
            )
    measurement.value, measurement.numerator = data.value, data.numerator
    measurement.denominator, measurement.analysis = data.denominator, data.analysis.strip()
    # Saved as a draft, a report keeps its state: a returned one stays «observado» until
    # it is submitted again, one under review stays «reportado» when a planner corrects it.
    if submit:
        measurement.status = Status.REPORTED
        measurement.reported_by, measurement.reported_at = user, timezone.now()
    _save(measurement, user, reason or (_("enviado") if submit else _("borrador")))
    _save_gadp_parts(user, measurement, data, reason)
    return measurement


def _save_gadp_parts(user, measurement: Measurement, data: ReportInput, reason: str) -> None:
    indicator = measurement.indicator
    if not data.by_gadp:
        return
    if not indicator.disaggregated_by_gadp:
        _refuse("gadp", _("Este indicador no se desagrega por GADP."))
    stored = {
        m.gadp_id: m
        for m in Measurement.objects.filter(
            indicator=indicator, period=measurement.period, gadp__isnull=False
        )
    }
    for gadp_id, (value, numerator, denominator) in sorted(data.by_gadp.items()):
        part = stored.get(gadp_id) or Measurement(
            indicator=indicator, period=measurement.period, gadp_id=gadp_id
        )
        same = (part.value, part.numerator, part.denominator) == (value, numerator, denominator)
        if part.pk and same and part.status == measurement.status:
            continue
        if value is None and numerator is None and denominator is None:
            if part.pk:
                part._history_user = user
                part.delete()
            continue
        part.value, part.numerator, part.denominator = value, numerator, denominator
        part.status = measurement.status
        part.reported_by, part.reported_at = measurement.reported_by, measurement.reported_at
        part.version = (part.version or 0) + 1 if part.pk else 1
        _save(part, user, reason)


def _follow(measurement: Measurement, user, reason: str) -> None:
    """Per-GADP rows take the own row's state."""
    parts = Measurement.objects.filter(
        indicator_id=measurement.indicator_id, period=measurement.period, gadp__isnull=False
    )
    for part in parts:
        part.status = measurement.status
        part.validated_by, part.validated_at = measurement.validated_by, measurement.validated_at
        part.version += 1
        _save(part, user, reason)


def _for_planner(user, measurement: Measurement, expected_version: int) -> Measurement:
    """The stored measurement, once the user may act on it and it is still the one they saw."""
    access.check_indicator(user, measurement.indicator, unvalidated=True)
    if not access.can_validate(user):
        raise PermissionDenied
    current = Measurement.objects.select_related("indicator").get(pk=measurement.pk)
    if current.version != expected_version:
        raise _conflict(current, expected_version)
    return current


@transaction.atomic
def validate(user, measurement: Measurement, *, expected_version: int) -> Measurement:
    """Planificación accepts a submitted value: it is locked and enters the scorecard."""
    measurement = _for_planner(user, measurement, expected_version)
    if measurement.status != Status.REPORTED:
        _refuse("status", _("Solo se valida un valor enviado (estado «Reportado»)."))
    _claim(measurement, expected_version)
    measurement.status = Status.VALIDATED
    measurement.validated_by, measurement.validated_at = user, timezone.now()
    measurement.return_comment = ""
    _save(measurement, user, _("validado"))
    _follow(measurement, user, _("validado"))
    return measurement


@transaction.atomic
def return_for_correction(
    user, measurement: Measurement, comment: str, *, expected_version: int
) -> Measurement:
    """Planificación sends a submitted value back to its unit, saying why."""
    measurement = _for_planner(user, measurement, expected_version)
    if measurement.status != Status.REPORTED:
        _refuse("status", _("Solo se devuelve un valor enviado (estado «Reportado»)."))
    if not comment.strip():
        _refuse("comment", _("Indique a la unidad qué debe corregir."))
    _claim(measurement, expected_version)
    measurement.status = Status.RETURNED
    measurement.return_comment = comment.strip()
    _save(measurement, user, _("devuelto: %(comment)s") % {"comment": comment.strip()})
    _follow(measurement, user, _("devuelto"))
    return measurement


@transaction.atomic
def reopen(user, measurement: Measurement, reason: str, *, expected_version: int) -> Measurement:
    """Planificación unlocks a validated value, with a reason that the history keeps."""
    measurement = _for_planner(user, measurement, expected_version)
    if measurement.status != Status.VALIDATED:
        _refuse("status", _("Solo se reabre un valor validado."))
    if not reason.strip():
        _refuse("reason", _("Indique el motivo para reabrir un valor validado."))
    _claim(measurement, expected_version)
    measurement.status = Status.RETURNED
    measurement.validated_by, measurement.validated_at = None, None
    measurement.return_comment = reason.strip()
    _save(measurement, user, _("reabierto: %(reason)s") % {"reason": reason.strip()})
    _follow(measurement, user, _("reabierto"))
    return measurement


@transaction.atomic
def close_period(user, plan, period_code: str, reason: str = "") -> ClosedPeriod:
    """Close a period of the plan: from now on only Planificación changes its values."""
    if not access.can_validate(user):
        raise PermissionDenied
    try:
        period = Period.parse(period_code)
    except InvalidPeriod:
        _refuse("period", _("«%(period)s» no es un periodo válido.") % {"period": period_code})
    if not plan.start_year <= period.year <= plan.end_year:
        _refuse("period", _("El periodo %(period)s está fuera del plan.") % {"period": period.code})
    if is_closed(plan, period.code):
        _refuse("period", _("El periodo %(period)s ya está cerrado.") % {"period": period.code})
    closed = ClosedPeriod(plan=plan, period=period.code, closed_by=user, reason=reason.strip())
    closed._history_user = user
    closed.save()
    return closed


@transaction.atomic
def reopen_period(user, closed: ClosedPeriod, reason: str) -> None:
    """Open a closed period again (the history keeps who and why)."""
    if not access.can_validate(user):
        raise PermissionDenied
    if not reason.strip():
        _refuse("reason", _("Indique el motivo para abrir de nuevo el periodo."))
    closed._history_user = user
    closed._change_reason = reason.strip()
    closed.delete()
