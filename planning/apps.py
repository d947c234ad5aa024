from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PlanningConfig(AppConfig):
    name = "planning"
    verbose_name = _("Planificación estratégica")

    def ready(self):
        from simple_history.signals import post_create_historical_record

        from planning.revision import data_changed
        from planning.roles import sync_role_permissions

        post_migrate.connect(sync_role_permissions, dispatch_uid="planning-role-permissions")
        # Every history row marks a change the scorecard's reused figures must see.
        post_create_historical_record.connect(data_changed, dispatch_uid="planning-revision")
