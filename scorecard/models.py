"""Progress against the plan: reported values (mediciones) and their evidence."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from planning.models import Gadp, Indicator
from planning.validators import validate_period_code

DECIMAL = {"max_digits": 20, "decimal_places": 6}


class Measurement(models.Model):
    """The value an indicator reached in one period (a medición), as reported and validated.

    A ratio indicator stores its numerator and denominator; any other stores ``value``.
    Per-GADP rows (``gadp`` set) are a province's part of the value; the row without ``gadp``
    is the indicator's own value, the one the scorecard reads.
    """

    class Status(models.TextChoices):
        DRAFT = "borrador", _("Borrador")
        REPORTED = "reportado", _("Reportado")
        RETURNED = "observado", _("Observado")
        VALIDATED = "validado", _("Validado")

    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.CASCADE,
        related_name="measurements",
        verbose_name=_("indicador"),
    )
    period = models.CharField(_("periodo"), max_length=7, validators=[validate_period_code])
    gadp = models.ForeignKey(
        Gadp,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="measurements",
        verbose_name=_("GAD provincial"),
    )
    value = models.DecimalField(_("valor"), null=True, blank=True, **DECIMAL)
    numerator = models.DecimalField(_("numerador"), null=True, blank=True, **DECIMAL)
    denominator = models.DecimalField(_("denominador"), null=True, blank=True, **DECIMAL)
    analysis = models.TextField(_("análisis de variación"), blank=True)
    status = models.CharField(
        _("estado"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    return_comment = models.TextField(_("observación de Planificación"), blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reportado por"),
    )
    reported_at = models.DateTimeField(_("reportado el"), null=True, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("validado por"),
    )
    validated_at = models.DateTimeField(_("validado el"), null=True, blank=True)
    # Optimistic lock: every write is UPDATE … WHERE version = n (PITFALLS 9).
    version = models.PositiveIntegerField(_("versión"), default=1)
    updated_at = models.DateTimeField(_("actualizado el"), auto_now=True)
    # Provenance of values that came from a spreadsheet: the import and the file's row.
    import_batch = models.ForeignKey(
        "scorecard.ImportBatch",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="measurements",
        verbose_name=_("importación"),
    )
    import_row = models.PositiveIntegerField(_("fila del archivo"), null=True, blank=True)

    # History is read by row (id), by indicator and by import (undo), never by GADP or by
    # who reported or validated: those indexes would only slow every recorded write (an
    # import of 100,000 changed values spends a quarter of its history time on them).
    history = HistoricalRecords(no_db_index=["gadp", "reported_by", "validated_by"])

    class Meta:
        verbose_name = _("medición")
        verbose_name_plural = _("mediciones")
        ordering = ["indicator", "period", "gadp"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period"],
                condition=Q(gadp__isnull=True),
                name="measurement_unique_period",
            ),
            models.UniqueConstraint(
                fields=["indicator", "period", "gadp"],
                condition=Q(gadp__isnull=False),
                name="measurement_unique_period_gadp",
            ),
            models.CheckConstraint(
                condition=Q(denominator__isnull=True) | Q(denominator__gt=0),
                name="measurement_denominator_positive",
            ),
            models.CheckConstraint(
                condition=Q(numerator__isnull=True, denominator__isnull=True)
                | Q(numerator__isnull=False, denominator__isnull=False, value__isnull=True),
                name="measurement_ratio_complete",
            ),
        ]
        indexes = [models.Index(fields=["status", "period"], name="measurement_status_period")]

    def __str__(self):
        where = f" {self.gadp.code}" if self.gadp_id else ""
        return f"{self.indicator.code} {self.period}{where}"

    def clean(self):
        if not self.indicator_id:
            return
        errors = {}
        if self.period:
            try:
                self.indicator.check_period(self.period)
            except ValidationError as exc:
                errors.update(exc.message_dict)
        if self.indicator.calculation == Indicator.Calculation.RATIO:
            if self.value is not None:
                errors["value"] = _("Un indicador de razón se reporta con numerador y denominador.")
            if (self.numerator is None) != (self.denominator is None):
                errors["denominator"] = _("Indique numerador y denominador.")
            if self.denominator is not None and self.denominator <= 0:
                errors["denominator"] = _("El denominador debe ser mayor que cero.")
        elif self.numerator is not None or self.denominator is not None:
            errors["numerator"] = _("Este indicador se reporta con un valor, no con una razón.")
        if self.gadp_id and not self.indicator.disaggregated_by_gadp:
            errors["gadp"] = _("Este indicador no se desagrega por GADP.")
        if errors:
            raise ValidationError(errors)

    @property
    def ratio(self):
        """The value a numerator/denominator pair makes (× the indicator's factor)."""
        if self.numerator is None or not self.denominator:
            return self.value
        return self.numerator / self.denominator * self.indicator.factor


class Evidence(models.Model):
    """A file that backs a reported value (medio de verificación). Stored outside the web root."""

    measurement = models.ForeignKey(
        Measurement, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("medición")
    )
    file = models.FileField(_("archivo"), upload_to="evidencias/%Y/%m/")
    original_name = models.CharField(_("nombre original"), max_length=255)
    content_type = models.CharField(_("tipo de contenido"), max_length=100)
    size = models.PositiveBigIntegerField(_("tamaño (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("subido por"),
    )
    uploaded_at = models.DateTimeField(_("subido el"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("evidencia")
        verbose_name_plural = _("evidencias")
        ordering = ["measurement", "uploaded_at"]

    def __str__(self):
        return self.original_name


class ApiToken(models.Model):
    """A personal read-only token for integrations (``Authorization: Bearer <token>``).

    Only a hash is stored: the token itself is shown once, when it is issued in the admin.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("usuario"),
    )
    name = models.CharField(_("descripción"), max_length=100)
    prefix = models.CharField(_("prefijo"), max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("emitido el"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revocado el"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("último uso"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("token de API")
        verbose_name_plural = _("tokens de API")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.prefix}… ({self.user})"


class ImportBatch(models.Model):
    """One spreadsheet import that changed the plan: what kind, which file, who and when.

    Written only when the import changed something (an import whose rows are all «sin
    cambios» leaves no trace). ``user`` empty means the command line. The measurements it
    wrote point back to it with the row of the file they came from.
    """

    class Kind(models.TextChoices):
        INDICATORS = "indicadores", _("Indicadores")
        TARGETS = "metas", _("Metas")
        MEASUREMENTS = "mediciones", _("Mediciones")

    kind = models.CharField(_("tipo"), max_length=12, choices=Kind.choices)
    plan = models.ForeignKey(
        "planning.Plan",
        on_delete=models.CASCADE,
        related_name="import_batches",
        verbose_name=_("plan"),
    )
    file_name = models.CharField(_("archivo"), max_length=255)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("importado por"),
    )
    created_at = models.DateTimeField(_("importado el"), auto_now_add=True)
    created = models.PositiveIntegerField(_("creados"), default=0)
    updated = models.PositiveIntegerField(_("actualizados"), default=0)
    unchanged = models.PositiveIntegerField(_("sin cambios"), default=0)
    reason = models.TextField(_("motivo de la reforma"), blank=True)
    validated = models.BooleanField(_("marcó los valores como validados"), default=False)
    overwrite = models.BooleanField(_("reemplazó valores validados"), default=False)
    # Undoing an import restores what it changed (scorecard.imports.undo); the record stays.
    undone_at = models.DateTimeField(_("deshecha el"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("deshecha por"),
    )

    class Meta:
        verbose_name = _("importación")
        verbose_name_plural = _("importaciones")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.file_name} ({self.who})"

    @property
    def change_reason(self) -> str:
        """What the history of the rows it wrote says: the import, its file, a reforma's reason."""
        text = f"importación #{self.pk}: {self.file_name}"
        return f"{text} — {self.reason}" if self.reason else text

    @property
    def who(self) -> str:
        """The user's name, or «línea de comandos» when the import ran without ``--user``."""
        return self.user.get_username() if self.user_id else str(_("línea de comandos"))


class ClosedPeriod(models.Model):
    """A period planning staff have closed: its values change only by a planner, with a reason.

    Closing a year closes every semester, quarter and month inside it (``Period.contains``).
    """

    plan = models.ForeignKey(
        "planning.Plan",
        on_delete=models.CASCADE,
        related_name="closed_periods",
        verbose_name=_("plan"),
    )
    period = models.CharField(_("periodo"), max_length=7, validators=[validate_period_code])
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("cerrado por"),
    )
    closed_at = models.DateTimeField(_("cerrado el"), auto_now_add=True)
    reason = models.TextField(_("observación"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("periodo cerrado")
        verbose_name_plural = _("periodos cerrados")
        ordering = ["plan", "period"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "period"], name="closed_period_unique")
        ]

    def __str__(self):
        return f"{self.plan.code} {self.period}"


class ReminderLog(models.Model):
    """One reminder e-mail sent: cron may run ``send_reminders`` often, a person gets one a day."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    # What the mail was about: "due:<indicator pk>:<period>" or "validate:<measurement pk>".
    item = models.CharField(max_length=60)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "day", "item"], name="reminder_once_a_day")
        ]

    def __str__(self):
        return f"{self.user_id} {self.day} {self.item}"


class PendingImport(models.Model):
    """A spreadsheet uploaded on the web import, checked (preview) and waiting for its owner
    to confirm it. Bound to its user (nobody else sees or confirms it) and kept in the
    database, not in a server's temporary folder, so that any server can confirm it
    (PITFALLS 14). Uploads older than a day are deleted when a new one is made.
    """

    class State(models.TextChoices):
        PENDING = "pendiente", _("Pendiente de confirmar")
        INVALID = "con_errores", _("Con errores")
        IMPORTED = "importada", _("Importada")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("usuario"),
    )
    plan = models.ForeignKey(
        "planning.Plan", on_delete=models.CASCADE, related_name="+", verbose_name=_("plan")
    )
    kind = models.CharField(_("tipo"), max_length=12, choices=ImportBatch.Kind.choices)
    # The importer's options as chosen on the form: validate, overwrite, reason.
    options = models.JSONField(_("opciones"), default=dict, blank=True)
    content = models.BinaryField(_("contenido"), blank=True)
    file_name = models.CharField(_("archivo"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("tamaño (bytes)"), default=0)
    created_at = models.DateTimeField(_("subido el"), auto_now_add=True, db_index=True)
    state = models.CharField(
        _("estado"), max_length=12, choices=State.choices, default=State.PENDING
    )
    # What the check found: counts, a sample of rows per outcome, and the problems.
    preview = models.JSONField(_("vista previa"), default=dict, blank=True)
    batch = models.ForeignKey(
        ImportBatch,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("importación"),
    )

    class Meta:
        verbose_name = _("carga pendiente")
        verbose_name_plural = _("cargas pendientes")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.file_name} ({self.user})"
