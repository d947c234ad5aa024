"""The model permissions each role's group holds, kept in step with the models.

Migration 0002 creates the groups; after every ``migrate`` (and every ``flush``, which
empties them) this makes sure the four groups exist and grants the permissions of models
added since, so that a new model is never silently closed to administrators.
"""

from django.contrib.auth.models import Group, Permission

from planning.access import ADMIN, DIRECTOR, GROUP_NAMES, PLANNER, REPORTER

APPS = ("planning", "scorecard")
ACTIONS = {
    ADMIN: ("add", "change", "delete", "view"),
    PLANNER: ("add", "change", "delete", "view"),
    DIRECTOR: ("view",),
}


def sync_role_permissions(**kwargs) -> None:
    """Grant each role's group its actions on every model of the plan apps (idempotent)."""
    Group.objects.get_or_create(name=GROUP_NAMES[REPORTER])
    for role, actions in ACTIONS.items():
        group, _created = Group.objects.get_or_create(name=GROUP_NAMES[role])
        perms = Permission.objects.filter(
            content_type__app_label__in=APPS,
            codename__regex=rf"^({'|'.join(actions)})_",
        )
        group.permissions.add(*perms)
        if role == ADMIN:
            group.permissions.add(*Permission.objects.filter(content_type__app_label="auth"))
