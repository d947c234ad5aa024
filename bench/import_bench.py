"""Speed and memory of the spreadsheet import of values (mediciones), against two baselines.

On a synthetic plan (``BENCH-IMPORT-2020-2024``: 2,000 monthly indicators over 5 years, a
mix of value and ratio indicators), ``--rows`` measurement rows (100,000) are imported from
csv and from xlsx, first as new values, then as changed values (updates), then the same
file again (all «sin cambios»). Side by side:

- **ours**: ``scorecard.imports.import_measurements`` (the service behind the commands);
- **floor**: read the file (csv module / python-calamine) and write the rows with one raw
  ``executemany`` per batch, no validation at all: what no import can beat;
- **import-export**: a plain django-import-export ``ModelResource`` with its defaults
  (one query per row), on ``--plain-rows`` rows (5,000) only, and reported as rows/s.

Each case runs in a forked child process: the peak is the child's maximum resident set
(``getrusage``) above what it held when it started, so Rust (calamine) and C allocations
count too. The database is the one of ``DATABASE_URL`` (default
``sqlite:////tmp/bench.sqlite3``, shared with the scorecard benchmark, another plan).

    python -m bench.import_bench [--rows 100000] [--plain-rows 5000] [--replace]
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import tempfile
import time
from pathlib import Path

import openpyxl
import python_calamine
import tablib
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from import_export import fields, resources, widgets

from bench.synthetic_plan import create_synthetic_plan, delete_synthetic_plan
from planning.models import Indicator, Plan
from planning.periods import MONTHLY, periods_between
from scorecard.imports import import_measurements
from scorecard.models import Measurement

PLAN_CODE = "BENCH-IMPORT-2020-2024"
HEADER = ["indicador", "periodo", "valor", "numerador", "denominador"]


def prepare(replace: bool) -> Plan:
    call_command("migrate", verbosity=0)
    if replace:
        delete_synthetic_plan(PLAN_CODE)
    if not Plan.objects.filter(code=PLAN_CODE).exists():
        create_synthetic_plan(code=PLAN_CODE)
        analyze()
    return Plan.objects.get(code=PLAN_CODE)


def clear(plan) -> None:
    """Delete the plan's values, by indicator (a join in the DELETE is slow on PostgreSQL)."""
    ids = list(Indicator.objects.filter(plan=plan).values_list("pk", flat=True))
    with transaction.atomic():
        Measurement.objects.filter(indicator_id__in=ids)._raw_delete(Measurement.objects.db)
    analyze()


def analyze() -> None:
    """Fresh planner statistics after bulk changes, as autovacuum would give them later."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def make_rows(plan, count: int, shift: int) -> list[list]:
    """``count`` rows over the plan's indicators and months; ``shift`` changes every value."""
    periods = [p.code for p in periods_between(plan.start_year, plan.end_year, MONTHLY)]
    indicators = Indicator.objects.filter(plan=plan).order_by("pk")
    rows = []
    for n, (code, calculation) in enumerate(indicators.values_list("code", "calculation")):
        for m, period in enumerate(periods):
            base = (n * 7 + m * 3) % 90 + 5 + shift
            if calculation == "razon":
                rows.append([code, period, "", str(base), str(base + 10)])
            else:
                rows.append([code, period, f"{base}.5", "", ""])
            if len(rows) == count:
                return rows
    return rows


def write_csv(path: Path, rows) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(rows)


def write_xlsx(path: Path, rows) -> None:
    """Numbers as numeric cells, as a spreadsheet program saves them."""
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("mediciones")
    sheet.append(HEADER)
    for code, period, value, numerator, denominator in rows:
        sheet.append(
            [code, period, *(float(x) if x else None for x in (value, numerator, denominator))]
        )
    book.save(path)


# --- the floor: parse + raw bulk insert / update, nothing else -----------------------------


def read_plain(path: Path) -> list[list]:
    if path.suffix == ".csv":
        with open(path, newline="", encoding="utf-8") as fh:
            return list(csv.reader(fh))[1:]
    sheet = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    return sheet.to_python()[1:]


def _number(cell):
    return None if cell in ("", None) else str(cell)


def floor_import(path: Path, plan) -> None:
    rows = read_plain(path)
    ids = dict(Indicator.objects.filter(plan=plan).values_list("code", "pk"))
    stored = Measurement.objects.filter(indicator__plan=plan)
    existing = {(i, p): pk for pk, i, p in stored.values_list("pk", "indicator_id", "period")}
    now = timezone.now()
    inserts, updates = [], []
    for code, period, value, numerator, denominator in rows:
        key = (ids[str(code)], str(period))
        numbers = (_number(value), _number(numerator), _number(denominator))
        if key in existing:
            updates.append((*numbers, now, existing[key]))
        else:
            inserts.append((*key, *numbers, "", "reportado", "", 1, now))
    floor_write(inserts, updates)


INSERT = (
    "INSERT INTO scorecard_measurement (indicator_id, period, value, numerator, denominator,"
    " analysis, status, return_comment, version, updated_at) VALUES"
)
UPDATE_PG = (
    "UPDATE scorecard_measurement AS m SET value = v.value::numeric,"
    " numerator = v.numerator::numeric, denominator = v.denominator::numeric,"
    " updated_at = v.updated_at::timestamptz"
    " FROM (VALUES %s) AS v(value, numerator, denominator, updated_at, id) WHERE m.id = v.id"
)
UPDATE_SQLITE = (
    "UPDATE scorecard_measurement SET value = %s, numerator = %s, denominator = %s,"
    " updated_at = %s WHERE id = %s"
)


