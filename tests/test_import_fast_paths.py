"""The shortcuts that make a 100,000-row import fast give what the slow, plain way gives.

Cells read column by column (``scorecard.imports.cells``) against each widget's ``parse``;
stored values read with the plain cursor against Django's own reading; an update that
leaves out the columns no row changes against one that sets them all.
"""

import datetime
from decimal import Decimal

import pytest

from planning.models import Indicator
from planning.resources import (
    CellError,
    ChoiceWidget,
    NumberWidget,
    PeriodWidget,
    gadp_widget,
    indicator_key_widget,
)
from scorecard.imports.cells import read_column
from scorecard.imports.measurements import MeasurementImporter
from scorecard.models import Measurement
from tests.factories import make_indicator
from tests.test_import_helpers import run_plan, write_csv

HEADER = ["indicador", "periodo", "valor", "numerador", "denominador"]

NUMBERS = [
    "12.5", "12,5", " 7 ", "-3", "+4", "0007", "0", "-0", "0.000001", "0.0000001",
    "1.2300000000", "99999999999999", "100000000000000", "00000000000000012",
    "1e5", "NaN", "inf", "1_000", ".5", "5.", "1.2.3", "12,5,3", "١٢", "+", "-",
    "1 234", "12%",
    12.5, 0.1, 0.30000000000000004, 1e-7, 1e20, 2019.0, -0.0, float("nan"),
    5, 0, True, datetime.date(2019, 3, 1), Decimal("1.5"),
]  # fmt: skip
CODES = ["11.1", " 11.1 ", 11.1, 11.0, 11, True, "1", 1, 1.0, "01", "", "  ", None, "x" * 40]
PERIODS = [
    "2019", 2019, 2019.0, "2019-s1", "2019-Q2", " 2019-t2 ", "2019-03", "2019-13",
    datetime.date(2019, 3, 1), datetime.datetime(2019, 11, 1), "bad", True, 1.5,
]  # fmt: skip
BLANKS = ["", "   ", None]


def _plain(widget, cell):
    """What the slow way reads: None for a blank cell, the value, or the refusal."""
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        return None
    try:
        return widget.parse(cell)
    except CellError as exc:
        return ("refused", str(exc))


def _fast(widget, cells):
    values, failures = read_column(widget, cells)
    for position, message in failures:
        values[position] = ("refused", message)
    return values


def _same(a, b) -> bool:
    """Equal, of the same type, and written the same (``12.5`` is not ``12.500000``)."""
    if isinstance(a, Decimal) and isinstance(b, Decimal) and a.is_nan():
        return b.is_nan()
    return type(a) is type(b) and a == b and str(a) == str(b)


@pytest.mark.parametrize(
    ("widget", "cells"),
    [
        (NumberWidget(), NUMBERS + BLANKS),
        (NumberWidget(max_digits=20, decimal_places=6), NUMBERS + BLANKS),
        (NumberWidget(max_digits=5, decimal_places=2), NUMBERS + BLANKS),
        (NumberWidget(minimum=0, exclusive=True), NUMBERS + BLANKS),
        (indicator_key_widget(), CODES),
        (gadp_widget(), CODES),
        (PeriodWidget(), PERIODS + BLANKS),
        (ChoiceWidget([("creciente", "Creciente"), ("decreciente", "Decreciente")]), CODES),
    ],
    ids=["number", "decimal-20-6", "decimal-5-2", "minimum", "code", "gadp", "period", "choice"],
)
def test_a_column_reads_cell_by_cell_as_its_widget_does(widget, cells):
    column = cells * 2  # repeated cells come from memory the second time
    expected = [_plain(widget, cell) for cell in column]
    got = _fast(widget, column)
    for cell, want, have in zip(column, expected, got, strict=True):
        assert _same(have, want), (cell, want, have)


def test_stored_values_read_as_django_reads_them(official_plan):
    objective = Indicator.objects.filter(plan=official_plan).first().objective
    indicator = make_indicator(objective=objective, code="Z.1", periodicity="mensual")
    # Beyond 15 significant digits SQLite keeps a float: both readings must round alike.
    numbers = ["12.5", "0.000001", "12345678901234.123456", "-98765432109.87654", "-3"]
    for month, number in enumerate(numbers, start=1):
        Measurement.objects.create(
            indicator=indicator, period=f"2018-{month:02d}", value=Decimal(number)
        )
    stored = MeasurementImporter(plan=official_plan)._stored(lock=False)
    django = Measurement.objects.filter(indicator=indicator).values_list("period", "value")
    assert {p: stored[indicator.pk, p, None].value for p, _ in django} == dict(django)


def test_an_overwrite_clears_who_validated_whatever_the_other_rows_hold(
    official_plan, tmp_path, planner, admin_user
):
    admin = admin_user
    codes = ("11.2", "12.2")
    for code in codes:
        indicator = Indicator.objects.get(plan=official_plan, code=code)
        indicator.periodicity, indicator.calculation = "anual", "valor"
        indicator.save()
    first = write_csv(tmp_path / "a.csv", HEADER, [["11.2", "2018", "1", "", ""]])
    assert run_plan("import_measurements", first, "--validate", "--user", planner.username)[0] == 0
    second = write_csv(tmp_path / "b.csv", HEADER, [["12.2", "2018", "1", "", ""]])
    assert run_plan("import_measurements", second, "--user", admin.username)[0] == 0

    rows = [[code, "2018", "2", "", ""] for code in codes]
    both = write_csv(tmp_path / "c.csv", HEADER, rows)
    status, out, err = run_plan(
        "import_measurements", both, "--overwrite", "--user", admin.username
    )

    assert (status, out, err) == (0, "creados 0, actualizados 2, sin cambios 0\n", "")
    for code in codes:
        value = Measurement.objects.get(indicator__code=code, period="2018")
        assert (value.value, value.status) == (2, Measurement.Status.REPORTED)
        assert (value.reported_by, value.validated_by, value.validated_at) == (admin, None, None)
        assert value.history.first().validated_by is None  # the history holds what was written
