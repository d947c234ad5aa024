"""import_measurements and the **mediciones** format: CONTRACT.md, exactly."""

import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from planning.models import Gadp, Indicator, OrgUnit
from scorecard.imports import bulk, import_measurements
from scorecard.models import ClosedPeriod, ImportBatch, Measurement
from tests.conftest import PLAN_CODE
from tests.factories import make_indicator, make_objective, make_perspective
from tests.test_import_helpers import (
    EXAMPLE,
    errors,
    example_file,
    import_example,
    run,
    run_plan,
    snapshot,
    write_csv,
)

HEADER = ["indicador", "periodo", "valor", "numerador", "denominador"]


@pytest.fixture
def configured(official_plan, tmp_path):
    """The official plan with the worked example's indicator settings and targets."""
    for command, name in (
        ("import_indicators", "indicadores.csv"),
        ("import_targets", "metas.csv"),
    ):
        assert run_plan(command, example_file(name, tmp_path))[0] == 0
    return official_plan


def _value(code, period, gadp=None):
    return Measurement.objects.get(indicator__code=code, period=period, gadp__code=gadp)


@pytest.mark.parametrize("period", ["2018", "2018-T3"])
def test_the_worked_example_through_the_three_commands_gives_the_expected_scorecard(
    official_plan, tmp_path, capsys, period
):
    import_example(tmp_path)
    capsys.readouterr()
    call_command("scorecard", "--plan", PLAN_CODE, "--period", period)  # prints to sys.stdout
    expected = json.loads((EXAMPLE / "expected.json").read_text(encoding="utf-8"))[period]
    assert json.loads(capsys.readouterr().out) == expected


def test_each_command_prints_its_one_line_summary(official_plan, tmp_path):
    lines = []
    for command, name, extra in (
        ("import_indicators", "indicadores.csv", []),
        ("import_targets", "metas.csv", []),
        ("import_measurements", "mediciones.csv", ["--validate"]),
    ):
        status, out, err = run_plan(command, example_file(name, tmp_path), *extra)
        assert (status, err) == (0, "")
        lines.append(out)
    assert lines == [
        "creados 0, actualizados 8, sin cambios 1\n",  # 13.3 already had these settings
        "creados 14, actualizados 0, sin cambios 0\n",
        "creados 12, actualizados 0, sin cambios 0\n",
    ]


def test_importing_the_same_files_twice_changes_nothing_the_second_time(official_plan, tmp_path):
    import_example(tmp_path)
    before = snapshot()
    for command, name, extra in (
        ("import_indicators", "indicadores.csv", []),
        ("import_targets", "metas.csv", []),
        ("import_measurements", "mediciones.csv", ["--validate"]),
    ):
        status, out, _ = run_plan(command, example_file(name, tmp_path), *extra)
        assert status == 0
        assert out.startswith("creados 0, actualizados 0, sin cambios ")
    assert snapshot() == before  # not even a provenance record


def test_an_import_records_who_when_which_file_and_each_values_row(configured, tmp_path):
    path = example_file("mediciones.csv", tmp_path)
    run_plan("import_measurements", path, "--validate")
    batch = ImportBatch.objects.get(kind=ImportBatch.Kind.MEASUREMENTS)
    assert (batch.file_name, batch.user, batch.who) == ("mediciones.csv", None, "línea de comandos")
    assert (batch.created, batch.updated, batch.unchanged, batch.validated) == (12, 0, 0, True)
    assert batch.plan.code == PLAN_CODE and batch.created_at is not None
    value = _value("12.1", "2018-T3")  # the 7th line of the file
    assert (value.import_batch, value.import_row) == (batch, 7)
    assert value.status == Measurement.Status.VALIDATED


def test_a_named_user_is_recorded_as_reporter_and_validator(configured, tmp_path, planner):
    path = write_csv(tmp_path / "m.csv", HEADER, [["11.2", "2018", "5", "", ""]])
    status, _, _ = run_plan("import_measurements", path, "--validate", "--user", planner.username)
    assert status == 0
    value = _value("11.2", "2018")
    assert (value.reported_by, value.validated_by) == (planner, planner)
    assert ImportBatch.objects.get(kind="mediciones").who == planner.username


def test_without_validate_values_enter_as_reported(configured, tmp_path):
    path = write_csv(tmp_path / "m.csv", HEADER, [["11.2", "2018", "5", "", ""]])
    assert run_plan("import_measurements", path)[0] == 0
    value = _value("11.2", "2018")
    assert (value.status, value.validated_at) == (Measurement.Status.REPORTED, None)


