"""The zip's JSON members: ``manifest.json``, ``plan.json`` and ``history.json``.

A file comes from another installation, or from anyone: before a single row is touched,
its format and version are checked, each member's declared size is capped, and
``plan.json`` must agree with the manifest's counts, so that a truncated or foreign file is
refused with a reason instead of half-read.
"""

from __future__ import annotations

import json
import zipfile

from django.utils import timezone

from scorecard.backup.format import FORMAT, KINDS, VERSION, BackupError

MAX_JSON_BYTES = 512 * 1024 * 1024


def dumps(content) -> str:
    return json.dumps(content, ensure_ascii=False, indent=1)


def new_manifest(plan, counts: dict[str, int]) -> dict:
    """The manifest of an export starting now; ``counts`` may still grow until written."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "plan": plan.code,
        "exported_at": timezone.now().isoformat(),
        "counts": counts,
    }


def read(archive) -> tuple[dict, dict, dict]:
    """(manifest, plan data, history) of a checked file; ``data["plan"]`` as a list of one."""
    manifest = _json(archive, "manifest.json")
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise BackupError(
            f"archivo: formato {manifest.get('format')!r} versión {manifest.get('version')!r}; "
            f"se espera {FORMAT!r} versión {VERSION}"
        )
    data, history = _json(archive, "plan.json"), _json(archive, "history.json")
    found = {kind.name: len(data[kind.name]) for kind in KINDS if kind.name != "plan"}
    expected = {name: n for name, n in manifest["counts"].items() if name in found}
    if found != expected or data["plan"].get("code") != manifest.get("plan"):
        raise BackupError("archivo: plan.json no coincide con el manifiesto")
    data["plan"] = [data["plan"]]
    return manifest, data, history


def _json(archive, name: str) -> dict:
    try:
        info = archive.getinfo(name)
    except KeyError as exc:
        raise BackupError(f"archivo: falta {name}") from exc
    if info.file_size > MAX_JSON_BYTES:
        raise BackupError(f"archivo: {name} es demasiado grande")
    try:
        return json.loads(archive.read(info))
    except (ValueError, zipfile.BadZipFile) as exc:
        raise BackupError(f"archivo: {name} no es JSON válido ({exc})") from exc
