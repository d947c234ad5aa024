"""Speed and memory of the spreadsheet import of values (mediciones), against two baselines.

On a synthetic plan (``BENCH-IMPORT-2020-2024``: 2,000 monthly indicators over 5 years, a
mix of value and ratio indicators), ``--rows`` measurement rows (100,000) are imported from
csv and from xlsx, first as new values, then as changed values (updates), then the same
file again (all «sin cambios»). Side by side, on the same files in the same run:

- **ours**: ``scorecard.imports.import_measurements`` (the service behind the commands),
  with its validation, history rows and provenance (import record, file row);
- **floor**: only read the file (csv module / python-calamine) and write its rows raw:
  on PostgreSQL new rows go in with ``COPY`` and changed ones with ``COPY`` into a
  temporary table and one ``UPDATE … FROM``; on SQLite a prepared INSERT or UPDATE per
  row (``executemany``), each row sent to one or the other after one read of the stored
  keys. No validation, no history, no provenance: what no import can beat. It runs with
  the same cycle-collector pause and SQLite page cache as ours;
- **floor+hist** (for reference, not a goal of the issue): the floor, then every row it
  wrote copied into the value history with one ``INSERT … SELECT``, as ours records its
  changes. Ours against it («× p+h») is the price of validation and provenance alone;
- **import-export**: a plain django-import-export ``ModelResource`` with its defaults
  (a few queries per row), on the first ``--plain-rows`` rows (5,000; 0: all) of the same
  csv and xlsx files, reported as rows/s.

Each case runs in a forked child process: «pico» is the child's maximum resident set
(``getrusage``) above what it held when it started, so Rust (calamine) and C allocations
count too; «RSS» is that maximum itself (the whole process). With ``--repeat N`` every
case runs N times, ours and the floor taking turns, and the best time counts. Between
cases, untimed, the plan's values and their history are deleted and PostgreSQL gets
``VACUUM ANALYZE``. The load average is printed at the start, per case and at the end:
other processes on the machine slow every case. The database is the one of
``DATABASE_URL`` (default ``sqlite:////tmp/bench.sqlite3``, shared with the scorecard
benchmark, another plan).

    python -m bench.import_bench [--rows 100000] [--plain-rows 5000] [--repeat 1] [--replace]
"""

from __future__ import annotations

import argparse
import csv
import io
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
from planning.history import record_rows
from planning.models import Indicator, Plan
from planning.periods import MONTHLY, periods_between
from scorecard.imports import import_measurements
from scorecard.imports.runner import SQLITE_CACHE_KIB, cyclic_gc_paused, sqlite_page_cache
from scorecard.models import ImportBatch, Measurement

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
    """Delete the plan's values, their history and import records, so that every case
    starts from the same tables (by indicator: a join in the DELETE is slow on PostgreSQL)."""
    ids = list(Indicator.objects.filter(plan=plan).values_list("pk", flat=True))
    db = Measurement.objects.db
    with transaction.atomic():
        Measurement.objects.filter(indicator_id__in=ids)._raw_delete(db)
        Measurement.history.model.objects.filter(indicator_id__in=ids)._raw_delete(db)
        ImportBatch.objects.filter(plan=plan)._raw_delete(db)
    analyze()


