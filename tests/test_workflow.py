"""The report → validate workflow as planners and units live it (scorecard/workflow.py)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from planning.models import Gadp, Indicator, OrgUnit
from scorecard import workflow as wf
from scorecard.models import Measurement
from tests.factories import make_target

Status = Measurement.Status


@pytest.fixture
def indicator(official_plan):
    """An annual value indicator of PGI (the reporter's unit), target 10 in 2018."""
    indicator = Indicator.objects.get(plan=official_plan, code="11.2")
    indicator.responsible_unit = OrgUnit.objects.get(code="PGI")
    indicator.periodicity = "anual"
    indicator.save()
    make_target(indicator=indicator, period="2018", value="10")
    return indicator


@pytest.fixture
def ratio_indicator(official_plan):
    indicator = Indicator.objects.get(plan=official_plan, code="13.2")
    indicator.responsible_unit = OrgUnit.objects.get(code="PGI")
    indicator.periodicity = "anual"
    indicator.save()
    return indicator


def _snapshot():
    return list(
        Measurement.objects.order_by("pk").values(
            "pk", "period", "value", "numerator", "denominator", "status", "version", "analysis"
        )
    )


def _submit(user, indicator, value, version=None, period="2018", analysis="", **kw):
    data = wf.ReportInput(value=Decimal(value), analysis=analysis)
    return wf.save_report(
        user, indicator, period, data, expected_version=version, submit=True, **kw
    )


def test_draft_then_submitted_then_validated(indicator, reporter, planner):
    draft = wf.save_report(reporter, indicator, "2018", wf.ReportInput(value=Decimal("4")))
    assert (draft.status, draft.version, draft.reported_by) == (Status.DRAFT, 1, None)

    sent = _submit(reporter, indicator, "12", version=draft.version)
    assert (sent.status, sent.version, sent.reported_by) == (Status.REPORTED, 2, reporter)
    assert sent.value == Decimal("12")

    done = wf.validate(planner, sent, expected_version=sent.version)
    done.refresh_from_db()
    assert (done.status, done.validated_by, done.version) == (Status.VALIDATED, planner, 3)


def test_returned_report_is_corrected_and_then_validated(indicator, reporter, planner):
    sent = _submit(reporter, indicator, "12")
    returned = wf.return_for_correction(
        planner, sent, "Adjunte el acta.", expected_version=sent.version
    )
    assert returned.status == Status.RETURNED
    assert returned.return_comment == "Adjunte el acta."

    # Saved as a draft, a returned report stays «observado» with the planner's comment.
    kept = wf.save_report(
        reporter,
        indicator,
        "2018",
        wf.ReportInput(value=Decimal("11")),
        expected_version=returned.version,
    )
    assert kept.status == Status.RETURNED

    corrected = _submit(reporter, indicator, "11", version=kept.version)
    assert corrected.status == Status.REPORTED
    validated = wf.validate(planner, corrected, expected_version=corrected.version)
    assert validated.status == Status.VALIDATED
    assert validated.return_comment == ""


def test_returning_needs_a_comment_and_changes_nothing_without_it(indicator, reporter, planner):
    sent = _submit(reporter, indicator, "12")
    before = _snapshot()
    with pytest.raises(wf.WorkflowError) as refused:
        wf.return_for_correction(planner, sent, "  ", expected_version=sent.version)
    assert "qué debe corregir" in refused.value.message_dict["comment"][0]
    assert _snapshot() == before


def test_validated_value_is_locked_until_reopened_with_a_reason(indicator, reporter, planner):
    sent = _submit(reporter, indicator, "12")
    validated = wf.validate(planner, sent, expected_version=sent.version)
    before = _snapshot()

    with pytest.raises(wf.WorkflowError) as refused:
        _submit(reporter, indicator, "13", version=validated.version)
    assert refused.value.message_dict["status"] == [
        "El valor está validado: Planificación debe reabrirlo primero."
    ]
    with pytest.raises(wf.WorkflowError):
        wf.reopen(planner, validated, "", expected_version=validated.version)
    assert _snapshot() == before

    reopened = wf.reopen(
        planner, validated, "Error de digitación", expected_version=validated.version
    )
    assert reopened.status == Status.RETURNED
    latest = reopened.history.order_by("-history_id").first()
    assert latest.history_change_reason == "reabierto: Error de digitación"
    assert latest.history_user == planner

    fixed = _submit(reporter, indicator, "13", version=reopened.version)
    assert fixed.value == Decimal("13")


def test_submitted_value_waits_for_planning_and_the_unit_cannot_change_it(
    indicator, reporter, planner
):
    sent = _submit(reporter, indicator, "12")
    with pytest.raises(wf.WorkflowError) as refused:
        _submit(reporter, indicator, "1", version=sent.version)
    assert "revisión" in refused.value.message_dict["status"][0]
    # Planning may correct it while reviewing.
    corrected = _submit(planner, indicator, "11", version=sent.version)
    assert corrected.value == Decimal("11")


def test_second_of_two_concurrent_edits_is_refused_showing_what_changed(
    indicator, reporter, planner
):
    draft = wf.save_report(reporter, indicator, "2018", wf.ReportInput(value=Decimal("4")))
    seen = draft.version
    wf.save_report(
        planner, indicator, "2018", wf.ReportInput(value=Decimal("5")), expected_version=seen
    )
    before = _snapshot()

    with pytest.raises(wf.Conflict) as conflict:
        wf.save_report(
            reporter, indicator, "2018", wf.ReportInput(value=Decimal("6")), expected_version=seen
        )
    assert _snapshot() == before
    assert Measurement.objects.get().value == Decimal("5")
    change = next(c for c in conflict.value.changes if c.label == "valor")
    assert (change.seen, change.current) == ("4", "5")
    assert conflict.value.changed_by == planner
    assert "Otra persona cambió este valor" in str(conflict.value)


def test_a_form_that_thought_the_report_new_conflicts_with_one_created_meanwhile(
    indicator, reporter, planner
):
    wf.save_report(planner, indicator, "2018", wf.ReportInput(value=Decimal("5")))
    with pytest.raises(wf.Conflict):
        wf.save_report(reporter, indicator, "2018", wf.ReportInput(value=Decimal("6")))
    assert Measurement.objects.get().value == Decimal("5")


def test_validating_with_a_stale_version_is_refused(indicator, reporter, planner, admin_user):
    sent = _submit(reporter, indicator, "12")
    stale = sent.version
    wf.return_for_correction(admin_user, sent, "Revise", expected_version=stale)
    with pytest.raises(wf.Conflict):
        wf.validate(planner, Measurement.objects.get(), expected_version=stale)
    assert Measurement.objects.get().status == Status.RETURNED


def test_value_below_target_needs_a_variance_analysis(indicator, reporter):
    with pytest.raises(wf.WorkflowError) as refused:
        _submit(reporter, indicator, "8")
    assert refused.value.message_dict["analysis"] == [
        "El valor está por debajo de la meta (10): explique la variación."
    ]
    assert not Measurement.objects.exists()
    assert _submit(reporter, indicator, "8", analysis="Retraso de convenios").status == (
        Status.REPORTED
    )


def test_a_draft_below_target_may_wait_for_its_analysis(indicator, reporter):
    draft = wf.save_report(reporter, indicator, "2018", wf.ReportInput(value=Decimal("8")))
    assert draft.status == Status.DRAFT


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("2018-T2", "no corresponde a este indicador"),
        ("2016", "no corresponde a este indicador"),
        ("2019-13", "no corresponde a este indicador"),
    ],
)
def test_a_period_the_indicator_does_not_have_is_refused(indicator, reporter, period, message):
    with pytest.raises(wf.WorkflowError) as refused:
        wf.save_report(reporter, indicator, period, wf.ReportInput(value=Decimal("1")))
    assert message in refused.value.message_dict["period"][0]
    assert not Measurement.objects.exists()


