from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _

from planning import access
from planning.models import (
    ExpectedResult,
    Gadp,
    Indicator,
    Institution,
    InstitutionalPolicy,
    ObjectiveLink,
    OrgUnit,
    Perspective,
    Plan,
    Principle,
    StrategicObjective,
    Strategy,
    Target,
)


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ["code", "acronym", "name"]
    search_fields = ["code", "acronym", "name"]


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent", "institution"]
    list_select_related = ["parent", "institution"]
    list_filter = ["kind", "institution"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent", "members"]

    def get_readonly_fields(self, request, obj=None):
        # Members decide what reporters report: planners see them here but do not change
        # them, as on the unit's editing page.
        if access.can_manage_members(request.user):
            return self.readonly_fields
        return [*self.readonly_fields, "members"]


@admin.register(Gadp)
class GadpAdmin(admin.ModelAdmin):
    list_display = ["code", "province"]
    search_fields = ["code", "province"]


class PrincipleInline(admin.TabularInline):
    model = Principle
    extra = 0


class PolicyInline(admin.TabularInline):
    model = InstitutionalPolicy
    extra = 0


class PerspectiveInline(admin.TabularInline):
    model = Perspective
    extra = 0


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "start_year", "end_year", "status", "version"]
    list_filter = ["status", "institution"]
    search_fields = ["code", "name"]
    inlines = [PerspectiveInline, PolicyInline, PrincipleInline]


class PlanChildAdmin(admin.ModelAdmin):
    """Common settings for what hangs from a plan and is known by a code."""

    list_filter = ["plan"]
    list_select_related = ["plan"]
    autocomplete_fields = ["plan"]


@admin.register(Perspective)
class PerspectiveAdmin(PlanChildAdmin):
    list_display = ["code", "name", "plan", "weight", "order"]
    search_fields = ["code", "name"]


@admin.register(Principle)
class PrincipleAdmin(PlanChildAdmin):
    list_display = ["code", "name", "plan"]
    search_fields = ["code", "name"]


@admin.register(InstitutionalPolicy)
class InstitutionalPolicyAdmin(PlanChildAdmin):
    list_display = ["code", "text", "plan"]
    search_fields = ["code", "text"]


class StrategyInline(admin.TabularInline):
    model = Strategy
    extra = 0
    fields = ["plan", "code", "text", "order"]


class ResultInline(admin.StackedInline):
    model = ExpectedResult
    extra = 0
    fields = [
        "plan",
        ("code", "printed_code", "order"),
        "text",
        ("target_value", "target_unit", "target_year"),
    ]


class LinkInline(admin.TabularInline):
    model = ObjectiveLink
    fk_name = "cause"
    extra = 0
    autocomplete_fields = ["effect"]
    verbose_name = _("contribuye a (flecha del mapa estratégico)")
    verbose_name_plural = _("contribuye a (flechas del mapa estratégico)")


@admin.register(StrategicObjective)
class StrategicObjectiveAdmin(PlanChildAdmin):
    list_display = ["code", "short_name", "perspective", "plan", "weight"]
    list_select_related = ["plan", "perspective"]
    list_filter = ["plan", "perspective"]
    search_fields = ["code", "name", "short_name"]
    autocomplete_fields = ["plan", "perspective", "responsible_units"]
    inlines = [StrategyInline, ResultInline, LinkInline]


@admin.register(Strategy)
class StrategyAdmin(PlanChildAdmin):
    list_display = ["code", "text", "objective", "plan"]
    list_select_related = ["plan", "objective"]
    search_fields = ["code", "text"]
    autocomplete_fields = ["plan", "objective"]


@admin.register(ExpectedResult)
class ExpectedResultAdmin(PlanChildAdmin):
    list_display = ["code", "text", "objective", "target_value", "target_unit", "target_year"]
    list_select_related = ["plan", "objective"]
    search_fields = ["code", "text"]
    autocomplete_fields = ["plan", "objective"]


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0


@admin.register(Indicator)
class IndicatorAdmin(PlanChildAdmin):
    list_display = [
        "code",
        "name",
        "objective",
        "responsible_unit",
        "periodicity",
        "polarity",
        "accumulation",
    ]
    list_select_related = ["plan", "objective", "responsible_unit"]
    list_filter = ["plan", "periodicity", "polarity", "accumulation", "kind", "responsible_unit"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["plan", "objective", "result", "responsible_unit"]
    inlines = [TargetInline]
    fieldsets = [
        (None, {"fields": ["plan", "objective", "result", ("code", "order"), "name", "kind"]}),
        (
            _("Cálculo"),
            {
                "fields": [
                    ("polarity", "accumulation", "window"),
                    ("calculation", "factor", "reference"),
                    ("periodicity", "unit_of_measure", "weight"),
                    ("baseline", "baseline_year", "baseline_source"),
                    ("final_target", "final_target_year"),
                    ("green_threshold", "yellow_threshold"),
                    ("responsible_unit", "disaggregated_by_gadp"),
                ]
            },
        ),
        (
            _("Ficha metodológica"),
            {
                "fields": [
                    "definition",
                    "formula",
                    "variables",
                    "calculation_method",
                    "limitations",
                    "interpretation",
                    "data_source",
                    "verification_means",
                    ("data_availability", "disaggregation_level", "georeferenced"),
                    "alignment",
                    "references",
                    ("sheet_made_on", "sheet_updated_on", "sheet_made_by"),
                ]
            },
        ),
    ]


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["indicator", "period", "value", "value_max"]
    list_select_related = ["indicator"]
    list_filter = ["indicator__plan", "indicator__periodicity"]
    search_fields = ["indicator__code", "period"]
    autocomplete_fields = ["indicator"]


class UnitMembershipInline(admin.TabularInline):
    """The units a person belongs to: with the role, all that decides their rights."""

    model = OrgUnit.members.through
    extra = 0
    autocomplete_fields = ["orgunit"]
    verbose_name = _("unidad a la que pertenece")
    verbose_name_plural = _("unidades a las que pertenece")


admin.site.unregister(User)


@admin.register(User)
class PersonAdmin(UserAdmin):
    inlines = [UnitMembershipInline]
    list_display = ["username", "first_name", "last_name", "email", "is_active", "roles"]
    list_filter = ["groups", "is_active", "org_units"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("rol"))
    def roles(self, obj):
        return ", ".join(g.name for g in obj.groups.all())
