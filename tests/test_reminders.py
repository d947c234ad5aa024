"""send_reminders: who gets which mail, once a day per item, and safe retries from cron."""

import datetime
import io
from decimal import Decimal
from unittest import mock

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from planning.models import Indicator, OrgUnit
from scorecard import workflow
from scorecard.models import Measurement, ReminderLog
from scorecard.workflow import ReportInput
from tests.conftest import PLAN_CODE

DAY = datetime.date(2020, 1, 10)  # 2017 and 2018 are overdue, 2019 within its grace days


def indicator(code: str) -> Indicator:
    return Indicator.objects.get(plan__code=PLAN_CODE, code=code)


def assign(code: str, unit_code: str) -> Indicator:
    item = indicator(code)
    item.responsible_unit = OrgUnit.objects.get(code=unit_code)
    item.save()
    return item


def report(user, code, period, value, *, submit=True) -> Measurement:
    item = indicator(code)
    current = workflow.report_for(item, period)
    return workflow.save_report(
        user,
        item,
        period,
        ReportInput(value=Decimal(value)),
        expected_version=current.version if current else None,
        submit=submit,
    )


@pytest.fixture
def situation(official_plan, reporter, other_reporter, planner, admin_user, director):
    """PGI reports 11.1 and 12.2, RI reports 12.1; the reporter of RI has no e-mail."""
    for user, email in [
        (reporter, "rosa@congope.gob.ec"),
        (planner, "pablo@congope.gob.ec"),
        (admin_user, "ana@congope.gob.ec"),
        (director, "diana@congope.gob.ec"),
    ]:
        user.email = email
        user.save()
    assign("11.1", "PGI")
    assign("12.2", "PGI")
    assign("12.1", "RI")
    validated = report(reporter, "11.1", "2017", "4")
    workflow.validate(planner, validated, expected_version=validated.version)
    returned = report(reporter, "11.1", "2018", "5")
    workflow.return_for_correction(
        planner, returned, "Adjunte el acta", expected_version=returned.version
    )
    submitted = report(reporter, "11.1", "2019", "6")
    report(reporter, "12.2", "2018", "1", submit=False)  # a draft past its due date
    return {"submitted": submitted, "returned": returned}


def run(*args, day=DAY) -> str:
    out = io.StringIO()
    call_command("send_reminders", "--date", day.isoformat(), *args, stdout=out)
    return out.getvalue().strip()


def mail_to(address: str):
    [message] = [m for m in mail.outbox if m.to == [address]]
    return message


def test_each_reporter_hears_what_their_units_owe(situation):
    run()
    body = mail_to("rosa@congope.gob.ec").body
    assert "Estimado/a rosa_pgi:" in body
    assert "11.1" in body and "12.2" in body and "12.1" not in body
    assert "Periodo 2018: Observado (plazo: 15/01/2019)" in body
    assert "Observación de Planificación: Adjunte el acta" in body
    assert "Periodo 2017: Vencido" in body  # 12.2, never reported
    assert body.count("Periodo 2018: Vencido") == 1  # 12.2's draft
    assert "Periodo 2019: Pendiente (plazo: 15/01/2020)" in body  # 12.2, within grace
    assert "Periodo 2017: Validado" not in body and "11.1 2019" not in body
    assert "esperan su validación" not in body
    assert "&" not in body  # plain text, not HTML-escaped


def test_the_planner_gets_the_list_awaiting_validation(situation):
    run()
    message = mail_to("pablo@congope.gob.ec")
    assert message.subject == "Recordatorio: 1 valor espera su validación"
    assert "Valores enviados que esperan su validación:" in message.body
    assert "11.1" in message.body and "Periodo 2019, enviado por rosa_pgi el" in message.body
    assert "reportar o corregir" not in message.body


def test_one_mail_per_person_and_a_stable_summary_line(situation):
    line = run()
    assert sorted(m.to[0] for m in mail.outbox) == ["pablo@congope.gob.ec", "rosa@congope.gob.ec"]
    # rosa: 11.1 2018 observado; 12.2 2017, 2018 vencido, 2019 pendiente; pablo: 11.1 2019
    assert line == (
        "recordatorios enviados: 2 correos (5 pendientes); ya enviados hoy: 0; "
        "sin correo: 1; fallidos: 0"
    )


