"""The ``congope-plan`` file (version 1, docs/backup.md): what it holds and how it is keyed.

Export and import both walk :data:`KINDS`, so a list added here travels both ways, in an
order where every reference points back to something already written (or created).
Rows are keyed by codes, never by database ids: ids mean nothing in another installation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models

from planning.models import (
    ExpectedResult,
    Indicator,
    InstitutionalPolicy,
    ObjectiveLink,
    Perspective,
    Plan,
    Principle,
    StrategicObjective,
    Strategy,
    Target,
)
from scorecard.models import ClosedPeriod, Evidence, Measurement

FORMAT, VERSION = "congope-plan", 1
#: Fields never written: ids, the plan (implicit), and spreadsheet provenance, which
#: points at import records that stay in the source installation.
SKIPPED = {"id", "history_id", "plan", "import_batch", "import_row"}


class BackupError(Exception):
    """Why a plan file was refused, in Spanish; nothing was written."""


@dataclass(frozen=True)
class Kind:
    """One list of ``plan.json``: its model, how it reaches the plan, and its key fields."""

    name: str
    model: type[models.Model]
    plan_path: str
    key: tuple[str, ...] = ("code",)

    def rows_of(self, plan):
        return self.model.objects.filter(**{self.plan_path: plan.pk}).order_by("pk")

    def key_of(self, row: dict):
        values = [row[name] for name in self.key]
        return values[0] if len(values) == 1 else values


#: In dependency order: every reference points to an earlier kind (or a unit, GADP, user).
KINDS = (
    Kind("plan", Plan, "pk"),
    Kind("principles", Principle, "plan"),
    Kind("policies", InstitutionalPolicy, "plan"),
    Kind("perspectives", Perspective, "plan"),
    Kind("objectives", StrategicObjective, "plan"),
    Kind("links", ObjectiveLink, "cause__plan", ("cause", "effect")),
    Kind("strategies", Strategy, "plan"),
    Kind("results", ExpectedResult, "plan"),
    Kind("indicators", Indicator, "plan"),
    Kind("targets", Target, "indicator__plan", ("indicator", "period")),
    Kind("measurements", Measurement, "indicator__plan", ("indicator", "period", "gadp")),
    Kind("evidence", Evidence, "measurement__indicator__plan", ("file",)),
    Kind("closed_periods", ClosedPeriod, "plan", ("period",)),
)


@dataclass
class Result:
    """What an export or import did: the plan, how many rows of each list, what to warn."""

    plan: Plan
    counts: dict[str, int]
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return ", ".join(f"{name} {n}" for name, n in self.counts.items())


def m2m_names(model) -> list[str]:
    """The model's many-to-many fields written as lists of codes (not those with own rows)."""
    return [f.name for f in model._meta.many_to_many if f.remote_field.through._meta.auto_created]
