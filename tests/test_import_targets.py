"""import_targets and the **metas** format: programming, reformas and their reason."""

from decimal import Decimal

import pytest

from planning.models import Indicator, Plan, Target
from scorecard.models import ImportBatch
from tests.test_import_helpers import errors, run_plan, snapshot, write_csv

HEADER = ["indicador", "periodo", "meta", "meta_max"]


def _target(code, period):
    return Target.objects.get(
        indicator__code=code, indicator__plan__code="CONGOPE-2017-2021", period=period
    )


def _run(tmp_path, rows, *options, header=HEADER):
    path = write_csv(tmp_path / "t.csv", header, rows)
    return run_plan("import_targets", path, *options)


def _fails(tmp_path, rows, *options, header=HEADER):
    before = snapshot()
    status, out, err = _run(tmp_path, rows, *options, header=header)
    assert (status, out) == (1, "")
    assert snapshot() == before
    return errors(err)


@pytest.fixture
def programmed(official_plan, tmp_path):
    """The official plan is approved; its first targets are programming, not a reforma."""
    assert official_plan.status == Plan.Status.APPROVED
    status, out, _ = _run(tmp_path, [["11.2", "2018", "4", ""], ["11.2", "2019", "5", ""]])
    assert (status, out) == (0, "creados 2, actualizados 0, sin cambios 0\n")
    return official_plan


def test_changing_a_target_of_an_approved_plan_needs_a_reason(programmed, tmp_path):
    assert _fails(tmp_path, [["11.2", "2018", "6", ""]]) == [
        "fila 2, columna meta: cambiar la meta de un plan aprobado es una reforma: indique el "
        "motivo (--reason)"
    ]


def test_a_reforma_keeps_the_original_target_and_records_its_reason(programmed, tmp_path):
    rows = [["11.2", "2018", "6", ""], ["11.2", "2019", "5", ""]]
    status, out, _ = _run(tmp_path, rows, "--reason", "Resolución 12-2019")
    assert (status, out) == (0, "creados 0, actualizados 1, sin cambios 1\n")
    target = _target("11.2", "2018")
    assert (target.value, target.original_value, target.reform_reason) == (
        6,
        4,
        "Resolución 12-2019",
    )
    assert ImportBatch.objects.get(kind="metas", updated=1).reason == "Resolución 12-2019"
    _run(tmp_path, [["11.2", "2018", "7", ""]], "--reason", "Segunda reforma")
    target = _target("11.2", "2018")
    assert (target.value, target.original_value, target.reform_reason) == (7, 4, "Segunda reforma")


def test_a_draft_plans_targets_change_without_reason(programmed, tmp_path):
    Plan.objects.filter(pk=programmed.pk).update(status=Plan.Status.DRAFT)
    status, out, _ = _run(tmp_path, [["11.2", "2018", "6", ""]])
    assert (status, out) == (0, "creados 0, actualizados 1, sin cambios 0\n")
    assert (_target("11.2", "2018").value, _target("11.2", "2018").original_value) == (6, None)


def test_an_equal_target_is_unchanged_and_needs_no_reason(programmed, tmp_path):
    status, out, _ = _run(tmp_path, [["11.2", "2018", "4,0", ""]])
    assert (status, out) == (0, "creados 0, actualizados 0, sin cambios 1\n")


def test_a_blank_target_keeps_the_stored_one_and_a_new_one_needs_it(programmed, tmp_path):
    assert _run(tmp_path, [["11.2", "2018", "", ""]])[:2] == (
        0,
        "creados 0, actualizados 0, sin cambios 1\n",
    )
    assert _fails(tmp_path, [["11.2", "2020", "", ""]]) == ["fila 2, columna meta: falta la meta"]


@pytest.fixture
def banded(official_plan):
    Indicator.objects.filter(plan=official_plan, code="12.3").update(polarity="rango")


def test_a_rango_indicator_takes_a_band(banded, tmp_path):
    status, _, _ = _run(tmp_path, [["12.3", "2018", "8", "12"]])
    assert status == 0
    assert (_target("12.3", "2018").value, _target("12.3", "2018").value_max) == (8, 12)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            ["11.2", "2018", "4", "6"],
            "fila 2, columna meta_max: el indicador 11.2 no es de sentido «rango»: no lleva "
            "meta_max",
        ),
        (["12.3", "2018", "8", "7"], "fila 2, columna meta_max: es menor que la meta (8)"),
        (
            ["11.1", "2018-S1", "1", ""],
            "fila 2, columna periodo: el periodo 2018-S1 no corresponde a un indicador anual del "
            "plan 2017–2021",
        ),
        (
            ["11.2", "2018", "1.000,5", ""],
            "fila 2, columna meta: «1.000,5» no es un número (use punto o coma decimal, sin "
            "separador de miles)",
        ),
        (
            ["9.9", "2018", "1", ""],
            "fila 2, columna indicador: no existe el indicador «9.9» en el plan CONGOPE-2017-2021",
        ),
    ],
)
def test_a_wrong_target_row_is_reported_exactly(banded, tmp_path, row, message):
    assert _fails(tmp_path, [row]) == [message]


def test_a_repeated_target_key_names_the_earlier_row(official_plan, tmp_path):
    rows = [["11.2", "2018", "4", ""], ["11.2", "2018.0", "5", ""]]
    assert _fails(tmp_path, rows) == [
        "fila 3, columna periodo: «2018.0» no es un periodo (2019, 2019-S1, 2019-T2 o 2019-03)"
    ]
    rows = [["11.2", "2018", "4", ""], ["11.2", " 2018 ", "5", ""]]
    assert _fails(tmp_path, rows) == [
        "fila 3, columna indicador: 11.2 2018 está repetido: ya aparece en la fila 2"
    ]


@pytest.mark.parametrize("role", ["responsable", "direccion"])
def test_only_planning_staff_import_targets(personas, tmp_path, role):
    user = personas[role].username
    assert _fails(tmp_path, [["11.2", "2018", "4", ""]], "--user", user) == [
        f"usuario {user}: solo Planificación y los administradores cambian metas"
    ]


def test_targets_are_decimal_exact(official_plan, tmp_path):
    _run(tmp_path, [["11.2", "2018", "0,000001", ""]])
    assert _target("11.2", "2018").value == Decimal("0.000001")
