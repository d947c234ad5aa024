"""Unit reporting: "Mis indicadores", the report form, and evidence downloads and removals.

Who may do what is ``planning.access``'s call; what may be saved is ``scorecard.workflow``'s;
what each unit owes is ``scorecard.duties``'. These views read the request, ask them, and
show the answer.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from planning import access
from planning.models import Gadp, Indicator, Plan, Target
from planning.periods import InvalidPeriod, Period
from scorecard import duties, evidence, selectors, workflow
from scorecard.forms.reporting import ReportForm, initial_from
from scorecard.models import Evidence, Measurement

#: How many earlier periods the report form shows for comparison.
PREVIOUS_PERIODS = 4


def _require_reporting(user) -> None:
    """404 for an account without a role, 403 for a role that reports nothing (directors)."""
    access.require_read(user)
    if not access.can_report_values(user):
        raise PermissionDenied


def my_indicators_url(plan: Plan) -> str:
    return reverse("my-indicators") + "?" + urlencode({"plan": plan.code})


# --- Mis indicadores ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET"])
def my_indicators(request):
    """The reports of the user's units in a plan: due, late, returned, drafts, done."""
    _require_reporting(request.user)
    plan, plans = selectors.chosen_plan(request.GET.get("plan"))
    if plan is None:
        return redirect("plan-list")
    every = duties.duties_for(request.user, plan)
    notices = []
    state = _choice(request, "state", duties.STATES, notices)
    codes = list(dict.fromkeys(d.indicator.code for d in every))
    code = _choice(request, "indicator", codes, notices)
    shown = [
        d
        for d in every
        if (not state or d.state == state) and (not code or d.indicator.code == code)
    ]
    context = {
        "plan": plan,
        "plans": plans,
        "duties": shown,
        "counts": [(s, duties.STATE_LABELS[s], n) for s, n in duties.count_by_state(every).items()],
        "summary": _summary(every),
        "state": state,
        "indicator_code": code,
        "indicator_codes": codes,
        "state_choices": [(s, duties.STATE_LABELS[s]) for s in duties.STATES],
        "notices": notices,
        "total": len(every),
    }
    return render(request, "scorecard/reporting/my_indicators.html", context)


def _choice(request, name: str, allowed, notices: list[str]) -> str:
    """A filter's value when it is one of ``allowed``; otherwise no filter, and a notice."""
    value = request.GET.get(name, "").strip()
    if value and value not in allowed:
        notices.append(_("«%(value)s» no es un filtro válido; se muestra todo.") % {"value": value})
        return ""
    return value


def _summary(every: list[duties.Duty]) -> list[tuple]:
    """Per indicator, in the plan's order: (indicator, its count in each state)."""
    per = {}
    for duty in every:
        per.setdefault(duty.indicator.pk, (duty.indicator, []))[1].append(duty)
    rows = [(ind, list(duties.count_by_state(items).values())) for ind, items in per.values()]
    return sorted(rows, key=lambda row: (row[0].order, row[0].code))


# --- Report form --------------------------------------------------------------------------


def _report_page(user, code: str, ind_code: str, period_code: str):
    """The plan, indicator and period of a report URL, as the user may change them.

    404 when any is unknown or the user may not see the indicator's unvalidated values
    (a reporter of another unit); 403 when they may see it but not report (directors).
    """
    access.require_read(user)
    plan = get_object_or_404(Plan, code=code)
    indicator = (
        Indicator.objects.select_related("plan", "responsible_unit")
        .filter(plan=plan, code=ind_code)
        .first()
    )
    if indicator is None:
        raise Http404
    access.check_indicator(user, indicator, write=True, unvalidated=True)
    try:
        period = Period.parse(period_code)
    except InvalidPeriod as exc:
        raise Http404 from exc
    return plan, indicator, period


