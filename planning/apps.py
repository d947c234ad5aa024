from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PlanningConfig(AppConfig):
    name = "planning"
    verbose_name = _("Planificación estratégica")

    def ready(self):
        from planning.roles import sync_role_permissions

        post_migrate.connect(sync_role_permissions, dispatch_uid="planning-role-permissions")
