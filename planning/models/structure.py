"""The institution and the structure of its strategic plan (what it intends to achieve)."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from planning.models.base import PlanElement, within_plan


class Institution(models.Model):
    """A public body that plans: CONGOPE, a ministry, a provincial government…"""

    code = models.CharField(_("código"), max_length=20, unique=True)
    name = models.CharField(_("nombre"), max_length=255)
    acronym = models.CharField(_("siglas"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("institución")
        verbose_name_plural = _("instituciones")
        ordering = ["name"]

    def __str__(self):
        return self.acronym or self.name


class OrgUnit(models.Model):
    """An organizational unit (dirección, unidad) of the institution's functional structure.

    Units form a tree and are typed as in Ecuador's organic statutes: governing, value-adding,
    advisory or support. Users belong to units; a unit reporter reports for their units only.
    """

    class Kind(models.TextChoices):
        GOVERNING = "gobernante", _("Gobernante")
        VALUE_ADDING = "agregador_valor", _("Agregadora de valor")
        ADVISORY = "asesoria", _("Asesoría")
        SUPPORT = "apoyo", _("Apoyo")

    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="units", verbose_name=_("institución")
    )
    code = models.CharField(_("código"), max_length=20)
    name = models.CharField(_("nombre"), max_length=255)
    kind = models.CharField(_("tipo"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("unidad superior"),
    )
    order = models.PositiveIntegerField(_("orden"), default=0)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="org_units",
        verbose_name=_("miembros"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("unidad organizacional")
        verbose_name_plural = _("unidades organizacionales")
        ordering = ["institution", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "code"], name="orgunit_code_unique"),
            models.CheckConstraint(condition=~Q(parent=F("pk")), name="orgunit_not_own_parent"),
        ]

    def __str__(self):
        return f"{self.code} — {self.name}"

    def clean(self):
        if self.parent_id and self.parent.institution_id != self.institution_id:
            raise ValidationError({"parent": _("La unidad superior es de otra institución.")})
        ancestor = self.parent
        while ancestor is not None:
            if ancestor.pk == self.pk and self.pk is not None:
                raise ValidationError({"parent": _("La estructura no puede formar un ciclo.")})
            ancestor = ancestor.parent


class Gadp(models.Model):
    """A provincial government (Gobierno Autónomo Descentralizado Provincial).

    Keyed by INEC's two-digit province code; Galápagos (20) has a special regime and no GADP.
    """

    code = models.CharField(_("código INEC"), max_length=2, unique=True)
    province = models.CharField(_("provincia"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("GAD provincial")
        verbose_name_plural = _("GAD provinciales")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.province}"


class Plan(models.Model):
    """An institutional strategic plan for a period of years, one version of it.

    A new plan or a new version never overwrites an older one: each has its own code.
    """

    class Status(models.TextChoices):
        DRAFT = "borrador", _("Borrador")
        APPROVED = "aprobado", _("Aprobado")
        CLOSED = "cerrado", _("Cerrado")

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="plans", verbose_name=_("institución")
    )
    code = models.CharField(_("código"), max_length=40, unique=True)
    name = models.CharField(_("nombre"), max_length=500)
    start_year = models.PositiveSmallIntegerField(_("año inicial"))
    end_year = models.PositiveSmallIntegerField(_("año final"))
    mission = models.TextField(_("misión"), blank=True)
    vision = models.TextField(_("visión"), blank=True)
    status = models.CharField(
        _("estado"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    version = models.PositiveSmallIntegerField(_("versión"), default=1)
    issued_by = models.CharField(_("emitido por"), max_length=255, blank=True)
    issued_on = models.CharField(_("fecha de emisión"), max_length=50, blank=True)
    approved_on = models.DateField(_("fecha de aprobación"), null=True, blank=True)
    notes = models.TextField(_("notas"), blank=True)
    green_threshold = models.DecimalField(
        _("umbral verde (%)"), max_digits=6, decimal_places=2, default=Decimal("85")
    )
    yellow_threshold = models.DecimalField(
        _("umbral amarillo (%)"), max_digits=6, decimal_places=2, default=Decimal("70")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("plan estratégico")
        verbose_name_plural = _("planes estratégicos")
        ordering = ["-start_year", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__gte=F("start_year")), name="plan_years_ordered"
            ),
            models.CheckConstraint(
                condition=Q(green_threshold__gt=F("yellow_threshold")),
                name="plan_bands_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.code} — {self.name}"

    def clean(self):
        if self.start_year and self.end_year and self.end_year < self.start_year:
            raise ValidationError({"end_year": _("El año final es anterior al inicial.")})
        bands_given = self.green_threshold is not None and self.yellow_threshold is not None
        if bands_given and self.green_threshold <= self.yellow_threshold:
            raise ValidationError(
                {"green_threshold": _("El umbral verde debe ser mayor que el amarillo.")}
            )


class Principle(PlanElement):
    """A value or principle the institution commits to (section "principios" of a plan)."""

    name = models.CharField(_("nombre"), max_length=255)
    description = models.TextField(_("descripción"), blank=True)

    class Meta(PlanElement.Meta):
        verbose_name = _("principio")
        verbose_name_plural = _("principios")
        constraints = [within_plan("principle")]


class InstitutionalPolicy(PlanElement):
    """An institutional policy: a standing rule that guides how objectives are pursued."""

    text = models.TextField(_("texto"))

    class Meta(PlanElement.Meta):
        verbose_name = _("política institucional")
        verbose_name_plural = _("políticas institucionales")
        constraints = [within_plan("policy")]

    def __str__(self):
        return f"{self.code} {self.text[:80]}"


class Perspective(PlanElement):
    """A plan-defined group of objectives (BSC perspective, or CONGOPE's addressees)."""

    name = models.CharField(_("nombre"), max_length=255)
    description = models.TextField(_("descripción"), blank=True)
    weight = models.DecimalField(
        _("peso"),
        max_digits=8,
        decimal_places=4,
        default=Decimal(1),
        validators=[MinValueValidator(Decimal(0))],
    )

    class Meta(PlanElement.Meta):
        verbose_name = _("perspectiva")
        verbose_name_plural = _("perspectivas")
        constraints = [
            within_plan("perspective"),
            models.CheckConstraint(condition=Q(weight__gte=0), name="perspective_weight_positive"),
        ]


class StrategicObjective(PlanElement):
    """An objetivo estratégico institucional (OEI), in one perspective of the plan."""

    perspective = models.ForeignKey(
        Perspective,
        on_delete=models.PROTECT,
        related_name="objectives",
        verbose_name=_("perspectiva"),
    )
    name = models.TextField(_("enunciado"))
    short_name = models.CharField(_("nombre corto"), max_length=255, blank=True)
    axis = models.CharField(_("eje"), max_length=100, blank=True)
    description = models.TextField(_("descripción"), blank=True)
    weight = models.DecimalField(
        _("peso"),
        max_digits=8,
        decimal_places=4,
        default=Decimal(1),
        validators=[MinValueValidator(Decimal(0))],
    )
    responsible_units = models.ManyToManyField(
        OrgUnit, blank=True, related_name="objectives", verbose_name=_("unidades responsables")
    )
    effects = models.ManyToManyField(
        "self",
        through="ObjectiveLink",
        symmetrical=False,
        blank=True,
        related_name="causes",
        verbose_name=_("contribuye a"),
    )

    class Meta(PlanElement.Meta):
        verbose_name = _("objetivo estratégico")
        verbose_name_plural = _("objetivos estratégicos")
        constraints = [
            within_plan("objective"),
            models.CheckConstraint(condition=Q(weight__gte=0), name="objective_weight_positive"),
        ]

    def __str__(self):
        return f"{self.code} {self.short_name or self.name[:80]}"

    def clean(self):
        super().clean()
        if self.perspective_id and self.plan_id and self.perspective.plan_id != self.plan_id:
            raise ValidationError({"perspective": _("La perspectiva es de otro plan.")})


class ObjectiveLink(models.Model):
    """A cause-effect arrow of the strategy map: achieving ``cause`` helps achieve ``effect``."""

    cause = models.ForeignKey(
        StrategicObjective, on_delete=models.CASCADE, related_name="effect_links"
    )
    effect = models.ForeignKey(
        StrategicObjective, on_delete=models.CASCADE, related_name="cause_links"
    )
    description = models.CharField(_("descripción"), max_length=255, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("relación causa-efecto")
        verbose_name_plural = _("relaciones causa-efecto")
        constraints = [
            models.UniqueConstraint(fields=["cause", "effect"], name="objectivelink_unique"),
            models.CheckConstraint(condition=~Q(cause=F("effect")), name="objectivelink_not_self"),
        ]

    def __str__(self):
        return f"{self.cause.code} → {self.effect.code}"

    def clean(self):
        if self.cause_id and self.effect_id and self.cause.plan_id != self.effect.plan_id:
            raise ValidationError(_("Los dos objetivos deben ser del mismo plan."))


class ObjectiveChild(PlanElement):
    """Something that hangs from one objective and is coded within the plan."""

    objective = models.ForeignKey(
        StrategicObjective,
        on_delete=models.CASCADE,
        verbose_name=_("objetivo"),
    )

    class Meta(PlanElement.Meta):
        abstract = True

    def clean(self):
        super().clean()
        if self.objective_id and self.plan_id and self.objective.plan_id != self.plan_id:
            raise ValidationError({"objective": _("El objetivo es de otro plan.")})


class Strategy(ObjectiveChild):
    """An implementation strategy (how the objective will be pursued)."""

    text = models.TextField(_("texto"))

    class Meta(PlanElement.Meta):
        verbose_name = _("estrategia")
        verbose_name_plural = _("estrategias")
        constraints = [within_plan("strategy")]

    def __str__(self):
        return f"{self.code} {self.text[:80]}"


class ExpectedResult(ObjectiveChild):
    """An expected result (meta) of the results chain: its literal text and a target to read."""

    text = models.TextField(_("texto"))
    printed_code = models.CharField(
        _("código impreso"),
        max_length=20,
        blank=True,
        help_text=_("El código tal como aparece en el documento fuente, si difiere."),
    )
    target_value = models.DecimalField(
        _("valor meta"), max_digits=20, decimal_places=6, null=True, blank=True
    )
    target_unit = models.CharField(_("unidad de la meta"), max_length=100, blank=True)
    target_year = models.PositiveSmallIntegerField(_("año de la meta"), null=True, blank=True)

    class Meta(PlanElement.Meta):
        verbose_name = _("resultado esperado")
        verbose_name_plural = _("resultados esperados")
        constraints = [within_plan("result")]

    def __str__(self):
        return f"{self.code} {self.text[:80]}"
