"""Directors reading dashboards and reporters submitting values, against 127.0.0.1 only.

Run by ``run.py`` (``make load``), which prepares the database and starts gunicorn:

    locust -f bench/load/locustfile.py --headless --host http://127.0.0.1:8351 \
        --users 50 --spawn-rate 5 --run-time 4m

The app runs with its production settings (secure cookies, HTTPS redirect) behind an
imaginary proxy: gunicorn runs with ``BEHIND_PROXY=1`` and every request carries the headers
the proxy would set (``X-Forwarded-Proto: https``, ``X-Real-IP``). The client is told to
send ``Secure`` cookies over that plain http hop, so the session and CSRF cookies work as in
a browser; forms post with an https ``Referer`` as a browser behind the proxy does.

Each virtual user logs in once (``on_start``) with its own account from the accounts file
of ``prepare.py``. The measured window opens when every virtual user has logged in (a
production password hash costs ~0.5 s of CPU, so the logins of the ramp would otherwise
dominate) and lasts ``LOAD_STEADY_SECONDS``; then the run stops itself. Failures are
counted over the whole run, logins included. At the end the figures per request group go
to ``resumen-<label>.json`` and every submission attempt is in ``envios-<label>-<pid>.jsonl``
(written before the request is sent and again with its answer), for ``verify.py``.

Settings (environment): ``LOAD_ACCOUNTS`` (accounts file), ``LOAD_OUT`` (results folder),
``LOAD_LABEL`` (name of this run, e.g. the number of users), ``LOAD_STEADY_SECONDS`` (60),
``LOAD_RAMP_LIMIT`` (seconds to wait for every login, 240), ``LOAD_WAIT_MIN`` and
``LOAD_WAIT_MAX`` (a person's pause between pages, 2 and 6 s).
"""

from __future__ import annotations

import itertools
import json
import math
import os
import random
import re
import statistics
import time
from collections import deque
from http.cookiejar import DefaultCookiePolicy
from pathlib import Path
from urllib.parse import urlsplit

import gevent
from locust import FastHttpUser, between, events, task
from locust.exception import StopUser

LOCAL_HOSTS = ("127.0.0.1", "localhost")
ACCOUNTS_FILE = Path(os.environ.get("LOAD_ACCOUNTS", "/tmp/congope-load/cuentas.json"))
OUT = Path(os.environ.get("LOAD_OUT", "/tmp/congope-load"))
LABEL = os.environ.get("LOAD_LABEL", "carga")
STEADY_SECONDS = float(os.environ.get("LOAD_STEADY_SECONDS", "60"))
RAMP_LIMIT = float(os.environ.get("LOAD_RAMP_LIMIT", "240"))
WAIT_MIN = float(os.environ.get("LOAD_WAIT_MIN", "2"))
WAIT_MAX = float(os.environ.get("LOAD_WAIT_MAX", "6"))

# Request names, grouped for the table: what directors read, what reporters open, the
# submission itself, and the login.
DASHBOARD, REPORT_PAGES, SUBMIT, LOGIN = "tablero", "páginas de reporte", "envío", "ingreso"
GROUP_OF = {
    "dirección: tablero": DASHBOARD,
    "dirección: CMI": DASHBOARD,
    "dirección: mapa estratégico": DASHBOARD,
    "dirección: objetivo": DASHBOARD,
    "dirección: indicador": DASHBOARD,
    "dirección: CMI en JSON": DASHBOARD,
    "reporte: Mis indicadores": REPORT_PAGES,
    "reporte: formulario": REPORT_PAGES,
    "reporte: enviar": SUBMIT,
    "ingreso: formulario": LOGIN,
    "ingreso: enviar": LOGIN,
}

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION = re.compile(r'<input[^>]*name="version"[^>]*>')
VALUE_ATTR = re.compile(r'value="([^"]*)"')


def _accounts() -> dict:
    return json.loads(ACCOUNTS_FILE.read_text())


ACCOUNTS = _accounts()
_directors = itertools.cycle(ACCOUNTS["directors"])
_reporters = iter(ACCOUNTS["reporters"])
_sequence = itertools.count(1)
STATE = {"logins_done": 0, "steady_start": None, "steady_end": None, "started": time.time()}
SAMPLES: list[tuple[str, float, bool, float]] = []  # (name, ms, ok, start time)


def _already_sent() -> set[tuple[str, str]]:
    """Slots attempted by earlier runs (other labels): each is submitted at most once."""
    sent = set()
    for path in OUT.glob("envios-*.jsonl"):
        for line in path.read_text().splitlines():
            entry = json.loads(line)
            sent.add((entry["indicator"], entry["period"]))
    return sent


