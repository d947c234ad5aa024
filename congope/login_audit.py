"""The login audit in the admin: axes' records, read-only, for administrators only.

- *Access logs*: every successful login (who, from where, when, until logout).
- *Access failure logs*: every failed one, kept after the lockout expires.
- *Access attempts*: the failures that count now; deleting one lifts its lockout.
"""

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog

from planning import access
from planning.read_only_admin import ReadOnlyAdmin


class AuditMixin(ReadOnlyAdmin):
    """Visible to administrators; nobody adds or edits a record of what happened."""

    def has_module_permission(self, request):
        return access.can_audit_logins(request.user)

    def has_view_permission(self, request, obj=None):
        return access.can_audit_logins(request.user)


class AttemptAudit(AuditMixin, AccessAttemptAdmin):
    def has_delete_permission(self, request, obj=None):
        # Deleting the attempts of a username+address is how an administrator unlocks it.
        return access.can_audit_logins(request.user)


class LogAudit(AuditMixin, AccessLogAdmin):
    pass


class FailureLogAudit(AuditMixin, AccessFailureLogAdmin):
    pass


def register(site) -> None:
    site.register(AccessAttempt, AttemptAudit)
    site.register(AccessLog, LogAudit)
    site.register(AccessFailureLog, FailureLogAudit)
