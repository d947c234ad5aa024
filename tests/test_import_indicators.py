"""import_indicators and the **indicadores** format: create, update, blanks, codes, rules."""

from decimal import Decimal

import pytest

from planning.models import Indicator, OrgUnit
from scorecard.imports import import_indicators
from tests.factories import make_target
from tests.test_import_helpers import (
    errors,
    example_file,
    run_plan,
    snapshot,
    write_csv,
    write_xlsx,
)


def _indicator(code):
    return Indicator.objects.get(plan__code="CONGOPE-2017-2021", code=code)


def _ok(tmp_path, header, rows, *options):
    path = write_csv(tmp_path / "i.csv", header, rows)
    status, out, err = run_plan("import_indicators", path, *options)
    assert (status, err) == (0, ""), err
    return out


def _fails(tmp_path, header, rows, *options):
    path = write_csv(tmp_path / "i.csv", header, rows)
    before = snapshot()
    status, out, err = run_plan("import_indicators", path, *options)
    assert (status, out) == (1, "")
    assert snapshot() == before
    return errors(err)


def test_the_example_configures_the_official_indicators_and_keeps_their_names(
    official_plan, tmp_path
):
    name = _indicator("14.1").name
    status, out, _ = run_plan("import_indicators", example_file("indicadores.csv", tmp_path))
    assert (status, out) == (0, "creados 0, actualizados 8, sin cambios 1\n")
    indicator = _indicator("14.1")
    assert indicator.name == name  # a blank nombre keeps the official name
    assert (indicator.calculation, indicator.reference, indicator.baseline) == (
        "razon",
        "brecha",
        60,
    )
    assert (indicator.baseline_year, indicator.final_target) == (2016, 90)  # column left out
    assert (_indicator("11.1").periodicity, _indicator("11.1").accumulation) == (
        "semestral",
        "acumulado",
    )
    assert _indicator("13.1").window == "plan"


def test_the_same_file_as_xlsx_imports_the_same(official_plan, tmp_path):
    import csv

    with open(example_file("indicadores.csv", tmp_path), encoding="utf-8") as fh:
        header, *rows = list(csv.reader(fh))
    path = write_xlsx(tmp_path / "i.xlsx", header, rows)
    status, out, _ = run_plan("import_indicators", path)
    assert (status, out) == (0, "creados 0, actualizados 8, sin cambios 1\n")
    assert _indicator("14.1").baseline == 60


def test_a_new_indicator_needs_only_the_minimum_and_takes_the_defaults(official_plan, tmp_path):
    header = ["codigo", "nombre", "objetivo", "sentido", "acumulacion", "calculo", "periodicidad"]
    rows = [["15.1", "Tasa de algo", "oe2", "Decreciente", "Promedio", "Razón", "Trimestral"]]
    assert _ok(tmp_path, header, rows) == "creados 1, actualizados 0, sin cambios 0\n"
    new = _indicator("15.1")
    assert (new.objective.code, new.polarity, new.accumulation, new.calculation) == (
        "OE2",
        "decreciente",
        "promedio",
        "razon",
    )
    assert (new.kind, new.window, new.factor, new.reference, new.weight) == (
        "resultado",
        "anual",
        1,
        "meta",
        1,
    )
    assert new.order == 10 and new.plan.code == "CONGOPE-2017-2021"


def test_a_new_indicator_without_the_minimum_names_each_missing_field(official_plan, tmp_path):
    header = ["codigo", "nombre", "sentido", "acumulacion"]
    assert _fails(tmp_path, header, [["15.1", "Algo", "", "discreto"]]) == [
        "fila 2, columna sentido: falta este dato, necesario para un indicador nuevo",
        "fila 2, columna objetivo: falta este dato, necesario para un indicador nuevo",
        "fila 2, columna calculo: falta este dato, necesario para un indicador nuevo",
        "fila 2, columna periodicidad: falta este dato, necesario para un indicador nuevo",
    ]


def test_blank_required_cells_keep_and_blank_optional_cells_clear(official_plan, tmp_path):
    header = ["codigo", "sentido", "linea_base", "anio_linea_base", "unidad_medida"]
    _ok(tmp_path, header, [["11.2", "decreciente", "3,5", "2016", "convenios"]])
    assert (_indicator("11.2").polarity, _indicator("11.2").baseline) == (
        "decreciente",
        Decimal("3.5"),
    )
    out = _ok(tmp_path, header, [["11.2", "", "", "", ""]])
    assert out == "creados 0, actualizados 1, sin cambios 0\n"
    indicator = _indicator("11.2")
    assert indicator.polarity == "decreciente"
    assert (indicator.baseline, indicator.baseline_year, indicator.unit_of_measure) == (
        None,
        None,
        "",
    )


def test_headers_and_coded_values_ignore_case_and_accents(official_plan, tmp_path):
    header = ["CÓDIGO", "Tipo", "Acumulación", "Unidad Medida", "Cálculo"]
    _ok(tmp_path, header, [["11.2", "GESTIÓN", "Acumulado", "número", "valor"]])
    indicator = _indicator("11.2")
    assert (indicator.kind, indicator.accumulation, indicator.unit_of_measure) == (
        "gestion",
        "acumulado",
        "número",
    )