def test_a_period_still_running_is_not_due(indicator, reporter, monkeypatch):
    monkeypatch.setattr(wf.timezone, "localdate", lambda: datetime.date(2019, 6, 30))
    with pytest.raises(wf.WorkflowError) as refused:
        wf.save_report(reporter, indicator, "2019", wf.ReportInput(value=Decimal("1")))
    assert refused.value.message_dict["period"] == [
        "El periodo 2019 aún no termina: se reporta desde el 31/12/2019."
    ]


def test_closed_period_refuses_the_unit_and_needs_a_planners_reason(indicator, reporter, planner):
    wf.close_period(planner, indicator.plan, "2018")
    with pytest.raises(wf.WorkflowError) as refused:
        wf.save_report(reporter, indicator, "2018", wf.ReportInput(value=Decimal("1")))
    assert refused.value.message_dict["period"] == [
        "El periodo 2018 está cerrado: solo Planificación puede cambiarlo."
    ]
    with pytest.raises(wf.WorkflowError) as refused:
        wf.save_report(planner, indicator, "2018", wf.ReportInput(value=Decimal("1")))
    assert "indique el motivo" in refused.value.message_dict["reason"][0]
    assert not Measurement.objects.exists()

    saved = wf.save_report(
        planner, indicator, "2018", wf.ReportInput(value=Decimal("1")), reason="Dato tardío"
    )
    assert saved.history.get().history_change_reason == "Dato tardío"


