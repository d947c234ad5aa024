"""Planificación's desk: the queue of submitted values and their validation.

Every step goes through ``scorecard.workflow`` (which re-checks access, states and the
optimistic lock); who may open each page is asked of ``planning.access``. The queue is read
in a fixed number of queries whatever its length (``queue_rows``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from planning import access
from planning.models import Target
from planning.periods import Period
from scorecard import arithmetic as ar
from scorecard import workflow
from scorecard.assembly import plan_bands
from scorecard.formatting import plain
from scorecard.forms.validation import (
    BulkRefused,
    BulkValidateForm,
    QueueFilterForm,
    ReopenForm,
    ReturnForm,
    VersionedForm,
    add_workflow_errors,
    conflict_message,
    item_label,
    refusal_message,
    stale_message,
)
from scorecard.models import Evidence, Measurement

PAGE_SIZE = 50
PREVIOUS_PERIODS = 3
Status = Measurement.Status


# --- The queue, read in fixed queries -----------------------------------------------------


@dataclass
class Previous:
    """A value of an earlier period of the same indicator, as the reviewer compares it."""

    period: str
    value: Decimal | None
    validated: bool


@dataclass
class QueueRow:
    """One submitted value with what a reviewer needs beside it."""

    measurement: Measurement
    value: Decimal | None  # the period's own figure (a ratio: n / d × factor)
    target: Target | None
    achievement: Decimal | None  # the period's own value against its own target, unrounded
    status: str  # traffic light of that achievement
    previous: list[Previous] = field(default_factory=list)

    @property
    def fraction(self) -> str:
        m = self.measurement
        return "" if m.numerator is None else f"{plain(m.numerator)} / {plain(m.denominator)}"

    @property
    def selection(self) -> str:
        return f"{self.measurement.pk}:{self.measurement.version}"


def submitted_values(*, plan=None, unit=None, period: str = ""):
    """Own values awaiting validation (state «reportado»), oldest submission first."""
    rows = Measurement.objects.filter(status=Status.REPORTED, gadp__isnull=True)
    if plan is not None:
        rows = rows.filter(indicator__plan=plan)
    if unit is not None:
        rows = rows.filter(indicator__responsible_unit=unit)
    if period:
        rows = rows.filter(period=period)
    return (
        rows.select_related("indicator__plan", "indicator__responsible_unit", "reported_by")
        .prefetch_related(
            Prefetch("evidence", queryset=Evidence.objects.order_by("uploaded_at", "pk"))
        )
        .order_by("reported_at", "pk")
    )


def queue_rows(measurements: list[Measurement]) -> list[QueueRow]:
    """The rows of one page: two queries (targets, earlier values), however many rows."""
    indicator_ids = {m.indicator_id for m in measurements}
    targets = {
        (t.indicator_id, t.period): t
        for t in Target.objects.filter(
            indicator_id__in=indicator_ids, period__in={m.period for m in measurements}
        )
    }
    earlier = Measurement.objects.filter(indicator_id__in=indicator_ids, gadp__isnull=True).only(
        "indicator_id", "period", "value", "numerator", "denominator", "status"
    )
    by_indicator: dict[int, list[Measurement]] = {}
    for m in earlier:
        by_indicator.setdefault(m.indicator_id, []).append(m)
    return [
        _queue_row(m, targets.get((m.indicator_id, m.period)), by_indicator[m.indicator_id])
        for m in measurements
    ]


def _queue_row(m: Measurement, target: Target | None, history: list[Measurement]) -> QueueRow:
    indicator = m.indicator
    value = m.ratio
    figure = workflow.period_achievement(indicator, target, value)
    return QueueRow(
        m, value, target, figure, ar.status_for(figure, _bands(indicator)), _previous(m, history)
    )


def _bands(indicator) -> ar.Bands:
    """The indicator's own bands when it overrides the plan's (DOMAIN.md, arithmetic 4)."""
    green, yellow = indicator.green_threshold, indicator.yellow_threshold
    if green is not None and yellow is not None:
        return ar.Bands(green=green, yellow=yellow)
    return plan_bands(indicator.plan)


def _previous(m: Measurement, history: list[Measurement]) -> list[Previous]:
    """The indicator's last values before this period, oldest first."""
    current = Period.parse(m.period).sort_key
    keyed = sorted(
        ((Period.parse(h.period).sort_key, h) for h in history), key=lambda pair: pair[0]
    )
    before = [h for key, h in keyed if key < current][-PREVIOUS_PERIODS:]
    return [
        Previous(
            h.period,
            workflow.own_value(
                m.indicator, workflow.ReportInput(h.value, h.numerator, h.denominator)
            ),
            h.status == Status.VALIDATED,
        )
        for h in before
    ]


# --- Who may use these pages --------------------------------------------------------------


def _require_validator(user) -> None:
    """404 for an account without a role, 403 for roles that read but do not validate."""
    access.require_read(user)
    if not access.can_validate(user):
        raise PermissionDenied


def _measurement_for_validator(user, pk: int) -> Measurement:
    """An own value a validator acts on: 404 when the user may not see it, 403 when read-only."""
    access.require_read(user)
    measurement = get_object_or_404(
        Measurement.objects.select_related(
            "indicator__plan", "indicator__responsible_unit", "reported_by", "validated_by"
        ),
        pk=pk,
        gadp__isnull=True,
    )
    access.check_indicator(user, measurement.indicator, unvalidated=True)
    if not access.can_validate(user):
        raise PermissionDenied
    return measurement


