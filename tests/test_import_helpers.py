"""What the spreadsheet-import tests share: writing files, running commands, snapshots.

(Named ``test_import_*`` to sit with the tests it serves; it holds no test of its own.)
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import openpyxl
from django.core.management import call_command

from planning.models import Indicator, Target
from scorecard.models import ImportBatch, Measurement
from tests.conftest import PLAN_CODE

EXAMPLE = Path(__file__).parent / "data" / "scorecard_example"
DATA = Path(__file__).parent / "data" / "imports"


def run(command: str, *args) -> tuple[int, str, str]:
    """Run a management command: (exit status, standard output, standard error)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(command, *[str(a) for a in args], stdout=out, stderr=err)
        status = 0
    except SystemExit as exc:
        status = exc.code
    return status, out.getvalue(), err.getvalue()


def run_plan(command: str, path, *args) -> tuple[int, str, str]:
    return run(command, path, "--plan", PLAN_CODE, *args)


def errors(err: str) -> list[str]:
    return err.splitlines()


def write_csv(path: Path, header, rows, *, encoding="utf-8", delimiter=",", bom=False) -> Path:
    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    data = text.getvalue().encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def write_xlsx(path: Path, header, rows, *, decoy_active_sheet=False) -> Path:
    """A workbook whose first sheet holds the rows (and, if asked, an active decoy sheet)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "datos"
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    if decoy_active_sheet:
        decoy = book.create_sheet("otra hoja")
        decoy.append(["nada", "que", "ver"])
        book.active = 1
    book.save(path)
    return path


def snapshot() -> dict:
    """Every row an import may touch, to prove that a failed import wrote nothing."""
    return {
        "indicators": list(Indicator.objects.order_by("pk").values()),
        "targets": list(Target.objects.order_by("pk").values()),
        "measurements": list(Measurement.objects.order_by("pk").values()),
        "batches": list(ImportBatch.objects.order_by("pk").values()),
    }


def example_file(name: str, tmp_path: Path) -> Path:
    target = tmp_path / name
    shutil.copy(EXAMPLE / name, target)
    return target


def import_example(tmp_path: Path) -> None:
    """The worked example's three files through the three commands, as its README says."""
    for command, name, extra in (
        ("import_indicators", "indicadores.csv", []),
        ("import_targets", "metas.csv", []),
        ("import_measurements", "mediciones.csv", ["--validate"]),
    ):
        status, out, err = run_plan(command, example_file(name, tmp_path), *extra)
        assert (status, err) == (0, ""), err
