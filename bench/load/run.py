"""The whole load scenario, start to end, on 127.0.0.1 only (``make load``).

A throwaway PostgreSQL (scripts/throwaway_postgres.sh), ``migrate``, ``prepare.py``,
``collectstatic``, gunicorn with deploy/gunicorn.conf.py and the production settings
(behind an imaginary proxy: ``BEHIND_PROXY=1``), locust headless at each number of users,
then ``verify.py``; every process it started is stopped at the end, the database removed.

    python bench/load/run.py [--users 50,200] [--steady 60] [--spawn-rate 5] [--workers N]

Run as a file, not as ``-m bench.load.run``: importing the ``bench`` package sets Django up,
which this script leaves to the commands it starts. Exit status 1 when the verification
fails (a value lost, duplicated or extra) or the first level misses its goal.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from cpu_usage import Sampler  # beside this file (run as a file: no ``bench`` package)

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
LOCAL_HOSTS = ("127.0.0.1", "localhost")


def _arguments(argv) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Prueba de carga de extremo a extremo.")
    parser.add_argument("--users", default="50,200", help="niveles de usuarios (50,200)")
    parser.add_argument("--steady", type=int, default=60, help="segundos medidos por nivel")
    parser.add_argument("--spawn-rate", type=float, default=5, help="usuarios nuevos por segundo")
    parser.add_argument("--ramp-limit", type=int, default=240, help="espera máxima de ingresos")
    parser.add_argument("--workers", type=int, default=None, help="procesos de gunicorn")
    # As deploy/env.example: one connection per worker, kept (a new one costs ~25 ms of CPU).
    parser.add_argument("--conn-max-age", default=os.environ.get("CONN_MAX_AGE", "60"))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8351)
    parser.add_argument("--pgdir", default="/tmp/congope-load-pg")
    parser.add_argument("--pg-port", type=int, default=54351)
    parser.add_argument("--out", type=Path, default=Path("/tmp/congope-load"))
    parser.add_argument("--reporters", type=int, default=60)
    parser.add_argument("--directors", type=int, default=160)
    args = parser.parse_args(argv)
    if args.host not in LOCAL_HOSTS:
        parser.error(f"solo contra 127.0.0.1 o localhost, no {args.host}")
    if not str(args.out.resolve()).startswith("/tmp/"):
        parser.error("--out debe estar bajo /tmp (ahí se escriben las contraseñas)")
    return args


def _say(text: str) -> None:
    print(f"[carga {time.strftime('%H:%M:%S')}] {text}", flush=True)


def _run(command: list[str], env: dict, log: Path | None = None) -> None:
    if log is None:
        subprocess.run(command, cwd=ROOT, env=env, check=True)
        return
    with log.open("w") as fh:
        subprocess.run(command, cwd=ROOT, env=env, check=True, stdout=fh, stderr=subprocess.STDOUT)


def _postgres(args, action: str) -> str:
    env = {**os.environ, "PGDIR": args.pgdir, "PGPORT": str(args.pg_port)}
    script = str(ROOT / "scripts" / "throwaway_postgres.sh")
    done = subprocess.run([script, action], env=env, check=True, capture_output=True, text=True)
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


def app_environment(args, database_url: str) -> dict:
    """Production settings, on 127.0.0.1, behind the proxy the locustfile plays."""
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "TESTING")}
    env.update(
        DATABASE_URL=database_url,
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=",".join(LOCAL_HOSTS),
        BEHIND_PROXY="1",
        STATIC_ROOT=str(args.out / "static"),
        MEDIA_ROOT=str(args.out / "media"),
        CONN_MAX_AGE=str(args.conn_max_age),
        LOG_LEVEL="WARNING",
        GUNICORN_BIND=f"{args.host}:{args.port}",
        GUNICORN_LOG_LEVEL="warning",
    )
    if args.workers:
        env["GUNICORN_WORKERS"] = str(args.workers)
    return env


def collectstatic(env: dict, static_root: Path) -> None:
    """Only when the project's own static files changed: it takes minutes on this machine."""
    manifest = static_root / "staticfiles.json"
    newest = max(p.stat().st_mtime for p in (ROOT / "static").rglob("*") if p.is_file())
    if manifest.exists() and manifest.stat().st_mtime > newest:
        _say(f"estáticos ya recolectados en {static_root}")
        return
    _say("collectstatic (unos minutos la primera vez)")
    _run([str(BIN / "python"), "manage.py", "collectstatic", "--no-input", "-v0"], env)