def test_codes_of_objectives_results_and_units_are_resolved(official_plan, tmp_path):
    header = ["codigo", "objetivo", "resultado", "unidad_responsable"]
    _ok(tmp_path, header, [["11.2", "OE2", "r2.1", "pgi"]])
    indicator = _indicator("11.2")
    assert (indicator.objective.code, indicator.result.code) == ("OE2", "R2.1")
    assert indicator.responsible_unit == OrgUnit.objects.get(code="PGI")


ROW_ERRORS = [
    (
        ["codigo", "tipo"],
        ["11.2", "proceso"],
        "fila 2, columna tipo: «proceso» no es un valor admitido (resultado, gestion, producto, "
        "impacto)",
    ),
    (
        ["codigo", "objetivo"],
        ["11.2", "OE9"],
        "fila 2, columna objetivo: no existe el objetivo «OE9» en el plan CONGOPE-2017-2021",
    ),
    (
        ["codigo", "resultado"],
        ["11.2", "R9.9"],
        "fila 2, columna resultado: no existe el resultado «R9.9» en el plan CONGOPE-2017-2021",
    ),
    (
        ["codigo", "unidad_responsable"],
        ["11.2", "XYZ"],
        "fila 2, columna unidad_responsable: no existe la unidad «XYZ»",
    ),
    (
        ["codigo", "resultado"],
        ["11.2", "R2.1"],
        "fila 2, columna resultado: el resultado es del objetivo OE2",
    ),
    (
        ["codigo", "referencia"],
        ["11.2", "brecha"],
        "fila 2, columna referencia: la referencia «brecha» necesita una línea base (linea_base)",
    ),
    (
        ["codigo", "umbral_verde", "umbral_amarillo"],
        ["11.2", "70", "80"],
        "fila 2, columna umbral_verde: el umbral verde debe ser mayor que el amarillo",
    ),
    (["codigo", "factor"], ["11.2", "0"], "fila 2, columna factor: «0» debe ser mayor que 0"),
    (["codigo", "peso"], ["11.2", "-1"], "fila 2, columna peso: «-1» no puede ser menor que 0"),
    (
        ["codigo", "umbral_verde"],
        ["11.2", "85,555"],
        "fila 2, columna umbral_verde: «85,555» tiene más de 2 decimales",
    ),
    (
        ["codigo", "anio_linea_base"],
        ["11.2", "16"],
        "fila 2, columna anio_linea_base: «16» no es un año entre 1900 y 2100",
    ),
    (
        ["codigo", "unidad_medida"],
        ["11.2", "x" * 101],
        "fila 2, columna unidad_medida: admite como máximo 100 caracteres (tiene 101)",
    ),
    (["codigo", "nombre"], ["", "Algo"], "fila 2, columna codigo: falta el código"),
]


@pytest.mark.parametrize(("header", "row", "message"), ROW_ERRORS)
def test_a_wrong_row_is_reported_exactly_and_nothing_is_written(
    official_plan, tmp_path, header, row, message
):
    good = ["12.1", *[""] * (len(header) - 1)]
    assert _fails(tmp_path, header, [good, row]) == [message.replace("fila 2", "fila 3")]


def test_a_repeated_code_is_reported_on_its_later_row(official_plan, tmp_path):
    rows = [["11.2", "a"], ["11.1", "b"], ["11.2", "c"]]
    assert _fails(tmp_path, ["codigo", "nombre"], rows) == [
        "fila 4, columna codigo: 11.2 está repetido: ya aparece en la fila 2"
    ]


def test_an_indicator_with_targets_keeps_its_periodicity(official_plan, tmp_path):
    make_target(indicator=_indicator("11.2"), period="2018", value=4)
    assert _fails(tmp_path, ["codigo", "periodicidad"], [["11.2", "trimestral"]]) == [
        "fila 2, columna periodicidad: el indicador 11.2 ya tiene metas o mediciones: no se cambia"
    ]


@pytest.mark.parametrize("role", ["responsable", "direccion"])
def test_only_planning_staff_import_indicators(personas, tmp_path, role):
    user = personas[role].username
    assert _fails(tmp_path, ["codigo", "nombre"], [["11.2", "x"]], "--user", user) == [
        f"usuario {user}: solo Planificación y los administradores cambian indicadores"
    ]


def test_a_planner_imports_indicators(planner, tmp_path):
    out = _ok(
        tmp_path, ["codigo", "unidad_medida"], [["11.2", "acuerdos"]], "--user", planner.username
    )
    assert out == "creados 0, actualizados 1, sin cambios 0\n"


def test_the_service_reports_outcomes_per_row_for_a_preview(official_plan, tmp_path):
    path = write_csv(tmp_path / "i.csv", ["codigo", "unidad_medida"], [["11.2", "x"], ["11.1", ""]])
    result = import_indicators(path, plan=official_plan, dry_run=True)
    assert result.outcomes == {2: "actualizado", 3: "sin cambios"}
    assert _indicator("11.2").unit_of_measure == ""