def test_validate_marks_an_equal_reported_value_as_validated(configured, tmp_path):
    path = write_csv(tmp_path / "m.csv", HEADER, [["11.2", "2018", "5", "", ""]])
    run_plan("import_measurements", path)
    status, out, _ = run_plan("import_measurements", path, "--validate")
    assert (status, out) == (0, "creados 0, actualizados 1, sin cambios 0\n")
    assert _value("11.2", "2018").status == Measurement.Status.VALIDATED


def _fails(tmp_path, rows, *options, header=HEADER):
    """Import rows that must fail: exit 1, nothing written; returns the stderr lines."""
    path = write_csv(tmp_path / "m.csv", header, rows)
    before = snapshot()
    status, out, err = run_plan("import_measurements", path, *options)
    assert (status, out) == (1, "")
    assert snapshot() == before
    return errors(err)


ROW_ERRORS = [
    (
        ["99.9", "2018", "1", "", ""],
        "fila 2, columna indicador: no existe el indicador «99.9» en el plan CONGOPE-2017-2021",
    ),
    (["", "2018", "1", "", ""], "fila 2, columna indicador: falta el indicador"),
    (["11.2", "", "1", "", ""], "fila 2, columna periodo: falta el periodo"),
    (
        ["11.1", "2018-T1", "1", "", ""],
        "fila 2, columna periodo: el periodo 2018-T1 no corresponde a un indicador semestral "
        "del plan 2017–2021",
    ),
    (
        ["11.2", "2025", "1", "", ""],
        "fila 2, columna periodo: el periodo 2025 no corresponde a un indicador anual "
        "del plan 2017–2021",
    ),
    (
        ["11.2", "2018-13", "1", "", ""],
        "fila 2, columna periodo: «2018-13» no es un periodo (2019, 2019-S1, 2019-T2 o 2019-03)",
    ),
    (
        ["13.2", "2018", "75", "", ""],
        "fila 2, columna valor: el indicador 13.2 es una razón: indique numerador y denominador",
    ),
    (
        ["13.2", "2018", "", "9", ""],
        "fila 2, columna denominador: falta el denominador: una razón necesita los dos",
    ),
    (
        ["13.2", "2018", "", "", "12"],
        "fila 2, columna numerador: falta el numerador: una razón necesita los dos",
    ),
    (["13.2", "2018", "", "9", "0"], "fila 2, columna denominador: el denominador no puede ser 0"),
    (
        ["13.2", "2018", "", "9", "-3"],
        "fila 2, columna denominador: el denominador debe ser mayor que 0",
    ),
    (
        ["11.2", "2018", "", "9", "12"],
        "fila 2, columna numerador: el indicador 11.2 se reporta con valor, no con razón",
    ),
    (
        ["11.2", "2018", "1.234,5", "", ""],
        "fila 2, columna valor: «1.234,5» no es un número (use punto o coma decimal, "
        "sin separador de miles)",
    ),
    (
        ["11.2", "2018", "1,2345678", "", ""],
        "fila 2, columna valor: «1,2345678» tiene más de 6 decimales",
    ),
    (
        ["11.2", "2018", "1e5", "", ""],
        "fila 2, columna valor: «1e5» no es un número (use punto o coma decimal, sin "
        "separador de miles)",
    ),
    (
        ["11.2", "2018", "123456789012345", "", ""],
        "fila 2, columna valor: «123456789012345» es demasiado grande",
    ),
]


@pytest.mark.parametrize(("row", "message"), ROW_ERRORS)
def test_a_wrong_row_is_reported_exactly_and_nothing_is_written(configured, tmp_path, row, message):
    good = ["11.2", "2019", "4", "", ""]
    assert _fails(tmp_path, [row, good]) == [message]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (["11.2", "2018", "", "", "", "sin número"], "fila 2, columna valor: falta el valor"),
        (
            ["13.2", "2018", "", "", "", "sin número"],
            "fila 2, columna numerador: faltan el numerador y el denominador",
        ),
    ],
)
def test_a_row_with_analysis_but_no_number_lacks_its_value(configured, tmp_path, row, message):
    assert _fails(tmp_path, [row], header=[*HEADER, "analisis"]) == [message]


@pytest.mark.parametrize("code", ["11.2", "13.2"])
def test_a_row_whose_value_cells_are_all_blank_is_sin_datos_and_skipped(configured, tmp_path, code):
    path = write_csv(tmp_path / "m.csv", [*HEADER, "analisis"], [[code, "2018", "", "", "", ""]])
    before = snapshot()
    assert run_plan("import_measurements", path)[:2] == (
        0,
        "creados 0, actualizados 0, sin cambios 1\n",
    )
    assert snapshot() == before