def _parts(indicator, period: Period) -> list[Measurement]:
    if not indicator.disaggregated_by_gadp:
        return []
    return list(
        Measurement.objects.filter(indicator=indicator, period=period.code, gadp__isnull=False)
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_edit(request, code: str, ind_code: str, period: str):
    """Write, correct or submit one period's report of an indicator, with its evidence."""
    user = request.user
    plan, indicator, period = _report_page(user, code, ind_code, period)
    report = workflow.report_for(indicator, period.code)
    needs_reason = access.can_validate(user) and workflow.is_closed(plan, period.code)
    gadps = list(Gadp.objects.order_by("code")) if indicator.disaggregated_by_gadp else []
    options = {"indicator": indicator, "gadps": gadps, "needs_reason": needs_reason}
    conflict = None
    if request.method != "POST":
        form = ReportForm(initial=initial_from(report, _parts(indicator, period)), **options)
    else:
        form = ReportForm(request.POST, request.FILES, **options)
        submit = request.POST.get("action") == "submit"
        try:
            if form.is_valid():
                saved = _save(user, indicator, period, form, submit=submit)
                messages.success(request, _success(saved, submit))
                return redirect(my_indicators_url(plan))
        except workflow.Conflict as exc:
            conflict = exc
            report = exc.current if exc.current.pk else None
            form = ReportForm(initial=initial_from(report, _parts(indicator, period)), **options)
        except ValidationError as exc:
            form.add_refusal(exc)
    context = _form_context(user, plan, indicator, period, report, form)
    context["conflict"] = conflict
    return render(request, "scorecard/reporting/report_form.html", context)


def _save(user, indicator, period: Period, form: ReportForm, *, submit: bool) -> Measurement:
    """The report and its evidence in one transaction: a refused file saves nothing."""
    stored: list[Evidence] = []
    try:
        with transaction.atomic():
            report = workflow.save_report(
                user,
                indicator,
                period.code,
                form.report_input(),
                expected_version=form.cleaned_data["version"],
                submit=submit,
                reason=form.cleaned_data.get("reason", ""),
            )
            for upload in form.cleaned_data["evidence"]:
                stored.append(evidence.attach(user, report, upload))
    except evidence.EvidenceError as exc:
        _forget(stored)
        raise ValidationError({"evidence": [str(exc)]}) from exc
    except BaseException:
        _forget(stored)
        raise
    return report


def _forget(stored: list[Evidence]) -> None:
    # The rollback undid their rows; their files were already written to storage.
    for item in stored:
        item.file.delete(save=False)


def _success(report: Measurement, submit: bool) -> str:
    names = {"indicator": report.indicator.code, "period": report.period}
    if submit:
        return _("Reporte de %(indicator)s · %(period)s enviado a validación.") % names
    return _("Borrador de %(indicator)s · %(period)s guardado.") % names


def _form_context(user, plan, indicator, period: Period, report, form) -> dict:
    targets = {t.period: t for t in Target.objects.filter(indicator=indicator)}
    blocked = duties.editing_blocked(user, indicator, period.code, report)
    files = list(report.evidence.select_related("uploaded_by")) if report else []
    if report is not None:
        report.indicator = indicator
    return {
        "plan": plan,
        "indicator": indicator,
        "period": period,
        "report": report,
        "target": targets.get(period.code),
        "previous": _previous(indicator, period, targets),
        "form": form,
        "gadp_rows": form.gadp_rows(),
        "blocked": blocked,
        "evidence": files,
        "can_delete_evidence": blocked is None,
        "due": workflow.due_date(period) if indicator.accepts_period(period.code) else None,
        "crumbs": [
            (_("Mis indicadores"), my_indicators_url(plan)),
            (f"{indicator.code} · {period.code}", None),
        ],
    }


def _previous(indicator, period: Period, targets: dict) -> list[tuple]:
    """The last few earlier periods with a value: (period, target, measurement)."""
    earlier = Measurement.objects.filter(
        indicator=indicator, gadp__isnull=True, period__lt=period.code
    ).order_by("-period")
    rows = []
    for m in earlier[: PREVIOUS_PERIODS * 2]:
        if Period.parse(m.period).periodicity == indicator.periodicity:
            m.indicator = indicator
            rows.append((m.period, targets.get(m.period), m))
    return rows[:PREVIOUS_PERIODS]


# --- Evidence -----------------------------------------------------------------------------


def _evidence(pk: int) -> Evidence:
    queryset = Evidence.objects.select_related(
        "measurement__indicator__plan", "measurement__indicator__responsible_unit"
    )
    return get_object_or_404(queryset, pk=pk)


@login_required
@require_http_methods(["GET"])
def evidence_download(request, pk: int):
    """The file, for those who may see the indicator's unvalidated values (404 otherwise)."""
    item = _evidence(pk)
    try:
        return evidence.open_for(request.user, item)
    except FileNotFoundError as exc:
        raise Http404 from exc


@login_required
@require_POST
def evidence_delete(request, pk: int):
    """Remove a file from a report the user may still change; the history keeps the record."""
    item = _evidence(pk)
    report = item.measurement
    indicator = report.indicator
    access.check_indicator(request.user, indicator, write=True, unvalidated=True)
    back = reverse("report-edit", args=[indicator.plan.code, indicator.code, report.period])
    blocked = duties.editing_blocked(request.user, indicator, report.period, report)
    if blocked:
        messages.error(request, blocked)
        return redirect(back)
    # The file stays in storage: the history row still names it, for audits.
    item._history_user = request.user
    item._change_reason = _("evidencia eliminada")
    item.delete()
    messages.success(request, _("Evidencia «%(name)s» eliminada.") % {"name": item.original_name})
    return redirect(back)
