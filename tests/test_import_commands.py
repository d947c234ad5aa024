"""The import commands as a shell runs them: exit status, standard output, standard error."""

import pytest
from django.core.management import ManagementUtility

from tests.conftest import PLAN_CODE
from tests.test_import_helpers import example_file, snapshot, write_csv


@pytest.fixture(autouse=True)
def keep_the_test_connection(monkeypatch):
    """run_from_argv closes every connection when it ends: the test's transaction with it."""
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)


def _shell(capsys, *argv) -> tuple[int, str, str]:
    """``python manage.py …`` in this process (the test database), as from the command line."""
    capsys.readouterr()
    try:
        ManagementUtility(["manage.py", *[str(a) for a in argv]]).execute()
        status = 0
    except SystemExit as exc:
        status = exc.code
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.mark.parametrize(
    ("command", "name"),
    [
        ("import_indicators", "indicadores.csv"),
        ("import_targets", "metas.csv"),
        ("import_measurements", "mediciones.csv"),
    ],
)
def test_success_is_status_0_and_one_summary_line(official_plan, tmp_path, capsys, command, name):
    if command != "import_indicators":  # the example's periods need its indicator settings
        _shell(
            capsys,
            "import_indicators",
            example_file("indicadores.csv", tmp_path),
            "--plan",
            PLAN_CODE,
        )
    status, out, err = _shell(capsys, command, example_file(name, tmp_path), "--plan", PLAN_CODE)
    assert status == 0
    assert err == ""
    assert len(out.splitlines()) == 1
    assert out.startswith("creados ")


def test_failure_is_status_1_with_exactly_one_line_per_problem(official_plan, tmp_path, capsys):
    path = write_csv(
        tmp_path / "m.csv",
        ["indicador", "periodo", "valor"],
        [["11.2", "2018", "1"], ["11.2", "2018", "2"], ["x", "2018", "1"]],
    )
    before = snapshot()
    status, out, err = _shell(capsys, "import_measurements", path, "--plan", PLAN_CODE)
    assert (status, out) == (1, "")
    assert err == (
        "fila 3, columna indicador: 11.2 2018 está repetido: ya aparece en la fila 2\n"
        "fila 4, columna indicador: no existe el indicador «x» en el plan CONGOPE-2017-2021\n"
    )
    assert snapshot() == before


def test_a_file_problem_is_one_archivo_line(official_plan, tmp_path, capsys):
    path = tmp_path / "m.xlsx"
    path.write_bytes(b"esto no es un libro")
    status, out, err = _shell(capsys, "import_measurements", path, "--plan", PLAN_CODE)
    assert (status, out, err) == (1, "", "archivo: no es un archivo xlsx válido\n")


def test_a_missing_file_is_one_archivo_line(official_plan, tmp_path, capsys):
    status, _, err = _shell(capsys, "import_targets", tmp_path / "no.csv", "--plan", PLAN_CODE)
    assert (status, err) == (1, "archivo: no se pudo abrir (No such file or directory)\n")


def test_a_refused_user_is_one_line_without_a_prefix(reporter, tmp_path, capsys):
    path = example_file("metas.csv", tmp_path)
    status, _, err = _shell(
        capsys, "import_targets", path, "--plan", PLAN_CODE, "--user", reporter.username
    )
    assert (status, err) == (
        1,
        "usuario rosa_pgi: solo Planificación y los administradores cambian metas\n",
    )


def test_dry_run_prints_the_summary_and_writes_nothing(official_plan, tmp_path, capsys):
    before = snapshot()
    path = example_file("indicadores.csv", tmp_path)
    status, out, _ = _shell(capsys, "import_indicators", path, "--plan", PLAN_CODE, "--dry-run")
    assert (status, out) == (0, "creados 0, actualizados 8, sin cambios 1\n")
    assert snapshot() == before