def test_closing_a_year_closes_its_quarters_and_months(official_plan, planner):
    wf.close_period(planner, official_plan, "2019")
    assert wf.is_closed(official_plan, "2019-T3")
    assert wf.is_closed(official_plan, "2019-07")
    assert not wf.is_closed(official_plan, "2020-01")
    with pytest.raises(wf.WorkflowError) as refused:
        wf.close_period(planner, official_plan, "2019-T2")
    assert refused.value.message_dict["period"] == ["El periodo 2019-T2 ya está cerrado."]


def test_reopening_a_period_needs_a_reason(official_plan, planner, reporter):
    closed = wf.close_period(planner, official_plan, "2019")
    with pytest.raises(wf.WorkflowError):
        wf.reopen_period(planner, closed, "")
    with pytest.raises(PermissionDenied):
        wf.reopen_period(reporter, closed, "porque sí")
    wf.reopen_period(planner, closed, "Corrección aprobada")
    assert not wf.is_closed(official_plan, "2019")


def test_ratio_report_needs_both_parts_and_a_positive_denominator(ratio_indicator, reporter):
    cases = [
        (wf.ReportInput(numerator=Decimal("3")), "denominator"),
        (wf.ReportInput(numerator=Decimal("3"), denominator=Decimal("0")), "denominator"),
        (wf.ReportInput(numerator=Decimal("3"), denominator=Decimal("-2")), "denominator"),
        (wf.ReportInput(value=Decimal("3")), "value"),
    ]
    for data, field in cases:
        with pytest.raises(wf.WorkflowError) as refused:
            wf.save_report(reporter, ratio_indicator, "2018", data, submit=True)
        assert field in refused.value.message_dict
    assert not Measurement.objects.exists()
    data = wf.ReportInput(numerator=Decimal("3"), denominator=Decimal("4"))
    saved = wf.save_report(reporter, ratio_indicator, "2018", data, submit=True)
    assert saved.ratio == Decimal("0.75") * ratio_indicator.factor


def test_another_units_reporter_and_a_director_change_nothing(indicator, other_reporter, director):
    with pytest.raises(PermissionDenied):
        _submit(other_reporter, indicator, "12")
    with pytest.raises(PermissionDenied):
        _submit(director, indicator, "12")
    assert not Measurement.objects.exists()


def test_only_planning_validates(indicator, reporter, other_reporter, director):
    sent = _submit(reporter, indicator, "12")
    with pytest.raises(PermissionDenied):
        wf.validate(reporter, sent, expected_version=sent.version)
    with pytest.raises(PermissionDenied):
        wf.validate(director, sent, expected_version=sent.version)
    with pytest.raises(Http404):  # another unit's unvalidated value is not even visible
        wf.validate(other_reporter, sent, expected_version=sent.version)
    assert Measurement.objects.get().status == Status.REPORTED


def test_per_gadp_parts_follow_the_reports_state(indicator, reporter, planner):
    indicator.disaggregated_by_gadp = True
    indicator.save()
    azuay, guayas = Gadp.objects.order_by("code")[:2]
    data = wf.ReportInput(
        value=Decimal("12"),
        by_gadp={azuay.pk: (Decimal("5"), None, None), guayas.pk: (Decimal("7"), None, None)},
    )
    sent = wf.save_report(reporter, indicator, "2018", data, submit=True)
    parts = Measurement.objects.filter(gadp__isnull=False)
    assert sorted(parts.values_list("value", "status")) == [
        (Decimal("5"), Status.REPORTED),
        (Decimal("7"), Status.REPORTED),
    ]
    wf.validate(planner, sent, expected_version=sent.version)
    assert set(parts.values_list("status", flat=True)) == {Status.VALIDATED}


def test_every_step_leaves_history_with_who_and_why(indicator, reporter, planner):
    sent = _submit(reporter, indicator, "12")
    returned = wf.return_for_correction(planner, sent, "Revise", expected_version=sent.version)
    corrected = _submit(reporter, indicator, "11", version=returned.version)
    wf.validate(planner, corrected, expected_version=corrected.version)
    steps = [
        (h.history_type, h.status, h.history_user, h.history_change_reason)
        for h in Measurement.objects.get().history.order_by("history_id")
    ]
    assert steps == [
        ("+", Status.REPORTED, reporter, "enviado"),
        ("~", Status.RETURNED, planner, "devuelto: Revise"),
        ("~", Status.REPORTED, reporter, "enviado"),
        ("~", Status.VALIDATED, planner, "validado"),
    ]