def test_every_problem_of_a_file_is_reported_in_file_order(configured, tmp_path):
    rows = [["11.2", "2018", "x", "", ""], ["99", "2018-T1", "1", "", ""]]
    assert _fails(tmp_path, rows) == [
        "fila 2, columna valor: «x» no es un número (use punto o coma decimal, sin separador "
        "de miles)",
        "fila 3, columna indicador: no existe el indicador «99» en el plan CONGOPE-2017-2021",
    ]


def test_a_repeated_key_is_reported_on_its_later_row_naming_the_earlier(configured, tmp_path):
    rows = [
        ["11.2", "2018", "1", "", ""],
        ["11.1", "2018-S1", "1", "", ""],
        ["11.2", "2018", "2", "", ""],
    ]
    assert _fails(tmp_path, rows) == [
        "fila 4, columna indicador: 11.2 2018 está repetido: ya aparece en la fila 2"
    ]


def test_the_same_period_written_two_ways_is_a_repeated_key(configured, tmp_path):
    rows = [["12.1", "2018-T1", "1", "", ""], ["12.1", "2018-q1", "1", "", ""]]
    assert _fails(tmp_path, rows) == [
        "fila 3, columna indicador: 12.1 2018-T1 está repetido: ya aparece en la fila 2"
    ]


def test_header_problems_are_on_row_1_named_as_the_file_writes_them(configured, tmp_path):
    header = ["Indicador", "Periodo", "VALOR", "Observación", "valor"]
    assert _fails(tmp_path, [["11.2", "2018", "1", "x", "1"]], header=header) == [
        "fila 1, columna Observación: columna desconocida; las columnas de este formato son: "
        "indicador, periodo, gadp, valor, numerador, denominador, analisis",
        "fila 1, columna valor: columna repetida (ya está en C)",
    ]


def test_a_missing_key_column_is_a_problem_of_row_1(configured, tmp_path):
    assert _fails(tmp_path, [["11.2", "1"]], header=["indicador", "valor"]) == [
        "fila 1, columna periodo: falta esta columna, que es obligatoria"
    ]


def test_data_under_a_column_without_header_is_not_silently_dropped(configured, tmp_path):
    assert _fails(tmp_path, [["11.2", "2018", "1", "", "", "x"]]) == [
        "fila 2, columna F: hay un dato en una columna sin encabezado"
    ]


def test_an_indicator_of_another_plan_is_not_found_in_this_one(configured, tmp_path):
    other = make_indicator(objective=make_objective(perspective=make_perspective()), code="X.1")
    assert other.plan.code != PLAN_CODE
    assert _fails(tmp_path, [["X.1", "2018", "1", "", ""]]) == [
        "fila 2, columna indicador: no existe el indicador «X.1» en el plan CONGOPE-2017-2021"
    ]


def test_a_validated_value_stays_unless_overwrite(configured, tmp_path):
    run_plan("import_measurements", example_file("mediciones.csv", tmp_path), "--validate")
    rows = [["11.2", "2018", "6", "", ""]]
    assert _fails(tmp_path, rows) == [
        "fila 2, columna valor: la medición 11.2 2018 ya está validada; para reemplazarla use "
        "--overwrite"
    ]
    path = write_csv(tmp_path / "m.csv", HEADER, rows)
    status, out, _ = run_plan("import_measurements", path, "--overwrite")
    assert (status, out) == (0, "creados 0, actualizados 1, sin cambios 0\n")
    value = _value("11.2", "2018")
    assert (value.value, value.status, value.version) == (6, Measurement.Status.REPORTED, 2)


def test_a_value_inside_a_closed_period_is_a_row_error_unless_overwrite(configured, tmp_path):
    ClosedPeriod.objects.create(plan=configured, period="2018")
    rows = [["12.1", "2018-T3", "1", "", ""], ["11.2", "2019", "4", "", ""]]
    assert _fails(tmp_path, rows) == [
        "fila 2, columna periodo: el periodo 2018-T3 está cerrado; para cambiarlo use --overwrite"
    ]
    path = write_csv(tmp_path / "m.csv", HEADER, rows)
    status, out, _ = run_plan("import_measurements", path, "--overwrite")
    assert (status, out) == (0, "creados 2, actualizados 0, sin cambios 0\n")