ALREADY_SENT = _already_sent()
SUBMISSIONS = (OUT / f"envios-{LABEL}-{os.getpid()}.jsonl").open("a", buffering=1)


def _refuse_remote(host: str | None) -> None:
    parts = urlsplit(host or "")
    if parts.scheme != "http" or parts.hostname not in LOCAL_HOSTS:
        raise SystemExit(f"la prueba de carga solo se ejecuta contra http://127.0.0.1, no {host!r}")


@events.init.add_listener
def _only_local(environment, **_kw):
    _refuse_remote(environment.host)


@events.request.add_listener
def _record(name, response_time, exception, start_time=None, **_kw):
    SAMPLES.append((name, response_time, exception is None, start_time or time.time()))


@events.test_start.add_listener
def _start_clock(environment, **_kw):
    gevent.spawn(_measure_window, environment)


def _measure_window(environment) -> None:
    """Open the window when every user has logged in, close it and stop STEADY_SECONDS later."""
    target = environment.parsed_options.num_users
    limit = time.time() + RAMP_LIMIT
    while STATE["logins_done"] < target and time.time() < limit:
        gevent.sleep(0.5)
    STATE["steady_start"] = time.time()
    gevent.sleep(STEADY_SECONDS)
    STATE["steady_end"] = time.time()
    environment.runner.quit()


