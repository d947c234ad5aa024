"""Reminder e-mails: each unit reporter what their units owe, each planner what awaits them.

``send_reminders`` is safe to run from cron as often as wanted: every item mailed to a
person is recorded in ``ReminderLog`` for that day (unique per user, day and item), and an
item already recorded is never mailed again that day. A mail is recorded only once the
mail backend accepted it, so a failure is retried on the next run.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from planning import access
from planning.models import Plan
from scorecard import duties as duty_states
from scorecard.models import Measurement, ReminderLog

logger = logging.getLogger(__name__)

DUE = "due"
VALIDATE = "validate"


@dataclass(frozen=True)
class Item:
    """One thing a person is reminded of; ``key`` is what ``ReminderLog.item`` records."""

    key: str
    kind: str  # DUE (the unit must report or correct it) or VALIDATE (a planner reviews it)
    plan: str
    code: str
    name: str
    period: str
    state: str  # the state as a person reads it ("Vencido", "Reportado" …)
    due: datetime.date | None = None
    comment: str = ""  # Planificación's observation on a returned value
    reported_by: str = ""
    reported_at: datetime.datetime | None = None


@dataclass
class Summary:
    """What a run did, counted for the one line the command prints."""

    mails: int = 0
    items: int = 0  # items listed in the mails sent
    already: int = 0  # items left out because the person got them earlier the same day
    no_email: int = 0  # people with something to hear of but no e-mail address
    failed: int = 0  # mails the backend refused: not recorded, retried on the next run

    def line(self) -> str:
        return (
            f"recordatorios enviados: {self.mails} correos ({self.items} pendientes); "
            f"ya enviados hoy: {self.already}; sin correo: {self.no_email}; "
            f"fallidos: {self.failed}"
        )


def plans_to_remind(code: str | None = None) -> list[Plan]:
    """The plan named by ``code`` (Plan.DoesNotExist if unknown), else every plan not closed."""
    if code:
        return [Plan.objects.get(code=code)]
    return list(Plan.objects.exclude(status=Plan.Status.CLOSED).order_by("code"))


def _members(role: str):
    return (
        get_user_model()
        .objects.filter(groups__name=access.GROUP_NAMES[role], is_active=True)
        .distinct()
        .order_by("username")
    )


def _due_item(plan: Plan, duty) -> Item:
    comment = duty.measurement.return_comment if duty.state == duty_states.RETURNED else ""
    return Item(
        key=f"{DUE}:{duty.indicator.pk}:{duty.period.code}",
        kind=DUE,
        plan=plan.code,
        code=duty.indicator.code,
        name=duty.indicator.name,
        period=duty.period.code,
        state=duty.state_label,
        due=duty.due,
        comment=comment,
    )


def reporter_items(plans: list[Plan], today: datetime.date) -> dict:
    """Each unit reporter → the open duties of their units' indicators, in periods not closed.

    A closed period is left out: only Planificación may still change it.
    """
    reporters = list(_members(access.REPORTER).prefetch_related("org_units"))
    units = {user.pk: sorted(u.pk for u in user.org_units.all()) for user in reporters}
    by_unit = defaultdict(list)
    every_unit = {pk for pks in units.values() for pk in pks}
    for plan in plans:
        for duty in duty_states.duties_for_units(plan, every_unit, today):
            if duty.is_open and not duty.closed:
                by_unit[duty.indicator.responsible_unit_id].append(_due_item(plan, duty))
    return {user: [i for unit in units[user.pk] for i in by_unit[unit]] for user in reporters}


def _validate_item(m: Measurement) -> Item:
    who = ""
    if m.reported_by is not None:
        who = m.reported_by.get_full_name() or m.reported_by.get_username()
    return Item(
        key=f"{VALIDATE}:{m.pk}",
        kind=VALIDATE,
        plan=m.indicator.plan.code,
        code=m.indicator.code,
        name=m.indicator.name,
        period=m.period,
        state=str(m.get_status_display()),
        reported_by=who,
        reported_at=m.reported_at,
    )


def planner_items(plans: list[Plan]) -> dict:
    """Each planner → every own value of the plans awaiting validation, oldest first."""
    waiting = (
        Measurement.objects.filter(
            status=Measurement.Status.REPORTED, gadp__isnull=True, indicator__plan__in=plans
        )
        .select_related("indicator__plan", "reported_by")
        .order_by("reported_at", "pk")
    )
    items = [_validate_item(m) for m in waiting]
    return dict.fromkeys(_members(access.PLANNER), items)


def wanted(plans: list[Plan], today: datetime.date) -> dict:
    """Person → everything they should hear of today (one mail each, both lists merged)."""
    merged = defaultdict(list)
    for source in (reporter_items(plans, today), planner_items(plans)):
        for user, items in source.items():
            merged[user].extend(items)
    return {user: items for user, items in merged.items() if items}


def send_reminders(*, plan_code: str | None = None, today: datetime.date | None = None) -> Summary:
    """Mail each person the items not yet mailed to them today; see the module's docstring."""
    today = today or timezone.localdate()
    summary = Summary()
    people = wanted(plans_to_remind(plan_code), today)
    sent_today = set(ReminderLog.objects.filter(day=today).values_list("user_id", "item"))
    for user in sorted(people, key=lambda u: u.get_username()):
        items = people[user]
        if not user.email:
            summary.no_email += 1
            continue
        new = [item for item in items if (user.pk, item.key) not in sent_today]
        summary.already += len(items) - len(new)
        if not new:
            continue
        if not _mail(user, new, today):
            summary.failed += 1
            continue
        ReminderLog.objects.bulk_create(
            [ReminderLog(user=user, day=today, item=item.key) for item in new],
            ignore_conflicts=True,  # a run alongside this one recorded it first
        )
        summary.mails += 1
        summary.items += len(new)
    return summary


def _mail(user, items: list[Item], today: datetime.date) -> bool:
    """Send one person's mail; False (logged) when the backend refuses it."""
    site = getattr(settings, "SITE_URL", "").rstrip("/")
    context = {
        "user": user,
        "name": user.get_full_name() or user.get_username(),
        "today": today,
        "due": [i for i in items if i.kind == DUE],
        "validate": [i for i in items if i.kind == VALIDATE],
        "my_url": f"{site}{reverse('my-indicators')}" if site else "",
        "queue_url": f"{site}{reverse('validation-queue')}" if site else "",
    }
    subject = render_to_string("scorecard/email/reminder_subject.txt", context)
    body = render_to_string("scorecard/email/reminder.txt", context)
    try:
        send_mail(" ".join(subject.split()), body, None, [user.email])
    except Exception:  # any failure of one mail: the others still go, this one is retried
        logger.exception("recordatorio a %s no enviado", user.get_username())
        return False
    return True
