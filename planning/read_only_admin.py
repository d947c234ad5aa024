"""Admin pages that show records and never write them.

Values, the login audit and second-factor devices change only through their own rules
(the workflow, axes, the reset action); the admin reads them.
"""


class ReadOnlyAdmin:
    """No add, change or delete, whoever asks (mixed in before ``admin.ModelAdmin``)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