def start_gunicorn(args, env: dict) -> subprocess.Popen:
    log = (args.out / "gunicorn.log").open("w")
    command = [str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "congope.wsgi"]
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    url = f"http://{args.host}:{args.port}/salud/"
    for _ in range(120):
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:
                if answer.status == 200:
                    return server
        except OSError:
            time.sleep(0.5)
        if server.poll() is not None:
            break
    stop(server)
    raise SystemExit(f"gunicorn no respondió en {url}; ver {args.out / 'gunicorn.log'}")


def stop(server: subprocess.Popen) -> None:
    """gunicorn's master and its workers: the process group this script started."""
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=40)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def run_level(args, users: int, accounts: Path, server: subprocess.Popen) -> None:
    env = {
        **os.environ,
        "LOAD_ACCOUNTS": str(accounts),
        "LOAD_OUT": str(args.out),
        "LOAD_LABEL": str(users),
        "LOAD_STEADY_SECONDS": str(args.steady),
        "LOAD_RAMP_LIMIT": str(args.ramp_limit),
    }
    cap = args.ramp_limit + args.steady + 30  # the run stops itself well before
    command = [
        str(BIN / "locust"),
        "-f",
        str(ROOT / "bench" / "load" / "locustfile.py"),
        "--headless",
        "--host",
        f"http://{args.host}:{args.port}",
        "--users",
        str(users),
        "--spawn-rate",
        str(args.spawn_rate),
        "--run-time",
        f"{cap}s",
        "--stop-timeout",
        "15",
        "--only-summary",
    ]
    log = args.out / f"locust-{users}.log"
    _say(f"{users} usuarios: locust (registro en {log})")
    with log.open("w") as fh:
        locust = subprocess.Popen(command, cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT)
        roots = {"gunicorn": server.pid, "PostgreSQL": _postmaster(args), "locust": locust.pid}
        sampler = Sampler(args.out / f"cpu-{users}.json", roots)
        sampler.start()
        try:
            locust.wait()  # exit status 1 when any request failed: the table says which
        finally:
            sampler.stop()


def _postmaster(args) -> int:
    return int((Path(args.pgdir) / "data" / "postmaster.pid").read_text().split()[0])


def main(argv=None) -> int:
    args = _arguments(argv)
    levels = [int(n) for n in args.users.split(",")]
    args.out.mkdir(mode=0o700, parents=True, exist_ok=True)
    for pattern in ("envios-*.jsonl", "resumen-*.json", "cpu-*.json"):
        for old in args.out.glob(pattern):
            old.unlink()
    accounts = args.out / "cuentas.json"
    python = str(BIN / "python")
    _postgres(args, "stop")  # a cluster left by an interrupted run: start afresh
    server = None
    try:
        _say(f"PostgreSQL desechable en {args.pgdir}, puerto {args.pg_port}")
        env = app_environment(args, _postgres(args, "start"))
        _run([python, "manage.py", "migrate", "--no-input", "-v0"], env)
        prepare = [python, "-m", "bench.load.prepare", "--out", str(accounts)]
        prepare += ["--reporters", str(args.reporters), "--directors", str(args.directors)]
        _run(prepare, env)
        collectstatic(env, args.out / "static")
        server = start_gunicorn(args, env)
        _say(f"gunicorn en http://{args.host}:{args.port} (CONN_MAX_AGE={args.conn_max_age})")
        for users in levels:
            run_level(args, users, accounts, server)
        _say("verificación")
        verified = subprocess.run(
            [python, "-m", "bench.load.verify", "--out", str(args.out)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        print(verified.stdout, verified.stderr, sep="", end="")
        return 0 if verified.returncode == 0 and "NO cumple" not in verified.stdout else 1
    finally:
        if server is not None:
            stop(server)
        _postgres(args, "stop")
        _say("gunicorn y PostgreSQL detenidos")


if __name__ == "__main__":
    sys.exit(main())
