from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from planning import access
from planning.read_only_admin import ReadOnlyAdmin
from scorecard.models import ApiToken, Evidence, ImportBatch, Measurement, PendingImport
from scorecard.tokens import token_issue


class EvidenceInline(admin.TabularInline):
    """Evidence enters through the report form, which checks what each file is: here it is
    read and removed, never added or replaced."""

    model = Evidence
    extra = 0
    readonly_fields = [
        "file",
        "original_name",
        "content_type",
        "size",
        "uploaded_by",
        "uploaded_at",
    ]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Measurement)
class MeasurementAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """Values change only through the workflow (Mis indicadores, validation, imports), which
    checks access, closed periods and the version lock: here they are read, never written."""

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
    autocomplete_fields = ["indicator", "gadp"]
    # Who reported and validated, and which import wrote it, are the workflow's record;
    # the lock moves only with the workflow's writes.
    readonly_fields = [
        "version",
        "updated_at",
        "reported_by",
        "reported_at",
        "validated_by",
        "validated_at",
        "import_batch",
        "import_row",
    ]
    inlines = [EvidenceInline]


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    """Read and removed here; added only through the report form, which checks each file."""

    list_display = ["original_name", "measurement", "content_type", "size", "uploaded_at"]
    list_select_related = ["measurement__indicator", "measurement__gadp"]
    search_fields = ["original_name", "measurement__indicator__code"]
    autocomplete_fields = ["measurement"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued here; the raw token is shown once, in the confirmation message.

    Planning staff see and issue only their own (``access.can_manage_tokens_of_others``);
    nobody moves a token to another owner.
    """

    list_display = ["prefix", "name", "user", "created_at", "revoked_at", "last_used_at"]
    list_select_related = ["user"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "user__username", "prefix"]
    autocomplete_fields = ["user"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]
    actions = ["revoke"]

    def get_queryset(self, request):
        tokens = super().get_queryset(request)
        if access.can_manage_tokens_of_others(request.user):
            return tokens
        return tokens.filter(user=request.user)

    def get_fields(self, request, obj=None):
        if obj is None:
            others = access.can_manage_tokens_of_others(request.user)
            return ["user", "name"] if others else ["name"]
        return ["user", "name", *self.readonly_fields, "revoked_at"]

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is None else ["user", *self.readonly_fields]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        if not access.can_manage_tokens_of_others(request.user):
            obj.user = request.user
        token, raw = token_issue(user=obj.user, name=obj.name)
        obj.pk = token.pk
        self.message_user(
            request,
            _("Token emitido. Cópielo ahora, no se volverá a mostrar: %(token)s") % {"token": raw},
            messages.WARNING,
        )

    @admin.action(description=_("Revocar los tokens seleccionados"))
    def revoke(self, request, queryset):
        queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    """The import history: read only, since each batch is the record of what was written."""

    list_display = ["created_at", "kind", "plan", "file_name", "user", "created", "updated"]
    list_select_related = ["plan", "user"]
    list_filter = ["kind", "plan"]
    search_fields = ["file_name", "user__username"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PendingImport)
class PendingImportAdmin(admin.ModelAdmin):
    """Uploads waiting for their owner's confirmation: read only (the file stays unread here)."""

    list_display = ["created_at", "kind", "plan", "file_name", "user", "state", "size"]
    list_select_related = ["plan", "user"]
    list_filter = ["state", "kind"]
    search_fields = ["file_name", "user__username"]
    exclude = ["content"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("content")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