def analyze() -> None:
    """After bulk changes, what autovacuum would do a minute later (PostgreSQL): dead rows
    cleared and fresh planner statistics, so that no case pays for the one before."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


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


def floor_import(path: Path, plan, history: bool = False) -> None:
    """Parse the file and write its rows raw: an upsert on SQLite, COPY on PostgreSQL;
    with ``history``, then copy every written row into the value history in one statement."""
    rows = read_plain(path)
    ids = dict(Indicator.objects.filter(plan=plan).values_list("code", "pk"))
    now = timezone.now()
    rows = [
        (ids[str(code)], str(period), _number(value), _number(numerator), _number(denominator))
        for code, period, value, numerator, denominator in rows
    ]
    stored = Measurement.objects.filter(indicator__plan=plan, gadp=None).order_by()
    existing = {(i, p): pk for pk, i, p in stored.values_list("pk", "indicator_id", "period")}
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            floor_copy(cursor.cursor, existing, rows, now)
        else:
            floor_upsert(cursor, existing, rows, now)
        if history:  # every row the floor wrote carries ``now``, and only those
            record_rows(Measurement, "updated_at = %s", [now], reason="piso")


INSERT_SQLITE = (
    "INSERT INTO scorecard_measurement (indicator_id, period, value, numerator, denominator,"
    " analysis, status, return_comment, version, updated_at)"
    " VALUES (%s, %s, %s, %s, %s, '', 'reportado', '', 1, %s)"
)
UPDATE_SQLITE = (
    "UPDATE scorecard_measurement SET value = %s, numerator = %s, denominator = %s,"
    " updated_at = %s WHERE id = %s"
)


def floor_upsert(cursor, existing, rows, now) -> None:
    """SQLite: each row inserted or updated by its key, one prepared statement each
    (faster here than ``INSERT … ON CONFLICT DO UPDATE``, measured both ways)."""
    new, changed = [], []
    for row in rows:
        pk = existing.get(row[:2])
        if pk is None:
            new.append((*row, now))
        else:
            changed.append((*row[2:], now, pk))
    cursor.executemany(INSERT_SQLITE, new)
    cursor.executemany(UPDATE_SQLITE, changed)


COLUMNS = (
    "indicator_id, period, value, numerator, denominator, analysis, status, return_comment,"
    " version, updated_at"
)
UPDATE_PG = (
    "UPDATE scorecard_measurement AS m SET value = f.value, numerator = f.numerator,"
    " denominator = f.denominator, updated_at = %s"
    " FROM floor_rows AS f WHERE m.id = f.id"
)


def floor_copy(cursor, existing, rows, now) -> None:
    """PostgreSQL: new rows straight into the table with COPY; the others COPY into a
    temporary table joined on the key by one UPDATE (faster here than COPY into a temporary
    table and ``INSERT … ON CONFLICT DO UPDATE``, measured both ways)."""
    new, changed, stamp = io.StringIO(), io.StringIO(), now.isoformat()
    for key in rows:
        numbers = "\t".join("\\N" if x is None else x for x in key[2:])
        pk = existing.get(key[:2])
        if pk is None:
            new.write(f"{key[0]}\t{key[1]}\t{numbers}\t\treportado\t\t1\t{stamp}\n")
        else:
            changed.write(f"{pk}\t{numbers}\n")
    new.seek(0)
    changed.seek(0)
    cursor.copy_expert(f"COPY scorecard_measurement ({COLUMNS}) FROM STDIN", new)
    cursor.execute(
        "CREATE TEMPORARY TABLE floor_rows (id bigint, value numeric, numerator numeric,"
        " denominator numeric) ON COMMIT DROP"
    )
    cursor.copy_expert("COPY floor_rows FROM STDIN", changed)
    cursor.execute("ANALYZE floor_rows")
    cursor.execute(UPDATE_PG, [now])


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
    if path.suffix == ".csv":
        dataset = tablib.Dataset().load(path.read_text(encoding="utf-8"), format="csv")
    else:
        dataset = tablib.Dataset().load(path.read_bytes(), format="xlsx")
    result = plain_resource(plan).import_data(dataset, dry_run=False, use_transactions=True)
    assert not result.has_errors() and not result.has_validation_errors(), "import-export falló"


# --- measuring -----------------------------------------------------------------------------


def _rss_kib() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)


def in_child(fn, *args) -> tuple[float, float, float]:
    """Run ``fn(*args)`` in a forked process: (seconds, peak MiB above its starting RSS,
    peak RSS MiB of the whole process)."""
    read, write = os.pipe()
    connection.close()  # the child opens its own connection
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(read)
        start_rss = _rss_kib()
        started = time.perf_counter()
        fn(*args)
        elapsed = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        connection.close()
        os.write(write, f"{elapsed} {(peak - start_rss) / 1024} {peak / 1024}".encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as fh:
        answer = fh.read()
    _, status = os.waitpid(pid, 0)
    if status != 0 or not answer:
        raise RuntimeError("el caso falló en el proceso hijo")
    seconds, above, peak = map(float, answer.split())
    return seconds, above, peak


def ours(path: Path, plan, expect: str) -> None:
    result = import_measurements(path, plan=plan, file_name=path.name)
    assert result.ok, result.messages()[:5]
    assert getattr(result, expect) == len(result.outcomes), result.summary()


def floor(path: Path, plan, history: bool = False) -> None:
    """The floor under the same conditions as ours: no cycle collection, a large SQLite
    page cache (each makes a large write faster; neither should be an edge of ours)."""
    with cyclic_gc_paused(), sqlite_page_cache(SQLITE_CACHE_KIB):
        floor_import(path, plan, history)


def write_files(plan, folder: Path, rows: int, plain_rows: int) -> dict:
    """The new and the changed values as csv and xlsx, and their first ``plain_rows`` rows
    (the same files, shorter) for import-export."""
    files = {}
    for label, shift in (("nuevas", 0), ("cambiadas", 1)):
        data = make_rows(plan, rows, shift)
        for fmt, writer in (("csv", write_csv), ("xlsx", write_xlsx)):
            files[label, fmt] = folder / f"mediciones-{label}.{fmt}"
            writer(files[label, fmt], data)
            files[label, fmt, "import-export"] = files[label, fmt]
            if plain_rows < rows:
                files[label, fmt, "import-export"] = folder / f"primeras-{label}.{fmt}"
                writer(files[label, fmt, "import-export"], data[:plain_rows])
    return files


def run(rows: int, plain_rows: int, replace: bool, repeat: int) -> list[tuple]:
    """Every case ``repeat`` times, ours and the floor taking turns; the best time of each."""
    plan = prepare(replace)
    best = {}

    def case(who, fmt, label, count, fn, *args):
        load = os.getloadavg()[0]
        seconds, above, peak = in_child(fn, *args)
        key = (who, fmt, label)
        if key not in best or seconds < best[key][1]:
            best[key] = (count, seconds, above, peak, load)
        analyze()  # between cases, untimed: each starts from a vacuumed table, fresh statistics

    with tempfile.TemporaryDirectory() as folder:
        files = write_files(plan, Path(folder), rows, plain_rows)
        for _turn in range(repeat):
            for fmt in ("csv", "xlsx"):
                clear(plan)
                case("ours", fmt, "nuevas", rows, ours, files["nuevas", fmt], plan, "created")
                case("ours", fmt, "cambiadas", rows, ours, files["cambiadas", fmt], plan, "updated")
                case("ours", fmt, "iguales", rows, ours, files["cambiadas", fmt], plan, "unchanged")
                clear(plan)
                case("floor", fmt, "nuevas", rows, floor, files["nuevas", fmt], plan)
                case("floor", fmt, "cambiadas", rows, floor, files["cambiadas", fmt], plan)
                clear(plan)
                for label in ("nuevas", "cambiadas"):
                    case("floor+hist", fmt, label, rows, floor, files[label, fmt], plan, True)
        for fmt in ("csv", "xlsx"):
            clear(plan)
            for label in ("nuevas", "cambiadas"):
                path = files[label, fmt, "import-export"]
                case("import-export", fmt, label, plain_rows, plain_import, path, plan)
        clear(plan)
    return [(*key, *figures) for key, figures in best.items()]


def print_cases(table) -> None:
    line = "{:<14} {:<5} {:<10} {:>7} {:>7} {:>9} {:>9} {:>9} {:>6}"
    heads = ("importador", "tipo", "filas", "n", "s", "filas/s", "pico MiB", "RSS MiB", "carga")
    print(line.format(*heads))
    for who, fmt, kind, count, seconds, above, peak, load in table:
        figures = (f"{seconds:.2f}", f"{count / seconds:,.0f}", f"{above:.0f}", f"{peak:.0f}")
        print(line.format(who, fmt, kind, count, *figures, f"{load:.2f}"))


def print_goals(table) -> None:
    """The issue's three goals per file and kind: ≥10× import-export, ≤2× the floor, <300 MB;
    and, for reference, ours against the floor that also writes the history («× p+h»)."""
    rate = {(who, fmt, kind): n / s for who, fmt, kind, n, s, *_rest in table}
    peak = {(who, fmt, kind): p for who, fmt, kind, _n, _s, _a, p, _l in table}
    line = "{:<5} {:<10} {:>10} {:>10} {:>9} {:>9} {:>10} {:>12} {:>9}"
    heads = ("tipo", "filas", "nuestro/s", "piso/s", "× piso", "× p+h", "i-e/s", "× i-e", "RSS MiB")
    print(line.format(*heads))
    for fmt in ("csv", "xlsx"):
        for kind in ("nuevas", "cambiadas"):
            mine, bottom = rate["ours", fmt, kind], rate["floor", fmt, kind]
            with_history = rate.get(("floor+hist", fmt, kind))
            plain = rate.get(("import-export", fmt, kind))
            figures = (
                f"{mine:,.0f}",
                f"{bottom:,.0f}",
                f"{bottom / mine:.2f}",
                f"{with_history / mine:.2f}" if with_history else "-",
                f"{plain:,.0f}" if plain else "-",
                f"{mine / plain:.1f}" if plain else "-",
                f"{peak['ours', fmt, kind]:.0f}",
            )
            print(line.format(fmt, kind, *figures))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Benchmark de la importación de mediciones.")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--plain-rows", type=int, default=5_000, help="0: el archivo entero")
    parser.add_argument("--repeat", type=int, default=1, help="vueltas; se toma la mejor")
    parser.add_argument("--replace", action="store_true", help="regenerar el plan sintético")
    args = parser.parse_args(argv)
    plain_rows = min(args.plain_rows or args.rows, args.rows)
    print(f"base de datos: {connection.vendor} {connection.settings_dict['NAME']}")
    print("carga media al empezar (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    table = run(args.rows, plain_rows, args.replace, args.repeat)
    print_cases(table)
    print()
    print_goals(table)
    print("carga media al terminar (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
