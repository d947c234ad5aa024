"""Server time of the scorecard's pages and JSON on the synthetic plan, against a floor.

For each URL: the median, minimum and maximum server time of ``--runs`` requests (after
one warm-up) through Django's test client as a signed-in director, the number of queries
next to the same URL for the official CONGOPE plan (with its demo data), and the ratio to
the floor: one plain query reading the plan's values up to the end of the cut-off's year
(every row a scorecard at that cut-off could look at). The database is the one of
``DATABASE_URL`` (default ``sqlite:////tmp/bench.sqlite3``); it is migrated and filled
the first time. A page that does not exist yet is reported as not available.

The timed requests find the scorecard computed by the warm-up (``scorecard.cache``), as a
director's second look does while nobody writes; the last two columns time the same page
right after a write (``revision.data_changed``), when it reads and computes everything again.

    python -m bench.scorecard_bench [--runs 10] [--replace] [--only json]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from dataclasses import dataclass, field

from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.synthetic_plan import PLAN_CODE, create_synthetic_plan, delete_synthetic_plan
from planning import access, accounts, revision
from planning.models import Indicator, Plan
from scorecard import demo
from scorecard.models import Measurement

# The official plan runs 2017–2021: the same kind of cut-off, in its own years.
CONGOPE_PERIODS = {"2024": "2020", "2024-06": "2020-06"}
THRESHOLD_MS = 300


@dataclass(frozen=True)
class Case:
    label: str
    path: str  # with {code} for the plan's code
    params: dict  # with {code} / {period} placeholders
    period: str


CASES = (
    Case("JSON (API)", "/api/v1/plans/{code}/scorecard/", {"period": "{period}"}, "2024"),
    Case("JSON (API)", "/api/v1/plans/{code}/scorecard/", {"period": "{period}"}, "2024-06"),
    Case("Tablero /", "/", {"plan": "{code}", "period": "{period}"}, "2024"),
    Case("CMI", "/planes/{code}/cmi/", {"period": "{period}"}, "2024"),
    Case("CMI xlsx", "/planes/{code}/cmi.xlsx", {"period": "{period}"}, "2024"),
)


@dataclass
class Timing:
    status: int
    times_ms: list[float]
    queries: int
    changed_ms: list[float] = field(default_factory=list)  # each right after a data change

    @property
    def median(self) -> float:
        return statistics.median(self.times_ms)


def _fill_database(replace: bool) -> None:
    call_command("migrate", verbosity=0)
    if not Plan.objects.filter(code=demo.PLAN_CODE).exists():
        # The fixture has fixed primary keys: load it before the synthetic plan takes them.
        delete_synthetic_plan(PLAN_CODE)
        call_command("loaddata", "congope_2017_2021", verbosity=0)
    if not Measurement.objects.filter(indicator__plan__code=demo.PLAN_CODE).exists():
        demo.seed_demo(password=accounts.generate_password())
    if replace:
        delete_synthetic_plan(PLAN_CODE)
    if not Plan.objects.filter(code=PLAN_CODE).exists():
        started = time.perf_counter()
        summary = create_synthetic_plan()
        print(f"Plan sintético creado en {time.perf_counter() - started:.1f} s: {summary}")
    if connection.vendor == "postgresql":
        # What autovacuum does within a minute of a bulk load; Django never does it on SQLite,
        # so SQLite is measured without statistics, as it runs in production.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _client() -> Client:
    user = accounts.user_create(
        username="bench_direccion", role=access.DIRECTOR, password=accounts.generate_password()
    )
    client = Client()
    client.force_login(user)
    return client


def _fill(template, code: str, period: str):
    if isinstance(template, dict):
        return {k: _fill(v, code, period) for k, v in template.items()}
    return template.format(code=code, period=period)


def measure(client: Client, path: str, params: dict, runs: int) -> Timing:
    """``runs`` timed GETs after one warm-up, and the queries of one more."""
    status = client.get(path, params).status_code
    if status != 200:
        return Timing(status, [], 0)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(path, params)
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as ctx:
        client.get(path, params)
    queries = len(ctx.captured_queries)
    # The same page right after a write: the scorecard is read and computed again.
    changed = []
    for _ in range(max(3, runs // 3)):
        revision.data_changed()
        started = time.perf_counter()
        client.get(path, params)
        changed.append((time.perf_counter() - started) * 1000)
    return Timing(status, times, queries, changed)


def floor(plan: Plan, cutoff: str, runs: int) -> tuple[float, int]:
    """Median ms of one plain query reading the plan's values up to the end of the cut-off's year.

    Every value of the synthetic plan is validated and has no GADP, so the query leaves
    those two conditions out: they are the same rows, and without statistics SQLite would
    read them through the (status, period) index, three times slower, raising the floor.
    """
    sql = (
        "SELECT indicator_id, period, value, numerator, denominator "
        f"FROM {Measurement._meta.db_table} WHERE indicator_id IN "
        f"(SELECT id FROM {Indicator._meta.db_table} WHERE plan_id = %s) AND period < %s"
    )
    year_after = str(int(cutoff[:4]) + 1)
    counted = Measurement.objects.filter(
        indicator__plan=plan,
        period__lt=year_after,
        gadp__isnull=True,
        status=Measurement.Status.VALIDATED,
    ).count()
    times, rows = [], 0
    with connection.cursor() as cursor:
        for _ in range(runs + 1):  # the first one warms the cache up
            started = time.perf_counter()
            cursor.execute(sql, [plan.pk, year_after])
            rows = len(cursor.fetchall())
            times.append((time.perf_counter() - started) * 1000)
    assert rows == counted, "el piso debe leer las mismas filas que cuentan"
    return statistics.median(times[1:]), rows


def _row(case: Case, bench: Timing, congope: Timing, floor_ms: float) -> str:
    name = f"{case.label} {case.period}"
    if bench.status != 200:
        return f"{name:<24} no disponible (HTTP {bench.status})"
    times = bench.times_ms
    verdict = "ok" if bench.median < THRESHOLD_MS else f"> {THRESHOLD_MS} ms"
    same = "=" if bench.queries == congope.queries else "≠"
    changed = statistics.median(bench.changed_ms)
    return (
        f"{name:<24} {bench.median:>8.1f} {min(times):>8.1f} {max(times):>8.1f} "
        f"{bench.queries:>5} {same} {congope.queries:<5} {floor_ms:>8.1f} "
        f"{bench.median / floor_ms:>6.2f}  {verdict:<9} {changed:>9.1f} {changed / floor_ms:>6.2f}"
    )


def run(runs: int = 10, replace: bool = False, only: str = "") -> None:
    """Fill the database if needed and print the table, one URL per line as it is measured."""
    _fill_database(replace)
    client = _client()
    bench_plan = Plan.objects.get(code=PLAN_CODE)
    print(
        f"Base de datos: {connection.vendor} ({connection.settings_dict['NAME']}); "
        f"{Measurement.objects.filter(indicator__plan=bench_plan).count()} mediciones, "
        f"{Indicator.objects.filter(plan=bench_plan).count()} indicadores; "
        f"mediana, mín y máx de {runs} tras 1 de calentamiento, en ms; "
        f"carga de la máquina al empezar {os.getloadavg()[0]:.1f} ({os.cpu_count()} CPU)"
    )
    print(
        f"{'página y corte':<24} {'mediana':>8} {'mín':>8} {'máx':>8} "
        f"{'consultas (CONGOPE)':<13} {'piso':>8} {'razón':>6}  {'':<9} "
        f"{'tras cambio':>9} {'razón':>6}"
    )
    floors: dict[str, tuple[float, int]] = {}
    for case in CASES:
        if only.lower() not in case.label.lower():
            continue
        if case.period not in floors:
            floors[case.period] = floor(bench_plan, case.period, runs)
        path = _fill(case.path, PLAN_CODE, case.period)
        bench = measure(client, path, _fill(case.params, PLAN_CODE, case.period), runs)
        official = CONGOPE_PERIODS[case.period]
        congope_path = _fill(case.path, demo.PLAN_CODE, official)
        congope = measure(client, congope_path, _fill(case.params, demo.PLAN_CODE, official), 1)
        print(_row(case, bench, congope, floors[case.period][0]), flush=True)
    for period, (ms, rows) in floors.items():
        print(f"piso {period}: {rows} filas leídas con una consulta simple, {ms:.1f} ms")
    print(f"carga de la máquina al terminar {os.getloadavg()[0]:.1f}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Benchmark del Cuadro de Mando Integral.")
    parser.add_argument("--runs", type=int, default=10, help="mediciones por URL (10)")
    parser.add_argument("--replace", action="store_true", help="regenerar el plan sintético")
    parser.add_argument("--only", default="", help="solo las URL cuyo nombre contiene esto")
    args = parser.parse_args(argv)
    run(args.runs, args.replace, args.only)


if __name__ == "__main__":
    main()
