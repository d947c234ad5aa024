"""Administrators see who has an authenticator and reset it (a lost or replaced phone).

django-otp's own admins are replaced: they are in English and can show a person's secret
and recovery codes. This runs after theirs because django_otp's apps come first in
INSTALLED_APPS (unregister fails loudly otherwise).
"""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from congope.second_factor import devices
from congope.second_factor.models import Authenticator
from planning import access
from planning.read_only_admin import ReadOnlyAdmin

admin.site.unregister(TOTPDevice)
admin.site.unregister(StaticDevice)


@admin.register(Authenticator)
class AuthenticatorAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("person", "active", "created", "last_used")
    list_display_links = None
    search_fields = ("user__username", "user__first_name", "user__last_name", "user__email")
    ordering = ("user__username",)
    actions = ("reset",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")

    # Resetting someone's second factor lifts a lock on their sign-in, like a lockout:
    # the same administrators decide both.
    def has_module_permission(self, request):
        return access.can_audit_logins(request.user)

    def has_view_permission(self, request, obj=None):
        # The list only: a device's own page would show its configuration.
        return obj is None and access.can_audit_logins(request.user)

    def has_reset_permission(self, request):
        return access.can_audit_logins(request.user)

    @admin.display(description=_("persona"), ordering="user__username")
    def person(self, device):
        name = device.user.get_full_name()
        return f"{device.user.get_username()} ({name})" if name else device.user.get_username()

    @admin.display(description=_("activo"), boolean=True, ordering="confirmed")
    def active(self, device):
        return device.confirmed

    @admin.display(description=_("creado"), ordering="created_at")
    def created(self, device):
        return device.created_at

    @admin.display(description=_("último uso"), ordering="last_used_at")
    def last_used(self, device):
        return device.last_used_at

    @admin.action(
        description=_("Restablecer el segundo factor de las personas seleccionadas"),
        permissions=["reset"],
    )
    def reset(self, request, queryset):
        users = {device.user for device in queryset}
        for user in users:
            devices.second_factor_reset(user)
        names = ", ".join(sorted(u.get_username() for u in users))
        message = ngettext(
            "Segundo factor restablecido para %(names)s: lo activará de nuevo al ingresar.",
            "Segundo factor restablecido para %(names)s: lo activarán de nuevo al ingresar.",
            len(users),
        ) % {"names": names}
        self.message_user(request, message, messages.SUCCESS)
