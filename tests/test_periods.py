"""Reporting periods: the notations planners (and their spreadsheets) write, and which period
of an indicator is evaluated at a cut-off (DOMAIN.md, arithmetic 1)."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planning.periods import (
    ANNUAL,
    MONTHLY,
    PERIODICITIES,
    QUARTERLY,
    SEMESTRAL,
    InvalidPeriod,
    Period,
    evaluation_period,
    periods_between,
    periods_of_year,
)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        pytest.param("2019", Period(2019, ANNUAL), id="a year"),
        pytest.param("2019-S1", Period(2019, SEMESTRAL, 1), id="a semester"),
        pytest.param("2019-s2", Period(2019, SEMESTRAL, 2), id="a semester in lower case"),
        pytest.param("2019-T2", Period(2019, QUARTERLY, 2), id="a quarter as T"),
        pytest.param("2019-Q2", Period(2019, QUARTERLY, 2), id="a quarter as Q"),
        pytest.param("2019-q4", Period(2019, QUARTERLY, 4), id="a quarter as lower case q"),
        pytest.param("2019-03", Period(2019, MONTHLY, 3), id="a month"),
        pytest.param("2019-12", Period(2019, MONTHLY, 12), id="december"),
        pytest.param("  2019-T1 ", Period(2019, QUARTERLY, 1), id="surrounding spaces"),
        pytest.param(2019, Period(2019, ANNUAL), id="a year typed as a number"),
        pytest.param(2019.0, Period(2019, ANNUAL), id="a year typed as a float"),
        pytest.param(datetime.date(2019, 3, 1), Period(2019, MONTHLY, 3), id="a date cell"),
        pytest.param(
            datetime.datetime(2019, 3, 1, 0, 0), Period(2019, MONTHLY, 3), id="a datetime cell"
        ),
        pytest.param(Period(2020, SEMESTRAL, 2), Period(2020, SEMESTRAL, 2), id="a period"),
    ],
)
def test_period_is_read_from_every_accepted_notation(written, expected):
    assert Period.parse(written) == expected


@pytest.mark.parametrize(
    "written",
    [
        pytest.param("", id="empty text"),
        pytest.param("abc", id="words"),
        pytest.param("19", id="a two digit year"),
        pytest.param("2019-S3", id="a third semester"),
        pytest.param("2019-T5", id="a fifth quarter"),
        pytest.param("2019-Q0", id="a quarter zero"),
        pytest.param("2019-13", id="a thirteenth month"),
        pytest.param("2019-00", id="a month zero"),
        pytest.param("2019-X1", id="an unknown letter"),
        pytest.param("2019/03", id="a slash"),
        pytest.param(2019.5, id="a fractional number"),
        pytest.param(True, id="a boolean"),
        pytest.param(None, id="nothing"),
        pytest.param(["2019"], id="a list"),
    ],
)
def test_garbage_is_refused_as_an_invalid_period(written):
    with pytest.raises(InvalidPeriod):
        Period.parse(written)


def test_invalid_period_is_a_value_error_for_callers_that_catch_those():
    assert issubclass(InvalidPeriod, ValueError)


@pytest.mark.parametrize(
    ("periodicity", "number"),
    [
        pytest.param(ANNUAL, 2, id="a second year in one year"),
        pytest.param(SEMESTRAL, 0, id="semester zero"),
        pytest.param(QUARTERLY, 5, id="quarter five"),
        pytest.param(MONTHLY, 13, id="month thirteen"),
        pytest.param("semanal", 1, id="an unknown periodicity"),
    ],
)
def test_period_out_of_range_cannot_be_built(periodicity, number):
    with pytest.raises(InvalidPeriod):
        Period(2019, periodicity, number)


@pytest.mark.parametrize(
    ("period", "code"),
    [
        pytest.param(Period(2019, ANNUAL), "2019", id="year"),
        pytest.param(Period(2019, SEMESTRAL, 1), "2019-S1", id="semester"),
        pytest.param(Period(2019, QUARTERLY, 2), "2019-T2", id="quarter written with T"),
        pytest.param(Period(2019, MONTHLY, 3), "2019-03", id="month with two digits"),
    ],
)
def test_period_code_is_canonical(period, code):
    assert period.code == code
    assert str(period) == code


def test_quarter_written_with_q_is_stored_with_t():
    assert Period.parse("2019-Q3").code == "2019-T3"


@st.composite
def periods(draw):
    periodicity = draw(st.sampled_from(PERIODICITIES))
    count = {ANNUAL: 1, SEMESTRAL: 2, QUARTERLY: 4, MONTHLY: 12}[periodicity]
    return Period(draw(st.integers(1000, 9999)), periodicity, draw(st.integers(1, count)))


@given(periods())
def test_any_period_reads_back_from_its_code(period):
    assert Period.parse(period.code) == period


@given(st.sampled_from(PERIODICITIES), st.integers(1000, 9998))
def test_codes_of_one_periodicity_sort_chronologically_as_text(periodicity, year):
    codes = [p.code for p in periods_between(year, year + 1, periodicity)]
    assert sorted(codes) == codes


def test_months_of_periods():
    assert (Period(2019, SEMESTRAL, 2).start_month, Period(2019, SEMESTRAL, 2).end_month) == (7, 12)
    assert (Period(2019, QUARTERLY, 2).start_month, Period(2019, QUARTERLY, 2).end_month) == (4, 6)
    assert (Period(2019, MONTHLY, 5).start_month, Period(2019, MONTHLY, 5).end_month) == (5, 5)


def test_sort_key_orders_by_end_and_puts_the_shorter_period_first():
    mixed = ["2019", "2019-S2", "2019-T4", "2019-12", "2019-S1", "2019-06", "2018"]
    ordered = sorted((Period.parse(c) for c in mixed), key=lambda p: p.sort_key)
    assert [p.code for p in ordered] == [
        "2018",
        "2019-06",
        "2019-S1",
        "2019-12",
        "2019-T4",
        "2019-S2",
        "2019",
    ]


def test_semester_one_ends_within_the_second_quarter_but_not_the_first():
    s1 = Period.parse("2019-S1")
    assert s1.ends_within(Period.parse("2019-T2"))
    assert not s1.ends_within(Period.parse("2019-T1"))
    assert not s1.ends_within(Period.parse("2020-T2"))


def test_year_contains_its_quarters_and_a_quarter_does_not_contain_the_year():
    assert Period.parse("2019").contains(Period.parse("2019-T3"))
    assert not Period.parse("2019-T3").contains(Period.parse("2019"))
    assert not Period.parse("2019").contains(Period.parse("2020-T1"))


def test_periods_of_a_year_and_between_years():
    assert [p.code for p in periods_of_year(2019, SEMESTRAL)] == ["2019-S1", "2019-S2"]
    assert len(periods_of_year(2019, MONTHLY)) == 12
    assert [p.code for p in periods_between(2017, 2019, ANNUAL)] == ["2017", "2018", "2019"]
    assert len(periods_between(2017, 2018, QUARTERLY)) == 8


@pytest.mark.parametrize(
    ("periodicity", "cutoff", "expected"),
    [
        # The examples of DOMAIN.md, arithmetic 1.
        pytest.param(QUARTERLY, "2019", "2019-T4", id="a quarterly indicator at a year cut-off"),
        pytest.param(SEMESTRAL, "2019-T2", "2019-S1", id="a semestral one at the second quarter"),
        pytest.param(MONTHLY, "2019-T2", "2019-06", id="a monthly one at the second quarter"),
        pytest.param(ANNUAL, "2019-T2", None, id="an annual one is not due mid year"),
        pytest.param(
            SEMESTRAL, "2019-T1", None, id="a semestral one is not due at the first quarter"
        ),
        # More of the same rule.
        pytest.param(ANNUAL, "2019", "2019", id="an annual one at its own year"),
        pytest.param(ANNUAL, "2019-T4", "2019", id="an annual one at the last quarter"),
        pytest.param(ANNUAL, "2019-12", "2019", id="an annual one at december"),
        pytest.param(ANNUAL, "2019-S2", "2019", id="an annual one at the second semester"),
        pytest.param(SEMESTRAL, "2019", "2019-S2", id="a semestral one at a year cut-off"),
        pytest.param(
            SEMESTRAL, "2019-T3", None, id="a semestral one is not due at the third quarter"
        ),
        pytest.param(QUARTERLY, "2019-S1", "2019-T2", id="a quarterly one at the first semester"),
        pytest.param(QUARTERLY, "2019-03", "2019-T1", id="a quarterly one at march"),
        pytest.param(QUARTERLY, "2019-02", None, id="a quarterly one is not due in february"),
        pytest.param(MONTHLY, "2019", "2019-12", id="a monthly one at a year cut-off"),
        pytest.param(MONTHLY, "2019-07", "2019-07", id="a monthly one at its own month"),
    ],
)
def test_indicator_is_evaluated_at_its_last_period_ending_inside_the_cutoff(
    periodicity, cutoff, expected
):
    period = evaluation_period(periodicity, Period.parse(cutoff))
    assert (period.code if period else None) == expected


@given(periods(), st.sampled_from(PERIODICITIES))
def test_evaluated_period_is_the_latest_of_its_periods_ending_inside_the_cutoff(
    cutoff, periodicity
):
    period = evaluation_period(periodicity, cutoff)
    own = [p for p in periods_of_year(cutoff.year, periodicity) if p.ends_within(cutoff)]
    if period is None:
        assert own == []
    else:
        assert period.periodicity == periodicity
        assert period.ends_within(cutoff)
        assert period == max(own, key=lambda p: p.sort_key)
