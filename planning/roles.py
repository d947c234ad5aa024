"""The model permissions each role's group holds, kept in step with the models.

Migration 0002 creates the groups; after every ``migrate`` this grants the permissions of
models added since, so that a new model is never silently closed to administrators.
"""

from django.contrib.auth.models import Group, Permission

from planning.access import ADMIN, DIRECTOR, GROUP_NAMES, PLANNER

APPS = ("planning", "scorecard")
ACTIONS = {
    ADMIN: ("add", "change", "delete", "view"),
    PLANNER: ("add", "change", "delete", "view"),
    DIRECTOR: ("view",),
}


def sync_role_permissions(**kwargs) -> None:
    """Grant each role's group its actions on every model of the plan apps (idempotent)."""
    for role, actions in ACTIONS.items():
        group = Group.objects.filter(name=GROUP_NAMES[role]).first()
        if group is None:
            continue
        perms = Permission.objects.filter(
            content_type__app_label__in=APPS,
            codename__regex=rf"^({'|'.join(actions)})_",
        )
        group.permissions.add(*perms)