def _next_url(request, default: str) -> str:
    """Where the page that posted wants to go back to, if it is on this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target and safe else default


# --- The queue and its actions ------------------------------------------------------------


@login_required
def validation_queue(request):
    """Submitted values across plans and units, with what a reviewer weighs, 50 a page."""
    _require_validator(request.user)
    filters = QueueFilterForm(request.GET)
    filters.is_valid()  # a filter with an error is shown with it and left out
    chosen = filters.cleaned_data
    values = submitted_values(
        plan=chosen.get("plan"), unit=chosen.get("unit"), period=chosen.get("period", "")
    )
    page = Paginator(values, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filters": filters,
        "page": page,
        "rows": queue_rows(list(page.object_list)),
        "next": request.get_full_path(),
    }
    return render(request, "scorecard/validation/queue.html", context)


@login_required
@require_POST
def measurement_validate(request, pk: int):
    m = _measurement_for_validator(request.user, pk)
    form = VersionedForm(request.POST)
    if not form.is_valid():
        messages.error(request, stale_message(m))
    else:
        try:
            workflow.validate(request.user, m, expected_version=form.cleaned_data["version"])
        except workflow.Conflict as conflict:
            messages.error(request, conflict_message(m, conflict))
        except workflow.WorkflowError as error:
            messages.error(request, refusal_message(m, error))
        else:
            messages.success(request, _("Validado: %(item)s.") % {"item": item_label(m)})
    return redirect(_next_url(request, reverse("validation-queue")))


@dataclass(frozen=True)
class Action:
    """A step on one value that needs a text (return's comment, reopen's reason)."""

    form_class: type
    text_field: str
    acts_on: str  # the state the value must be in
    title: str
    button: str
    done: str
    run: Callable[..., Measurement]  # (user, measurement, text, version)


RETURN = Action(
    ReturnForm,
    "comment",
    Status.REPORTED,
    gettext_lazy("Devolver a la unidad"),
    gettext_lazy("Devolver"),
    gettext_lazy("Devuelto a la unidad: %(item)s."),
    lambda user, m, text, v: workflow.return_for_correction(user, m, text, expected_version=v),
)
REOPEN = Action(
    ReopenForm,
    "reason",
    Status.VALIDATED,
    gettext_lazy("Reabrir un valor validado"),
    gettext_lazy("Reabrir"),
    gettext_lazy("Reabierto: %(item)s. La unidad puede corregirlo y enviarlo de nuevo."),
    lambda user, m, text, v: workflow.reopen(user, m, text, expected_version=v),
)


def _with_text(request, pk: int, action: Action, default_next):
    """GET: a small form page; POST: the step, or the page again with the field's error."""
    m = _measurement_for_validator(request.user, pk)
    back = _next_url(request, default_next(m))
    if request.method != "POST":
        form = action.form_class(initial={"version": m.version, "next": back})
        return _action_page(request, m, action, form, back)
    form = action.form_class(request.POST)
    if not form.is_valid():
        if "version" in form.errors:
            messages.error(request, stale_message(m))
            return redirect(back)
        return _action_page(request, m, action, form, back)
    data = form.cleaned_data
    try:
        action.run(request.user, m, data[action.text_field], data["version"])
    except workflow.Conflict as conflict:
        messages.error(request, conflict_message(m, conflict))
    except workflow.WorkflowError as error:
        if action.text_field in error.message_dict:
            add_workflow_errors(form, error)
            return _action_page(request, m, action, form, back)
        messages.error(request, refusal_message(m, error))
    else:
        messages.success(request, action.done % {"item": item_label(m)})
    return redirect(back)


def _action_page(request, m: Measurement, action: Action, form, back: str):
    title = str(action.title)
    crumbs = [
        (_("Validación"), reverse("validation-queue")),
        (f"{m.indicator.code} · {m.period}", _indicator_url(m)),
        (title, None),
    ]
    context = {"m": m, "form": form, "title": title, "button": action.button}
    context |= {"back": back, "crumbs": crumbs, "allowed": m.status == action.acts_on}
    return render(request, "scorecard/validation/measurement_action.html", context)


def _indicator_url(m: Measurement) -> str:
    return reverse("indicator-detail", args=[m.indicator.plan.code, m.indicator.code])


@login_required
def measurement_return(request, pk: int):
    return _with_text(request, pk, RETURN, lambda m: reverse("validation-queue"))


@login_required
def measurement_reopen(request, pk: int):
    return _with_text(request, pk, REOPEN, _indicator_url)


@login_required
@require_POST
def measurements_validate_selected(request):
    _require_validator(request.user)
    form = BulkValidateForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("item", []):
            messages.error(request, error)
    else:
        try:
            count = form.save(request.user)
        except BulkRefused as refused:
            messages.error(
                request, _("No se validó ningún valor: revise estos y vuelva a intentar.")
            )
            for problem in refused.problems:
                messages.error(request, problem)
        else:
            messages.success(request, _("Validados: %(count)s valores.") % {"count": count})
    return redirect(_next_url(request, reverse("validation-queue")))
