from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


def within_plan(prefix: str) -> models.UniqueConstraint:
    """Codes are unique within their plan: the database says so, not only the forms."""
    return models.UniqueConstraint(fields=["plan", "code"], name=f"{prefix}_code_unique_in_plan")


class PlanElement(models.Model):
    """Anything that belongs to one plan and is known by a code unique within it."""

    plan = models.ForeignKey("planning.Plan", on_delete=models.CASCADE, verbose_name=_("plan"))
    code = models.CharField(_("código"), max_length=20)
    order = models.PositiveIntegerField(_("orden"), default=0)
    # Every change, by whom and when, before/after (shown on the pages); bulk writes add
    # their rows through planning.history (signals do not see them, PITFALLS 8).
    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True
        ordering = ["plan", "order", "code"]

    def __str__(self):
        name = getattr(self, "name", "")
        return f"{self.code} {name}".strip()

    def clean(self):
        if not self.code or not self.code.strip():
            raise ValidationError({"code": _("El código es obligatorio.")})