def test_a_closed_period_is_read_once_whatever_the_number_of_rows(configured, tmp_path):
    ClosedPeriod.objects.create(plan=configured, period="2017")
    rows = [["12.1", f"2018-T{q}", "1", "", ""] for q in range(1, 5)]
    path = write_csv(tmp_path / "m.csv", HEADER, rows)
    with CaptureQueriesContext(connection) as few:
        assert run_plan("import_measurements", path, "--dry-run")[0] == 0
    rows += [["11.1", f"{y}-S{s}", "1", "", ""] for y in (2018, 2019) for s in (1, 2)]
    path = write_csv(tmp_path / "m.csv", HEADER, rows)
    with CaptureQueriesContext(connection) as more:
        assert run_plan("import_measurements", path, "--dry-run")[0] == 0
    assert len(more.captured_queries) == len(few.captured_queries)


def test_an_equal_validated_value_is_unchanged_not_an_error(configured, tmp_path):
    run_plan("import_measurements", example_file("mediciones.csv", tmp_path), "--validate")
    path = write_csv(tmp_path / "m.csv", HEADER, [["11.2", "2018", "5,000", "", ""]])
    assert run_plan("import_measurements", path)[:2] == (
        0,
        "creados 0, actualizados 0, sin cambios 1\n",
    )


def test_a_column_left_out_keeps_what_is_stored(configured, tmp_path):
    path = write_csv(tmp_path / "m.csv", HEADER, [["13.2", "2018", "", "9", "12"]])
    run_plan("import_measurements", path)
    path = write_csv(
        tmp_path / "a.csv", ["indicador", "periodo", "analisis"], [["13.2", "2018", "ok"]]
    )
    assert run_plan("import_measurements", path)[:2] == (
        0,
        "creados 0, actualizados 1, sin cambios 0\n",
    )
    value = _value("13.2", "2018")
    assert (value.numerator, value.denominator, value.analysis) == (9, 12, "ok")


@pytest.fixture
def by_province(configured):
    indicator = Indicator.objects.get(plan=configured, code="11.2")
    indicator.disaggregated_by_gadp = True
    indicator.save()
    return indicator


def test_gadp_rows_are_keyed_by_province_and_read_numeric_codes(by_province, tmp_path):
    header = [*HEADER, "gadp"]
    rows = [
        ["11.2", "2018", "5", "", "", ""],
        ["11.2", "2018", "1", "", "", "1"],
        ["11.2", "2018", "2", "", "", "24"],
    ]
    path = write_csv(tmp_path / "m.csv", header, rows)
    assert run_plan("import_measurements", path)[:2] == (
        0,
        "creados 3, actualizados 0, sin cambios 0\n",
    )
    assert _value("11.2", "2018", "01").value == 1
    assert _value("11.2", "2018").value == 5
    assert Gadp.objects.get(code="24").measurements.get().value == 2


def test_gadp_problems(by_province, tmp_path):
    header = [*HEADER, "gadp"]
    rows = [["11.2", "2018", "5", "", "", "20"], ["11.1", "2018-S1", "1", "", "", "01"]]
    assert _fails(tmp_path, rows, header=header) == [
        "fila 2, columna gadp: no existe el GADP «20»",
        "fila 3, columna gadp: el indicador 11.1 no se desagrega por GADP",
    ]


# --- who may import what (planning/access.py decides) ---------------------------------------


@pytest.fixture
def pgi_indicator(configured):
    Indicator.objects.filter(plan=configured, code="11.2").update(
        responsible_unit=OrgUnit.objects.get(code="PGI")
    )


def test_a_reporter_imports_values_of_their_units_indicators(pgi_indicator, reporter, tmp_path):
    path = write_csv(tmp_path / "m.csv", HEADER, [["11.2", "2018", "5", "", ""]])
    assert run_plan("import_measurements", path, "--user", reporter.username)[0] == 0
    value = _value("11.2", "2018")
    assert (value.status, value.reported_by) == (Measurement.Status.REPORTED, reporter)


def test_a_reporter_may_not_import_another_units_values(pgi_indicator, reporter, tmp_path):
    rows = [["11.2", "2018", "5", "", ""], ["11.1", "2018-S1", "1", "", ""]]
    assert _fails(tmp_path, rows, "--user", reporter.username) == [
        "fila 3, columna indicador: no puede reportar el indicador 11.1: no es de sus unidades"
    ]


def test_a_reporter_of_another_unit_may_import_nothing_of_pgi(
    pgi_indicator, other_reporter, tmp_path
):
    rows = [["11.2", "2018", "5", "", ""]]
    assert _fails(tmp_path, rows, "--user", other_reporter.username) == [
        "fila 2, columna indicador: no puede reportar el indicador 11.2: no es de sus unidades"
    ]


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (
            "--validate",
            "usuario rosa_pgi: solo Planificación y los administradores validan valores",
        ),
        (
            "--overwrite",
            "usuario rosa_pgi: solo Planificación y los administradores reemplazan valores",
        ),
    ],
)
def test_only_planning_staff_validate_or_overwrite(
    pgi_indicator, reporter, tmp_path, option, message
):
    assert _fails(
        tmp_path, [["11.2", "2018", "5", "", ""]], option, "--user", reporter.username
    ) == [message]


