"""What each unit owes: every ended period of its indicators and where its report stands.

A *duty* is one indicator's own value for one period that has ended (``workflow.is_reportable``)
within the plan's years. Its state says what, if anything, the unit must still do:

- ``observado``: Planificación returned it (``measurement.return_comment`` says why);
- ``vencido``: past its due date (``workflow.due_date``) and not yet submitted;
- ``pendiente``: ended, nothing stored yet, still within the grace days;
- ``borrador``: a draft, still within the grace days;
- ``reportado``: submitted, waiting for Planificación;
- ``validado``: accepted.

The list is read in a fixed number of queries whatever the number of indicators and
periods (indicators, targets, own measurements, closed periods), and it is shared by the
"Mis indicadores" page and the reminders command.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from planning import access
from planning.models import Indicator, Target
from planning.periods import Period, periods_between
from scorecard import workflow
from scorecard.models import Measurement

RETURNED = "observado"
OVERDUE = "vencido"
PENDING = "pendiente"
DRAFT = "borrador"
REPORTED = "reportado"
VALIDATED = "validado"

#: The order duties are listed in: what needs the unit's attention first.
STATES = (RETURNED, OVERDUE, PENDING, DRAFT, REPORTED, VALIDATED)
STATE_LABELS = {
    RETURNED: gettext_lazy("Observado"),
    OVERDUE: gettext_lazy("Vencido"),
    PENDING: gettext_lazy("Pendiente"),
    DRAFT: gettext_lazy("Borrador"),
    REPORTED: gettext_lazy("Reportado"),
    VALIDATED: gettext_lazy("Validado"),
}
#: States in which the unit still has something to do.
OPEN_STATES = (RETURNED, OVERDUE, PENDING, DRAFT)
_RANK = {state: n for n, state in enumerate(STATES)}


@dataclass
class Duty:
    """One indicator's report for one ended period, and what state it is in."""

    indicator: Indicator
    period: Period
    due: datetime.date
    state: str
    measurement: Measurement | None
    closed: bool = False  # the period is closed: only Planificación may change it
    target: Target | None = None

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])

    @property
    def is_open(self) -> bool:
        """Whether the unit still has to act on it (report, finish or correct)."""
        return self.state in OPEN_STATES


def state_of(measurement: Measurement | None, due: datetime.date, today: datetime.date) -> str:
    """The duty state of a report (``None``: nothing stored) due on ``due``, seen on ``today``.

    A returned report stays «observado» after its due date: the planner's comment is what
    the unit must read first. A draft past its due date is «vencido» (it was not submitted).
    """
    status = measurement.status if measurement else None
    if status == Measurement.Status.RETURNED:
        return RETURNED
    if status == Measurement.Status.REPORTED:
        return REPORTED
    if status == Measurement.Status.VALIDATED:
        return VALIDATED
    if today > due:
        return OVERDUE
    return DRAFT if measurement else PENDING


def duties_for_units(plan, unit_ids, today: datetime.date | None = None) -> list[Duty]:
    """The duties of the indicators of ``plan`` whose responsible unit is in ``unit_ids``."""
    indicators = Indicator.objects.filter(plan=plan, responsible_unit__in=list(unit_ids))
    return _duties(plan, indicators, today)


def duties_for(user, plan, today: datetime.date | None = None) -> list[Duty]:
    """The duties the user reports: their units' indicators, or all of them for planners.

    Directors and accounts without a role report nothing: an empty list.
    """
    indicators = access.indicators_reportable_by(user, Indicator.objects.filter(plan=plan))
    return _duties(plan, indicators, today)


def _duties(plan, queryset, today: datetime.date | None) -> list[Duty]:
    today = today or timezone.localdate()
    indicators = list(queryset.select_related("responsible_unit").order_by("order", "code"))
    if not indicators:
        return []
    # A subquery, not a list of ids: the same SQL for 3 indicators or 3,000.
    ids = queryset.values("pk")
    # Own values only: a per-GADP row follows its own row's state.
    own = Measurement.objects.filter(indicator__in=ids, gadp__isnull=True)
    reports = {(m.indicator_id, m.period): m for m in own}
    targets = {(t.indicator_id, t.period): t for t in Target.objects.filter(indicator__in=ids)}
    closed = workflow.closed_periods(plan)
    duties = []
    for indicator in indicators:
        indicator.plan = plan  # the report form and reminders read plan years without a query
        for period in _ended_periods(plan, indicator.periodicity, today):
            key = (indicator.pk, period.code)
            duty = _duty(indicator, period, reports.get(key), today)
            duty.closed = any(c.contains(period) for c in closed)
            duty.target = targets.get(key)
            duties.append(duty)
    duties.sort(
        key=lambda d: (_RANK[d.state], d.period.sort_key, d.indicator.order, d.indicator.code)
    )
    return duties


def _duty(indicator, period: Period, report: Measurement | None, today) -> Duty:
    if report:
        report.indicator = indicator  # its ratio reads the factor without a query
    due = workflow.due_date(period)
    return Duty(indicator, period, due, state_of(report, due, today), report)


def _ended_periods(plan, periodicity: str, today: datetime.date) -> list[Period]:
    periods = periods_between(plan.start_year, plan.end_year, periodicity)
    return [p for p in periods if workflow.is_reportable(p, today)]


def editing_blocked(user, indicator, period_code: str, report: Measurement | None) -> str | None:
    """Why the user cannot change this report now (a Spanish sentence), or None when they can.

    The same rules ``workflow.save_report`` applies, asked without writing, so a page can
    say so before the user types anything: the period must be one of the indicator's and
    have ended, a closed period is Planificación's alone (with a reason), a validated value
    must be reopened first and a submitted one is with Planificación. The caller has
    checked that the user may report the indicator at all (``access.check_indicator``).
    """
    try:
        workflow.check_period(user, indicator, period_code)
    except workflow.WorkflowError as exc:
        if "period" in exc.message_dict:
            return exc.message_dict["period"][0]
        # Only the reason is missing: a planner may change a closed period, saying why.
    status = report.status if report else None
    if status == Measurement.Status.VALIDATED:
        return _("El valor está validado: Planificación debe reabrirlo primero.")
    if status == Measurement.Status.REPORTED and not access.can_validate(user):
        return _("El valor está en revisión de Planificación: no puede cambiarse.")
    return None


def count_by_state(duties: list[Duty]) -> dict[str, int]:
    """How many duties are in each state, every state present (zero when none), in order."""
    counts = dict.fromkeys(STATES, 0)
    for duty in duties:
        counts[duty.state] += 1
    return counts
