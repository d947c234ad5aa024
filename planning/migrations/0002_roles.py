"""The four roles as Django groups, with the model permissions the admin site needs."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLE_PERMISSIONS = {
    "Administrador": ("add", "change", "delete", "view"),
    "Planificación": ("add", "change", "delete", "view"),
    "Dirección": ("view",),
    "Responsable de unidad": (),
}
APPS = ("planning", "scorecard")


def create_roles(apps, schema_editor):
    # Permissions are normally made after migrations run; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, actions in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        perms = Permission.objects.filter(
            content_type__app_label__in=APPS,
            codename__regex=r"^(%s)_" % "|".join(actions) if actions else r"^$",
        )
        group.permissions.set(perms)
    admin = Group.objects.get(name="Administrador")
    admin.permissions.add(*Permission.objects.filter(content_type__app_label="auth"))


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("planning", "0001_initial"),
        ("scorecard", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