def test_a_director_imports_no_values(configured, director, tmp_path):
    assert _fails(tmp_path, [["11.2", "2018", "5", "", ""]], "--user", director.username) == [
        "fila 2, columna indicador: no puede reportar el indicador 11.2: no es de sus unidades"
    ]


# --- all or nothing, set-based ------------------------------------------------------------


def test_dry_run_counts_and_writes_nothing(configured, tmp_path):
    before = snapshot()
    path = example_file("mediciones.csv", tmp_path)
    status, out, _ = run_plan("import_measurements", path, "--dry-run")
    assert (status, out) == (0, "creados 12, actualizados 0, sin cambios 0\n")
    assert snapshot() == before


def test_a_failure_while_writing_rolls_back_everything(configured, tmp_path, monkeypatch):
    run_plan("import_measurements", example_file("mediciones.csv", tmp_path))
    before = snapshot()
    rows = [["11.2", "2018", "7", "", ""], ["11.2", "2019", "7", "", ""]]  # an update, a new row

    def broken_update(*args, **kwargs):
        raise RuntimeError("la base de datos se cayó")

    monkeypatch.setattr("scorecard.imports.measurements.update_rows", broken_update)
    with pytest.raises(RuntimeError):
        import_measurements(write_csv(tmp_path / "m.csv", HEADER, rows), plan=configured)
    assert snapshot() == before  # the insert that ran before the failure is gone too


def test_a_key_written_meanwhile_by_someone_else_fails_the_whole_import(
    configured, tmp_path, monkeypatch
):
    def concurrent_insert(*args, **kwargs):
        raise IntegrityError("UNIQUE constraint failed")

    monkeypatch.setattr("scorecard.imports.measurements.insert_rows", concurrent_insert)
    before = snapshot()
    result = import_measurements(example_file("mediciones.csv", tmp_path), plan=configured)
    assert result.messages() == [
        "archivo: otra operación cambió los mismos datos a la vez; no se guardó nada: vuelva a "
        "importar"
    ]
    assert (result.batch, snapshot()) == (None, before)


def test_the_number_of_queries_does_not_grow_with_the_rows(configured, tmp_path):
    periods = [f"20{y}-T{q}" for y in range(17, 22) for q in range(1, 5)]

    def queries(count):
        Measurement.objects.all().delete()
        rows = [["12.1", p, "3", "", ""] for p in periods[:count]]
        path = write_csv(tmp_path / f"m{count}.csv", HEADER, rows)
        with CaptureQueriesContext(connection) as ctx:
            assert import_measurements(path, plan=configured).created == count
        return len(ctx.captured_queries)

    # plan's indicators, GADP codes (only with a gadp column), stored values, the record,
    # one INSERT per 2,000 rows, and the savepoint: a constant, whatever the rows.
    assert queries(2) == queries(20)


def test_updates_go_through_one_statement_per_batch(configured, tmp_path, monkeypatch):
    monkeypatch.setattr(bulk, "ROWS_PER_STATEMENT", 3)
    rows = [
        [code, period, "1", "", ""]
        for code, period in (
            ("11.2", "2018"),
            ("11.2", "2019"),
            ("12.2", "2017"),
            ("12.2", "2018"),
            ("12.3", "2018"),
        )
    ]
    import_measurements(write_csv(tmp_path / "a.csv", HEADER, rows), plan=configured)
    changed = [[c, p, "2", "", ""] for c, p, *_ in rows]
    result = import_measurements(write_csv(tmp_path / "b.csv", HEADER, changed), plan=configured)
    assert result.updated == 5
    assert set(Measurement.objects.values_list("value", "version")) == {(Decimal(2), 2)}


def test_the_plan_must_exist(official_plan, tmp_path):
    path = example_file("mediciones.csv", tmp_path)
    status, out, err = run("import_measurements", path, "--plan", "NO-EXISTE")
    assert (status, out, err) == (1, "", "plan NO-EXISTE: no existe\n")


def test_the_user_must_exist(official_plan, tmp_path):
    path = example_file("mediciones.csv", tmp_path)
    status, _, err = run_plan("import_measurements", path, "--user", "nadie")
    assert (status, err) == (1, "usuario nadie: no existe\n")
