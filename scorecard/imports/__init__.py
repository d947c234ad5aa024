"""Spreadsheet imports of a plan's indicators, targets and values (CONTRACT.md).

The one service behind every entry point (``manage.py import_*``, the web import): the
file is read and checked from the outside (:mod:`.reading`, :mod:`.xlsx`), its columns
matched to the resources of ``planning.resources`` / ``scorecard.resources``, every row
validated in memory with one lookup of codes per kind, and the changes written set-based
in one transaction, or not at all (:mod:`.runner`).

    result = import_measurements(path, plan=plan, user=request.user, dry_run=True)
    result.ok, result.summary(), result.messages(), result.outcomes
"""

from scorecard.imports.indicators import IndicatorImporter
from scorecard.imports.measurements import MeasurementImporter
from scorecard.imports.reading import FileProblem, Table, read_table
from scorecard.imports.runner import ImportRefused, ImportResult, run_import
from scorecard.imports.sheet import Problem
from scorecard.imports.targets import TargetImporter

__all__ = [
    "FileProblem",
    "ImportRefused",
    "ImportResult",
    "Problem",
    "Table",
    "import_indicators",
    "import_measurements",
    "import_targets",
    "read_table",
]


def import_indicators(source, *, plan, user=None, dry_run=False, file_name="") -> ImportResult:
    """Create or update the plan's indicators from an **indicadores** file."""
    importer = IndicatorImporter(plan=plan, user=user)
    return run_import(importer, source, file_name=file_name, dry_run=dry_run)


def import_targets(
    source, *, plan, user=None, reason="", dry_run=False, file_name=""
) -> ImportResult:
    """Program targets (or reform those of an approved plan, with ``reason``) from **metas**."""
    importer = TargetImporter(plan=plan, user=user, reason=reason)
    return run_import(importer, source, file_name=file_name, dry_run=dry_run)


def import_measurements(
    source, *, plan, user=None, validate=False, overwrite=False, dry_run=False, file_name=""
) -> ImportResult:
    """Record reported values from a **mediciones** file (``validate``: planning staff)."""
    importer = MeasurementImporter(plan=plan, user=user, validate=validate, overwrite=overwrite)
    return run_import(importer, source, file_name=file_name, dry_run=dry_run)