def test_what_is_recorded_names_each_item(situation, reporter, planner):
    run()
    pk = indicator("12.2").pk
    assert set(ReminderLog.objects.filter(user=reporter).values_list("item", flat=True)) == {
        f"due:{indicator('11.1').pk}:2018",
        f"due:{pk}:2017",
        f"due:{pk}:2018",
        f"due:{pk}:2019",
    }
    assert list(ReminderLog.objects.filter(user=planner).values_list("item", "day")) == [
        (f"validate:{situation['submitted'].pk}", DAY)
    ]


def test_a_second_run_the_same_day_sends_nothing_and_says_so(situation):
    run()
    sent = len(mail.outbox)
    line = run()
    assert len(mail.outbox) == sent
    assert line.startswith("recordatorios enviados: 0 correos (0 pendientes); ya enviados hoy: 5")


def test_a_new_item_the_same_day_is_mailed_alone(situation, reporter):
    run()
    report(reporter, "12.2", "2019", "3")  # submitted: now awaiting validation
    mail.outbox.clear()
    line = run()
    [message] = mail.outbox
    assert message.to == ["pablo@congope.gob.ec"]
    assert "12.2" in message.body and "11.1" not in message.body
    assert line.startswith("recordatorios enviados: 1 correos (1 pendientes)")


def test_the_next_day_the_reminders_go_again(situation):
    run()
    mail.outbox.clear()
    line = run(day=DAY + datetime.timedelta(days=1))
    assert len(mail.outbox) == 2
    assert line.startswith("recordatorios enviados: 2 correos (5 pendientes); ya enviados hoy: 0")


def test_people_without_an_email_are_skipped_and_counted(situation, other_reporter):
    assert "sin correo: 1" in run()
    assert not ReminderLog.objects.filter(user=other_reporter).exists()
    other_reporter.email = "raul@congope.gob.ec"
    other_reporter.save()
    run()
    assert "12.1" in mail_to("raul@congope.gob.ec").body


def test_inactive_accounts_get_nothing(situation, reporter):
    reporter.is_active = False
    reporter.save()
    run()
    assert [m.to for m in mail.outbox] == [["pablo@congope.gob.ec"]]


def test_a_closed_period_is_not_asked_of_the_unit(situation, official_plan, planner):
    workflow.close_period(planner, official_plan, "2017")
    run()
    body = mail_to("rosa@congope.gob.ec").body
    assert "Periodo 2017" not in body and "Periodo 2018: Vencido" in body


def test_a_failed_mail_is_not_recorded_fails_the_run_and_is_retried(situation, reporter):
    real = mail.send_mail

    def refuse_rosa(subject, body, sender, recipients, **kw):
        if recipients == ["rosa@congope.gob.ec"]:
            raise OSError("servidor de correo caído")
        return real(subject, body, sender, recipients, **kw)

    out = io.StringIO()
    with (
        mock.patch("scorecard.reminders.send_mail", refuse_rosa),
        pytest.raises(CommandError) as failed,
    ):
        call_command("send_reminders", "--date", DAY.isoformat(), stdout=out)
    assert failed.value.returncode == 1
    assert out.getvalue().strip().endswith("fallidos: 1")
    assert [m.to for m in mail.outbox] == [["pablo@congope.gob.ec"]]
    assert not ReminderLog.objects.filter(user=reporter).exists()
    run()
    assert mail_to("rosa@congope.gob.ec")


def test_the_plan_option_limits_the_reminders_and_an_unknown_plan_is_an_error(situation):
    assert run("--plan", PLAN_CODE).startswith("recordatorios enviados: 2 correos")
    with pytest.raises(CommandError, match="plan desconocido: NO-EXISTE"):
        run("--plan", "NO-EXISTE")


def test_a_malformed_date_is_an_error(situation):
    with pytest.raises(CommandError, match="no es una fecha"):
        call_command("send_reminders", "--date", "10/01/2020", stdout=io.StringIO())
