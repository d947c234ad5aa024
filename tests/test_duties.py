"""What each unit owes: duty states on a fixed day, order, scope and a fixed number of queries."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from planning.models import Gadp, Indicator, OrgUnit
from scorecard import duties
from scorecard.models import ClosedPeriod, Measurement
from tests.conftest import PASSWORD
from tests.factories import make_indicator, make_measurement, make_target

# 2019 ended on 31 December; with 15 grace days it is due on 15 January 2020.
TODAY = datetime.date(2020, 1, 10)
Status = Measurement.Status


@pytest.fixture
def pgi_indicator(official_plan):
    """11.1 (annual, a plain value) reported by PGI."""
    indicator = Indicator.objects.get(plan=official_plan, code="11.1")
    indicator.responsible_unit = OrgUnit.objects.get(code="PGI")
    indicator.save()
    return indicator


def _quarterly(plan, unit_code="PGI", **kw):
    objective = plan.strategicobjective_set.order_by("code").first()
    unit = OrgUnit.objects.get(code=unit_code)
    return make_indicator(
        objective=objective, periodicity="trimestral", responsible_unit=unit, order=99, **kw
    )


def _pgi(indicator):
    return duties.duties_for_units(indicator.plan, [indicator.responsible_unit_id], TODAY)


def _by_period(items):
    return {d.period.code: d for d in items}


# --- States -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "today", "expected"),
    [
        (None, datetime.date(2020, 1, 15), "pendiente"),  # the due day itself
        (None, datetime.date(2020, 1, 16), "vencido"),
        ("borrador", datetime.date(2020, 1, 10), "borrador"),
        ("borrador", datetime.date(2020, 2, 1), "vencido"),
        ("observado", datetime.date(2020, 1, 10), "observado"),
        ("observado", datetime.date(2021, 1, 1), "observado"),  # the comment still comes first
        ("reportado", datetime.date(2021, 1, 1), "reportado"),
        ("validado", datetime.date(2021, 1, 1), "validado"),
    ],
)
def test_a_duty_state_follows_the_report_and_the_due_date(status, today, expected):
    report = Measurement(status=status) if status else None
    assert duties.state_of(report, datetime.date(2020, 1, 15), today) == expected


def test_each_ended_period_of_the_units_indicator_is_a_duty_in_its_state(pgi_indicator):
    returned = make_measurement(
        indicator=pgi_indicator,
        period="2017",
        value=3,
        status=Status.RETURNED,
        return_comment="Falta el acta",
    )
    make_measurement(indicator=pgi_indicator, period="2018", value=4, status=Status.DRAFT)
    items = _by_period(_pgi(pgi_indicator))
    assert set(items) == {"2017", "2018", "2019"}  # 2020 and 2021 have not ended
    assert items["2017"].state == "observado"
    assert items["2017"].measurement == returned
    assert items["2017"].measurement.return_comment == "Falta el acta"
    assert items["2018"].state == "vencido"  # a draft past its due date
    assert items["2019"].state == "pendiente"
    assert items["2019"].measurement is None
    assert items["2019"].due == datetime.date(2020, 1, 15)


def test_reported_and_validated_reports_are_listed_last(pgi_indicator):
    make_measurement(indicator=pgi_indicator, period="2017", value=3, status=Status.VALIDATED)
    make_measurement(indicator=pgi_indicator, period="2018", value=3, status=Status.REPORTED)
    make_measurement(indicator=pgi_indicator, period="2019", value=3, status=Status.DRAFT)
    states = [d.state for d in _pgi(pgi_indicator)]
    assert states == ["borrador", "reportado", "validado"]


def test_duties_are_sorted_by_state_then_period(official_plan, pgi_indicator):
    quarterly = _quarterly(official_plan)
    make_measurement(indicator=quarterly, period="2019-T2", status=Status.RETURNED, value=1)
    make_measurement(indicator=pgi_indicator, period="2017", status=Status.RETURNED, value=1)
    make_measurement(indicator=quarterly, period="2017-T1", status=Status.VALIDATED, value=1)
    items = duties.duties_for_units(official_plan, [pgi_indicator.responsible_unit_id], TODAY)
    states = [d.state for d in items]
    assert states == sorted(states, key=duties.STATES.index)
    assert [(d.indicator.code, d.period.code) for d in items[:2]] == [
        ("11.1", "2017"),
        (quarterly.code, "2019-T2"),
    ]
    overdue = [d.period for d in items if d.state == "vencido"]
    assert overdue == sorted(overdue, key=lambda p: p.sort_key)
    assert items[-1].state == "validado"


def test_only_periods_of_the_indicators_periodicity_that_have_ended(official_plan):
    quarterly = _quarterly(official_plan)
    items = _by_period(
        duties.duties_for_units(official_plan, [quarterly.responsible_unit_id], TODAY)
    )
    assert len(items) == 12  # 2017-T1 … 2019-T4
    assert "2019-T4" in items and "2020-T1" not in items
    assert items["2019-T4"].state == "pendiente"  # ended 31 Dec, due 15 Jan
    assert items["2019-T3"].state == "vencido"  # due 15 October
    assert all(code.count("-T") == 1 for code in items)


def test_a_duty_carries_its_target(pgi_indicator):
    make_target(indicator=pgi_indicator, period="2018", value="12.5")
    items = _by_period(_pgi(pgi_indicator))
    assert items["2018"].target.value == 12.5
    assert items["2017"].target is None


def test_the_duty_is_the_indicators_own_value_not_a_provinces_part(pgi_indicator):
    pgi_indicator.disaggregated_by_gadp = True
    pgi_indicator.save()
    gadp = Gadp.objects.order_by("code").first()
    make_measurement(indicator=pgi_indicator, period="2018", gadp=gadp, value=1)
    items = _by_period(_pgi(pgi_indicator))
    assert items["2018"].measurement is None
    assert items["2018"].state == "vencido"


def test_duties_in_a_closed_period_are_marked_closed(pgi_indicator, planner):
    quarterly = _quarterly(pgi_indicator.plan)
    ClosedPeriod.objects.create(plan=pgi_indicator.plan, period="2018", closed_by=planner)
    items = _pgi(pgi_indicator)
    closed = {(d.indicator.code, d.period.code) for d in items if d.closed}
    assert ("11.1", "2018") in closed
    assert (quarterly.code, "2018-T3") in closed  # a closed year closes its quarters
    assert ("11.1", "2017") not in closed


def test_counts_by_state_name_every_state_in_order(pgi_indicator):
    make_measurement(indicator=pgi_indicator, period="2017", value=3, status=Status.VALIDATED)
    counts = duties.count_by_state(_pgi(pgi_indicator))
    assert list(counts) == list(duties.STATES)
    assert counts == {
        "observado": 0,
        "vencido": 1,
        "pendiente": 1,
        "borrador": 0,
        "reportado": 0,
        "validado": 1,
    }


# --- Whose duties -------------------------------------------------------------------------


@pytest.fixture
def two_units(official_plan):
    """11.1 for PGI, 12.1 for RI, the others without a unit."""
    for code, unit in (("11.1", "PGI"), ("12.1", "RI")):
        indicator = Indicator.objects.get(plan=official_plan, code=code)
        indicator.responsible_unit = OrgUnit.objects.get(code=unit)
        indicator.save()
    return official_plan


@pytest.mark.parametrize(
    ("role", "codes"),
    [
        ("admin", {"11.1", "11.2", "12.1", "12.2", "12.3", "13.1", "13.2", "13.3", "14.1"}),
        ("planificacion", {"11.1", "11.2", "12.1", "12.2", "12.3", "13.1", "13.2", "13.3", "14.1"}),
        ("direccion", set()),
        ("responsable", {"11.1"}),
        ("otro_responsable", {"12.1"}),
    ],
)
def test_duties_for_a_user_follow_the_access_helper(two_units, personas, role, codes):
    items = duties.duties_for(personas[role], two_units, TODAY)
    assert {d.indicator.code for d in items} == codes


def test_an_account_without_a_role_has_no_duties(two_units):
    user = get_user_model().objects.create_user("sin_rol", password=PASSWORD)
    assert duties.duties_for(user, two_units, TODAY) == []


def test_duties_for_units_reads_a_fixed_number_of_queries(official_plan, pgi_indicator):
    unit = pgi_indicator.responsible_unit

    def count():
        with CaptureQueriesContext(connection) as ctx:
            items = duties.duties_for_units(official_plan, [unit.pk], TODAY)
            # What the page and the reminders read of each duty.
            shown = [
                (d.indicator.plan.code, d.indicator.responsible_unit.code, d.target)
                + ((d.measurement.ratio,) if d.measurement else ())
                for d in items
            ]
        return len(ctx.captured_queries), len(shown)

    small, small_items = count()
    for n in range(6):
        other = _quarterly(official_plan, calculation="razon", factor=100)
        for period in ("2017-T1", "2018-T2", "2019-T3"):
            make_target(indicator=other, period=period, value=n + 1)
            make_measurement(indicator=other, period=period, numerator=1, denominator=2)
    large, large_items = count()
    # indicators, measurements, targets, closed periods
    assert small == large == 4
    assert large_items > small_items * 10
