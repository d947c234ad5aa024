"""A whole plan in one file, between installations: ``export_plan`` and ``import_plan``.

It lives in ``scorecard`` because a plan's file holds both apps' rows (its values, evidence
and closed periods are scorecard's), and ``planning`` must not import ``scorecard``.

- :mod:`.format`: what the file holds (format, version, the lists of ``plan.json``), shared
  by both directions so that they cannot drift apart;
- :mod:`.members`: the zip's JSON members and the checks a file passes before any row is
  touched;
- :mod:`.references`: what a plan points to outside itself (institution, units, GADPs,
  users), written by code and matched by code on the way back;
- :mod:`.export` and :mod:`.restore`: the two directions.

    result = export_plan(plan, "plan.zip")
    result = import_plan("plan.zip", replace=False, user=user, file_name="plan.zip")
    result.plan, result.summary(), result.warnings
"""

from scorecard.backup.export import export_plan
from scorecard.backup.format import BackupError, Result
from scorecard.backup.restore import import_plan

__all__ = ["BackupError", "Result", "export_plan", "import_plan"]
