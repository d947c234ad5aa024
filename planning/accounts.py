"""Accounts: one person, one role, the units they belong to."""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction

from planning import access
from planning.models import OrgUnit

# Roles that use the admin site (imports, users, tokens); the others work in the app.
STAFF_ROLES = (access.ADMIN, access.PLANNER)


def generate_password() -> str:
    return secrets.token_urlsafe(12)


@transaction.atomic
def user_create(
    *, username: str, role: str, unit_codes=(), email: str = "", password: str, institution=None
):
    """Create (or reset) an account with exactly one role and the given units.

    The account's rights follow from the role and the units alone: any previous groups,
    units and superuser flag are replaced.
    """
    if role not in access.GROUP_NAMES:
        raise ValidationError(f"rol desconocido: {role}")
    units = list(OrgUnit.objects.filter(code__in=unit_codes))
    if institution is not None:
        units = [u for u in units if u.institution_id == institution.pk]
    missing = sorted(set(unit_codes) - {u.code for u in units})
    if missing:
        raise ValidationError(f"unidades desconocidas: {', '.join(missing)}")
    if role == access.REPORTER and not units:
        raise ValidationError("un responsable de unidad necesita al menos una unidad (--unit)")
    user, _ = get_user_model().objects.get_or_create(username=username)
    user.email = email or user.email
    user.is_staff = role in STAFF_ROLES
    user.is_superuser = False
    user.is_active = True
    user.set_password(password)
    user.save()
    user.groups.set([Group.objects.get(name=access.GROUP_NAMES[role])])
    user.org_units.set(units)
    return user