def floor_write(inserts, updates) -> None:
    """The fastest plain write each database offers: executemany on SQLite (one prepared
    statement), ``execute_values`` (multi-row VALUES) on PostgreSQL."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            from psycopg2.extras import execute_values

            execute_values(cursor.cursor, f"{INSERT} %s", inserts, page_size=2000)
            execute_values(cursor.cursor, UPDATE_PG, updates, page_size=2000)
        else:
            cursor.executemany(f"{INSERT} ({', '.join(['%s'] * 10)})", inserts)
            cursor.executemany(UPDATE_SQLITE, updates)


# --- django-import-export with its defaults ------------------------------------------------


def plain_resource(plan):
    class PlanIndicatorWidget(widgets.ForeignKeyWidget):
        def get_queryset(self, value, row, *args, **kwargs):
            return Indicator.objects.filter(plan=plan)

    class PlainMeasurementResource(resources.ModelResource):
        indicator = fields.Field(
            attribute="indicator",
            column_name="indicador",
            widget=PlanIndicatorWidget(Indicator, "code"),
        )
        period = fields.Field(attribute="period", column_name="periodo")
        value = fields.Field(attribute="value", column_name="valor", widget=widgets.DecimalWidget())
        numerator = fields.Field(
            attribute="numerator", column_name="numerador", widget=widgets.DecimalWidget()
        )
        denominator = fields.Field(
            attribute="denominator", column_name="denominador", widget=widgets.DecimalWidget()
        )

        class Meta:
            model = Measurement
            fields = ("indicator", "period", "value", "numerator", "denominator")
            import_id_fields = ("indicator", "period")

    return PlainMeasurementResource()


def plain_import(path: Path, plan) -> None:
    dataset = tablib.Dataset().load(path.read_text(encoding="utf-8"), format="csv")
    result = plain_resource(plan).import_data(dataset, dry_run=False, use_transactions=True)
    assert not result.has_errors() and not result.has_validation_errors(), "import-export falló"


# --- measuring -----------------------------------------------------------------------------


def _rss_kib() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)


def in_child(fn, *args) -> tuple[float, float]:
    """Run ``fn(*args)`` in a forked process: (seconds, peak MiB above its starting RSS)."""
    read, write = os.pipe()
    connection.close()  # the child opens its own connection
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(read)
        start_rss = _rss_kib()
        started = time.perf_counter()
        fn(*args)
        elapsed = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - start_rss
        connection.close()
        os.write(write, f"{elapsed} {peak / 1024}".encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as fh:
        answer = fh.read()
    _, status = os.waitpid(pid, 0)
    if status != 0 or not answer:
        raise RuntimeError("el caso falló en el proceso hijo")
    seconds, peak = answer.split()
    return float(seconds), float(peak)


def ours(path: Path, plan, expect: str) -> None:
    result = import_measurements(path, plan=plan, file_name=path.name)
    assert result.ok, result.messages()[:5]
    assert getattr(result, expect) == len(result.outcomes), result.summary()


def write_files(plan, folder: Path, rows: int, plain_rows: int) -> dict:
    """The new and the changed values, as csv and xlsx, and the small file for import-export."""
    files = {}
    for label, shift in (("nuevas", 0), ("cambiadas", 1)):
        data = make_rows(plan, rows, shift)
        for fmt, writer in (("csv", write_csv), ("xlsx", write_xlsx)):
            files[label, fmt] = folder / f"mediciones-{label}.{fmt}"
            writer(files[label, fmt], data)
        files[label, "pequeño"] = folder / f"import-export-{label}.csv"
        write_csv(files[label, "pequeño"], data[:plain_rows])
    return files


def run(rows: int, plain_rows: int, replace: bool) -> list[tuple]:
    plan = prepare(replace)
    table = []

    def case(who, fmt, label, count, fn, path, *args):
        table.append((who, fmt, label, count, *in_child(fn, path, plan, *args)))
        analyze()  # between cases, untimed: each starts from current planner statistics

    with tempfile.TemporaryDirectory() as folder:
        files = write_files(plan, Path(folder), rows, plain_rows)
        for fmt in ("csv", "xlsx"):
            clear(plan)
            case("ours", fmt, "nuevas", rows, ours, files["nuevas", fmt], "created")
            case("ours", fmt, "cambiadas", rows, ours, files["cambiadas", fmt], "updated")
            case("ours", fmt, "iguales", rows, ours, files["cambiadas", fmt], "unchanged")
            clear(plan)
            case("floor", fmt, "nuevas", rows, floor_import, files["nuevas", fmt])
            case("floor", fmt, "cambiadas", rows, floor_import, files["cambiadas", fmt])
        clear(plan)
        small = files["nuevas", "pequeño"], files["cambiadas", "pequeño"]
        case("import-export", "csv", "nuevas", plain_rows, plain_import, small[0])
        case("import-export", "csv", "cambiadas", plain_rows, plain_import, small[1])
        clear(plan)
    return table


def print_table(table) -> None:
    line = "{:<14} {:<7} {:<10} {:>7} {:>7} {:>9} {:>9}"
    print(line.format("importador", "formato", "filas", "n", "s", "filas/s", "pico MiB"))
    for who, fmt, kind, count, seconds, peak in table:
        figures = (f"{seconds:.2f}", f"{count / seconds:,.0f}", f"{peak:.0f}")
        print(line.format(who, fmt, kind, count, *figures))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Benchmark de la importación de mediciones.")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--plain-rows", type=int, default=5_000)
    parser.add_argument("--replace", action="store_true", help="regenerar el plan sintético")
    args = parser.parse_args(argv)
    print(f"base de datos: {connection.vendor} {connection.settings_dict['NAME']}")
    print_table(run(args.rows, args.plain_rows, args.replace))


if __name__ == "__main__":
    main()