@events.quitting.add_listener
def _write_summary(environment, **_kw):
    SUBMISSIONS.close()
    summary = summarize(
        SAMPLES, STATE["steady_start"], STATE["steady_end"], environment.parsed_options.num_users
    )
    summary["ramp_seconds"] = round((STATE["steady_start"] or time.time()) - STATE["started"], 1)
    summary["window"] = [STATE["steady_start"], STATE["steady_end"]]
    summary["logins_done"] = STATE["logins_done"]
    (OUT / f"resumen-{LABEL}.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1))


def percentile(times: list[float], share: float) -> float | None:
    """Nearest-rank percentile (the value below which ``share`` of the times fall)."""
    if not times:
        return None
    ordered = sorted(times)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def summarize(samples, start: float | None, end: float | None, users: int) -> dict:
    """Per group: requests/s, median and p95 in the window; failures over the whole run.

    Logins all happen before the window opens: theirs are the figures of the whole run.
    """
    start, end = start or 0.0, end or time.time()
    groups = {}
    for group in (DASHBOARD, REPORT_PAGES, SUBMIT, LOGIN):
        mine = [s for s in samples if GROUP_OF.get(s[0]) == group]
        window = mine if group == LOGIN else [s for s in mine if start <= s[3] < end]
        times = [s[1] for s in window]
        groups[group] = {
            "requests": len(window),
            "rps": round(len(window) / (end - start), 2)
            if end > start and group != LOGIN
            else None,
            "median_ms": round(statistics.median(times)) if times else None,
            "p95_ms": round(percentile(times, 0.95)) if times else None,
            "failures": sum(1 for s in mine if not s[2]),
            "requests_whole_run": len(mine),
        }
    return {"users": users, "window_seconds": round(end - start, 1), "groups": groups}


# --- virtual users ------------------------------------------------------------------------


class BehindTheProxy(DefaultCookiePolicy):
    """The proxy ends https: the app's Secure cookies travel on to 127.0.0.1 over plain http.

    (Only ever used against 127.0.0.1: ``_refuse_remote``.)
    """

    def return_ok_secure(self, cookie, request):
        return True


class Person(FastHttpUser):
    """A signed-in person behind the proxy; logs in once, with its own account."""

    abstract = True
    wait_time = between(WAIT_MIN, WAIT_MAX)
    default_headers = {"X-Forwarded-Proto": "https", "X-Real-IP": "127.0.0.1"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _refuse_remote(self.host)
        self.client.cookiejar.set_policy(BehindTheProxy())

    def referer(self, path: str) -> dict:
        return {"Referer": f"https://{urlsplit(self.host).netloc}{path}"}

    def login(self, username: str) -> None:
        try:
            form = self.client.get("/ingresar/", name="ingreso: formulario", catch_response=True)
            with form as r:
                token = CSRF.search(r.text or "")
                if r.status_code != 200 or not token:
                    r.failure(f"formulario de ingreso: HTTP {r.status_code}")
            if not token:
                raise StopUser
            data = {
                "csrfmiddlewaretoken": token.group(1),
                "username": username,
                "password": ACCOUNTS["password"],
            }
            with self.client.post(
                "/ingresar/",
                data=data,
                headers=self.referer("/ingresar/"),
                name="ingreso: enviar",
                allow_redirects=False,
                catch_response=True,
            ) as r:
                accepted = r.status_code == 302
                if not accepted:
                    r.failure(f"ingreso de {username} rechazado: HTTP {r.status_code}")
            if not accepted:
                raise StopUser
        finally:
            STATE["logins_done"] += 1

    def page(self, path: str, name: str):
        """GET a page that must answer 200 itself (a redirect means the session was lost)."""
        with self.client.get(path, name=name, allow_redirects=False, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"HTTP {r.status_code}")
            return r


class DirectorUser(Person):
    """Reads the official plan: tablero, CMI, strategy map, objectives, indicators, JSON."""

    weight = 3

    def on_start(self):
        self.login(next(_directors))
        self.plan = ACCOUNTS["dashboard"]["plan"]

    def _period(self) -> str:
        return random.choice(ACCOUNTS["dashboard"]["periods"])

    @task(3)
    def tablero(self):
        self.page(f"/?plan={self.plan}&period={self._period()}", "dirección: tablero")

    @task(2)
    def cmi(self):
        self.page(f"/planes/{self.plan}/cmi/?period={self._period()}", "dirección: CMI")

    @task(1)
    def mapa(self):
        self.page(f"/planes/{self.plan}/mapa/", "dirección: mapa estratégico")

    @task(2)
    def objetivo(self):
        code = random.choice(ACCOUNTS["dashboard"]["objectives"])
        self.page(f"/planes/{self.plan}/objetivos/{code}/", "dirección: objetivo")

    @task(2)
    def indicador(self):
        code = random.choice(ACCOUNTS["dashboard"]["indicators"])
        self.page(f"/planes/{self.plan}/indicadores/{code}/", "dirección: indicador")

    @task(1)
    def cmi_json(self):
        path = f"/api/v1/plans/{self.plan}/scorecard/?period={self._period()}"
        self.page(path, "dirección: CMI en JSON")


def unique_number() -> str:
    """A number no other submission of the run uses: this process, then a counter."""
    return f"{os.getpid()}.{next(_sequence):06d}"


class ReporterUser(Person):
    """Opens Mis indicadores, then each of its own slots in turn: form, submit, back."""

    weight = 1

    def on_start(self):
        self.username = next(_reporters, None)
        if self.username is None:
            STATE["logins_done"] += 1
            raise StopUser  # more reporters than accounts: prepare.py --reporters
        self.plan = ACCOUNTS["load_plan"]
        slots = ACCOUNTS["slots"][self.username]
        self.slots = deque(s for s in slots if tuple(s) not in ALREADY_SENT)
        self.login(self.username)
        self.my_indicators()

    def my_indicators(self):
        self.page(f"/mis-indicadores/?plan={self.plan}", "reporte: Mis indicadores")

    @task
    def report(self):
        if not self.slots:
            raise StopUser  # all of its slots sent: prepare.py gives each reporter 120
        indicator, period = self.slots.popleft()
        path = f"/mis-indicadores/{self.plan}/{indicator}/{period}/"
        form = self.page(path, "reporte: formulario")
        page = form.text or ""
        token = CSRF.search(page)
        if form.status_code != 200 or not token:
            return
        self.wait()  # typing the value
        data = self._values(page) | {
            "csrfmiddlewaretoken": token.group(1),
            "version": _version(page),
            "analysis": "Prueba de carga: valor sintético.",
            "action": "submit",
        }
        self._submit(path, indicator, period, data)
        self.wait()
        self.my_indicators()

    def _values(self, page: str) -> dict:
        if 'name="numerator"' in page:
            return {"numerator": unique_number(), "denominator": "100000"}
        return {"value": unique_number()}

    def _submit(self, path: str, indicator: str, period: str, data: dict) -> None:
        sent = {k: data[k] for k in ("value", "numerator", "denominator") if k in data}
        entry = {"user": self.username, "indicator": indicator, "period": period, **sent}
        _log({**entry, "event": "intento"})
        status, accepted = 0, False
        try:
            with self.client.post(
                path,
                data=data,
                headers=self.referer(path),
                name="reporte: enviar",
                allow_redirects=False,
                catch_response=True,
            ) as r:
                status = r.status_code or 0
                # Accepted: back to Mis indicadores (a redirect to the login is a lost session).
                where = r.headers.get("Location", "") if status == 302 else ""
                accepted = where.startswith("/mis-indicadores/")
                if not accepted:
                    r.failure(f"envío no aceptado: HTTP {status} {where}".strip())
        finally:
            _log({**entry, "event": "respuesta", "status": status, "ok": accepted})


def _version(page: str) -> str:
    field = VERSION.search(page)
    value = VALUE_ATTR.search(field.group(0)) if field else None
    return value.group(1) if value else ""


def _log(entry: dict) -> None:
    SUBMISSIONS.write(json.dumps(entry, ensure_ascii=False) + "\n")
