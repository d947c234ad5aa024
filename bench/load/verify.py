"""After the load: the table of figures, and every submitted value in the database exactly once.

Reads what the locustfile left in ``--out`` (``resumen-<label>.json`` per run and
``envios-<label>-<pid>.jsonl``, each submission written before it was sent and again with
its answer) and the values of the load plan on the database of ``DATABASE_URL``:

- *confirmados*: submissions the app accepted (redirect to Mis indicadores);
- *perdidos*: accepted, but no row holds that (indicator, period, value), or not «reportado»;
- *duplicados*: accepted and its numbers held by more than one row (any slot);
- *de más*: rows no submission explains, or written although the app answered an error.

A submission whose answer never came (the run stopped mid-request, or the client gave up
waiting) may or may not be stored; it is counted apart, as *sin respuesta*. Exit status 1
when anything is lost, duplicated or extra.

    python -m bench.load.verify [--out /tmp/congope-load]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

from bench.load.cpu_usage import usage
from scorecard.models import Measurement

NUMBERS = ("value", "numerator", "denominator")
GROUPS = ("tablero", "páginas de reporte", "envío", "ingreso")
#: The «done» rule for the first level: dashboard pages' p95 under this, in ms.
DASHBOARD_P95_MS = 500


def _number(raw) -> str | None:
    return None if raw is None else format(Decimal(str(raw)).normalize(), "f")


def _key(indicator: str, period: str, numbers: dict) -> tuple:
    return (indicator, period, *(_number(numbers.get(n)) for n in NUMBERS))


def read_submissions(out: Path) -> dict[str, dict[tuple, dict]]:
    """Per run label: each submission (indicator, period, numbers) → its answer (or None)."""
    runs: dict[str, dict[tuple, dict]] = defaultdict(dict)
    for path in sorted(out.glob("envios-*.jsonl")):
        label = path.stem.split("-")[1]
        for line in path.read_text().splitlines():
            entry = json.loads(line)
            key = _key(entry["indicator"], entry["period"], entry)
            if entry["event"] == "intento":
                runs[label].setdefault(key, None)
            else:
                runs[label][key] = {"status": entry["status"], "ok": entry["ok"]}
    return runs


def stored_rows(plan_code: str) -> list[tuple]:
    rows = Measurement.objects.filter(indicator__plan__code=plan_code).values_list(
        "indicator__code", "period", "gadp_id", "status", *NUMBERS
    )
    return [(code, period, gadp, status, *nums) for code, period, gadp, status, *nums in rows]


def check(runs: dict[str, dict[tuple, dict]], rows: list[tuple]) -> dict[str, Counter]:
    """Per run label: confirmed, lost, duplicated, extra and unanswered submissions.

    Every submission sends numbers no other one sends, so a value held by two rows (in its
    own slot and in another) is duplicated, whichever slot the second one is in.
    """
    exact, reported, by_numbers = Counter(), Counter(), Counter()
    for code, period, _gadp, status, *nums in rows:
        numbers = tuple(_number(n) for n in nums)
        exact[(code, period, *numbers)] += 1
        reported[(code, period, *numbers)] += status == Measurement.Status.REPORTED
        by_numbers[numbers] += 1
    attempted = {key for submissions in runs.values() for key in submissions}
    attempted_numbers = {key[2:] for key in attempted}
    result = {}
    for label, submissions in sorted(runs.items(), key=lambda item: _order(item[0])):
        counts = Counter()
        for key, answer in submissions.items():
            if answer is None or not answer["status"]:  # stopped, or timed out, mid-request
                counts["sin respuesta"] += 1
                counts["sin respuesta, guardados"] += exact[key] > 0
            elif answer["ok"]:
                counts["confirmados"] += 1
                counts["perdidos"] += exact[key] == 0 or reported[key] == 0
                counts["duplicados"] += by_numbers[key[2:]] > 1
            elif exact[key]:
                counts["de más"] += 1  # stored although the app said it was not
        result[label] = counts
    unexplained = sum(
        n for key, n in exact.items() if key not in attempted and key[2:] not in attempted_numbers
    )
    if result:
        result[max(result, key=_order)]["de más"] += unexplained
    else:
        result["—"] = Counter({"de más": unexplained})
    return result


def _order(label: str):
    return (0, int(label)) if label.isdigit() else (1, label)


def _cell(value, width: int, digits: int = 0) -> str:
    if value is None:
        return f"{'—':>{width}}"
    return f"{value:>{width}.{digits}f}" if isinstance(value, float) else f"{value:>{width}}"


def table(out: Path, checks: dict[str, Counter]) -> tuple[list[str], bool]:
    """The printed table, and whether the first level meets the «done» rule."""
    lines = [
        f"{'usuarios':>8}  {'grupo':<26} {'peticiones':>10} {'req/s':>7} {'mediana ms':>10} "
        f"{'p95 ms':>7} {'fallas':>6}"
    ]
    first_ok = None
    summaries = sorted(out.glob("resumen-*.json"), key=lambda p: _order(p.stem.split("-", 1)[1]))
    for path in summaries:
        label = path.stem.split("-", 1)[1]
        summary = json.loads(path.read_text())
        for name in GROUPS:
            g = summary["groups"][name]
            shown = f"{name} (toda la corrida)" if name == "ingreso" else name
            lines.append(
                f"{summary['users']:>8}  {shown:<26} {g['requests']:>10} "
                f"{_cell(g['rps'], 7, 1)} {_cell(g['median_ms'], 10)} {_cell(g['p95_ms'], 7)} "
                f"{g['failures']:>6}"
            )
        c = checks.get(label, Counter())
        window, ramp = summary["window_seconds"], summary["ramp_seconds"]
        lines += [
            f"{'':>8}  ventana medida {window} s, tras {ramp} s de subida e ingresos",
            *_cpu_lines(out / f"cpu-{label}.json", summary),
            f"{'':>8}  envíos confirmados {c['confirmados']}, perdidos {c['perdidos']}, "
            f"duplicados {c['duplicados']}, de más {c['de más']}, sin respuesta "
            f"{c['sin respuesta']} ({c['sin respuesta, guardados']} guardados)",
        ]
        if first_ok is None:
            groups = summary["groups"].values()
            first_ok = (
                all(g["failures"] == 0 for g in groups)
                and not (c["perdidos"] or c["duplicados"] or c["de más"])
                and (summary["groups"]["tablero"]["p95_ms"] or 0) < DASHBOARD_P95_MS
            )
    return lines, bool(first_ok)


def _cpu_lines(path: Path, summary: dict) -> list[str]:
    """Who used the machine's cores in the window, and CPU per request (run.py's samples)."""
    if not path.exists() or None in summary.get("window", [None]):
        return []
    used = usage(json.loads(path.read_text()), *summary["window"])
    if used is None:
        return []
    cores = ", ".join(f"{name} {n:.2f}" for name, n in used["cores"].items())
    requests = sum(g["requests"] for name, g in summary["groups"].items() if name != "ingreso")
    per = ", ".join(
        f"{name} {used['cores'][name] * used['seconds'] / requests * 1000:.0f} ms"
        for name in ("gunicorn", "PostgreSQL")
        if name in used["cores"] and requests
    )
    return [
        f"{'':>8}  núcleos usados ({used['cpus']} en la máquina, carga máx. {used['load']:.1f}): "
        f"{cores}",
        f"{'':>8}  CPU por petición: {per}",
    ]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Verifica la prueba de carga.")
    parser.add_argument("--out", type=Path, default=Path("/tmp/congope-load"))
    parser.add_argument("--accounts", type=Path, default=None)
    args = parser.parse_args(argv)
    accounts = json.loads((args.accounts or args.out / "cuentas.json").read_text())
    checks = check(read_submissions(args.out), stored_rows(accounts["load_plan"]))
    lines, first_ok = table(args.out, checks)
    print("\n".join(lines))
    print(
        f"primer nivel: {'cumple' if first_ok else 'NO cumple'} (0 fallas, 0 perdidos, "
        f"0 duplicados, 0 de más, p95 del tablero < {DASHBOARD_P95_MS} ms)"
    )
    broken = sum(c["perdidos"] + c["duplicados"] + c["de más"] for c in checks.values())
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
