from django.contrib import admin

from scorecard.models import Evidence, Measurement


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 0
    readonly_fields = ["original_name", "content_type", "size", "uploaded_by", "uploaded_at"]
    fields = ["file", *readonly_fields]


@admin.register(Measurement)
class MeasurementAdmin(admin.ModelAdmin):
    list_display = [
        "indicator",
        "period",
        "gadp",
        "value",
        "numerator",
        "denominator",
        "status",
        "reported_by",
        "validated_by",
    ]
    list_select_related = ["indicator", "gadp", "reported_by", "validated_by"]
    list_filter = ["status", "indicator__plan", "indicator__responsible_unit"]
    search_fields = ["indicator__code", "period", "analysis"]
    autocomplete_fields = ["indicator", "gadp", "reported_by", "validated_by"]
    readonly_fields = ["version", "updated_at"]
    inlines = [EvidenceInline]


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    list_display = ["original_name", "measurement", "content_type", "size", "uploaded_at"]
    list_select_related = ["measurement__indicator", "measurement__gadp"]
    search_fields = ["original_name", "measurement__indicator__code"]
    autocomplete_fields = ["measurement"]
