"""Who used the CPU during a load run: gunicorn, PostgreSQL, locust, and everything else.

On a shared machine the latencies say little without this: ``run.py`` samples, once a
second, the CPU seconds of each process tree (from ``/proc``, children that already exited
included) and of the whole machine; ``verify.py`` reads the samples of the measured window.
Linux only; standard library only (``run.py`` imports no Django).
"""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str]:
    # The command name, in parentheses, may hold spaces: split after it.
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def process_seconds(pid: int) -> float:
    """CPU seconds of a process and of its children that exited (0 when it is gone)."""
    try:
        fields = _stat(pid)
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return sum(int(f) for f in fields[11:15]) / TICK  # utime, stime, cutime, cstime


def tree_seconds(root: int) -> float:
    """A process and its live children (gunicorn's workers, PostgreSQL's backends)."""
    total = process_seconds(root)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if int(_stat(int(entry.name))[1]) == root:
                total += process_seconds(int(entry.name))
        except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
            continue
    return total


def machine_seconds() -> float:
    """Busy CPU seconds of the whole machine, every core (not idle, not waiting for disk)."""
    ticks = [int(n) for n in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(ticks) - ticks[3] - ticks[4]) / TICK


class Sampler(threading.Thread):
    """Samples the named process trees every second until ``stop()``; writes them to ``path``."""

    def __init__(self, path: Path, roots: dict[str, int]):
        super().__init__(daemon=True)
        self.path, self.roots = path, roots
        self.samples: list[dict] = []
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.is_set():
            sample = {name: tree_seconds(pid) for name, pid in self.roots.items()}
            sample.update(t=time.time(), machine=machine_seconds(), load=os.getloadavg()[0])
            self.samples.append(sample)
            self._done.wait(1)

    def stop(self) -> None:
        self._done.set()
        self.join()
        self.path.write_text(json.dumps(self.samples))


def usage(samples: list[dict], start: float, end: float) -> dict | None:
    """Cores used by each tree, by the rest of the machine, and the load, within [start, end]."""
    inside = [s for s in samples if start <= s["t"] <= end]
    if len(inside) < 2:
        return None
    first, last = inside[0], inside[-1]
    seconds = last["t"] - first["t"]
    names = [k for k in first if k not in ("t", "machine", "load")]
    cores = {name: (last[name] - first[name]) / seconds for name in names}
    cores["otros procesos"] = (last["machine"] - first["machine"]) / seconds - sum(cores.values())
    return {
        "cores": cores,
        "seconds": seconds,
        "load": max(s["load"] for s in inside),
        "cpus": os.cpu_count(),
    }
