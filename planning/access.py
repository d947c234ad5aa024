"""The one place that decides who may see and change what.

Roles are Django groups (created by a migration); a user's units are ``OrgUnit.members``.
Views call these helpers and nothing else: 404 for what a user may not see, 403 for what
they may see but not change.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy

ADMIN = "admin"
PLANNER = "planificacion"
DIRECTOR = "direccion"
REPORTER = "responsable"

#: Role code → name of its Django group (what people see in the admin).
GROUP_NAMES = {
    ADMIN: "Administrador",
    PLANNER: "Planificación",
    DIRECTOR: "Dirección",
    REPORTER: "Responsable de unidad",
}
# Shown beside the user's name, in the page's language (commands print the Spanish).
ROLE_LABELS = {
    ADMIN: gettext_lazy("Administrador"),
    PLANNER: gettext_lazy("Planificación"),
    DIRECTOR: gettext_lazy("Dirección"),
    REPORTER: gettext_lazy("Responsable de unidad"),
}
# When someone holds several roles, the broadest one decides.
_PRECEDENCE = (ADMIN, PLANNER, DIRECTOR, REPORTER)


def role_of(user) -> str | None:
    """The user's role code, or None for anonymous users and accounts without a role."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    cached = getattr(user, "_congope_role", False)
    if cached is not False:
        return cached
    if user.is_superuser:
        role = ADMIN
    else:
        names = set(user.groups.values_list("name", flat=True))
        role = next((r for r in _PRECEDENCE if GROUP_NAMES[r] in names), None)
    user._congope_role = role
    return role


def requires_second_factor(user) -> bool:
    """Must the user confirm a one-time code after the password (issue 6)?

    Administrators and planners change the plan and its accounts, so a stolen password
    alone must not be enough; directors and reporters are not asked. Nobody is asked while
    ``SECOND_FACTOR_REQUIRED`` is off (local demos, the test suite).
    """
    return settings.SECOND_FACTOR_REQUIRED and role_of(user) in (ADMIN, PLANNER)


def unit_ids_of(user) -> frozenset[int]:
    """Ids of the organizational units the user belongs to (cached on the user object)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_congope_units", None)
    if cached is None:
        cached = frozenset(user.org_units.values_list("pk", flat=True))
        user._congope_units = cached
    return cached


def can_read_plans(user) -> bool:
    """Every signed-in role reads the plan and the scorecard (public information)."""
    return role_of(user) is not None


def can_edit_plan(user) -> bool:
    """Planning staff and administrators edit the plan's structure, indicators and targets."""
    return role_of(user) in (ADMIN, PLANNER)


def can_manage_members(user) -> bool:
    """Only administrators change who belongs to a unit (it decides what reporters report)."""
    return role_of(user) == ADMIN


def can_audit_logins(user) -> bool:
    """Only administrators read the login log and lift lockouts (axes' records, admin site)."""
    return role_of(user) == ADMIN


def can_manage_tokens_of_others(user) -> bool:
    """Only administrators see, issue and revoke API tokens in another person's name: a
    token reads as its owner, so one issued for someone else is a way to act as them."""
    return role_of(user) == ADMIN


def can_validate(user) -> bool:
    """Planning staff (and administrators) validate or return reported values."""
    return role_of(user) in (ADMIN, PLANNER)


def can_report(user, indicator) -> bool:
    """May the user record values for this indicator?

    Reporters only for indicators of their own units; planners and admins for any.
    Directors read everything and change nothing.
    """
    role = role_of(user)
    if role in (ADMIN, PLANNER):
        return True
    if role == REPORTER:
        return indicator.responsible_unit_id in unit_ids_of(user)
    return False


def can_report_values(user) -> bool:
    """Whether the user reports values at all (directors read everything and change nothing)."""
    return role_of(user) in (ADMIN, PLANNER, REPORTER)


def can_see_unvalidated(user, indicator) -> bool:
    """Unvalidated values and evidence are seen by their unit, planners, admins and directors."""
    return can_see_unvalidated_of_units(user, [indicator.responsible_unit_id])


def can_see_unvalidated_of_units(user, unit_ids) -> bool:
    """``can_see_unvalidated`` for every indicator whose responsible unit is in ``unit_ids``
    (a page of many indicators asks once per unit, not once per indicator)."""
    role = role_of(user)
    if role in (ADMIN, PLANNER, DIRECTOR):
        return True
    return role == REPORTER and set(unit_ids) <= unit_ids_of(user)


def can_see_all_unvalidated(user) -> bool:
    """Whether every unvalidated value of a plan is visible to the user (not only their units')."""
    return role_of(user) in (ADMIN, PLANNER, DIRECTOR)


def indicators_reportable_by(user, queryset):
    """Narrow an Indicator queryset to those the user may report."""
    role = role_of(user)
    if role in (ADMIN, PLANNER):
        return queryset
    if role == REPORTER:
        return queryset.filter(responsible_unit__in=unit_ids_of(user))
    return queryset.none()


def require_read(user) -> None:
    """Raise 404 unless the user may read plans at all (an account without a role)."""
    if not can_read_plans(user):
        raise Http404


def check_indicator(user, indicator, *, write: bool = False, unvalidated: bool = False):
    """Return ``indicator`` if the user may use it as asked: 404 when hidden, 403 when read-only."""
    require_read(user)
    if unvalidated and not can_see_unvalidated(user, indicator):
        raise Http404
    if write and not can_report(user, indicator):
        raise PermissionDenied
    return indicator


def can_report_for_unit(user, unit) -> bool:
    """May the user report the values of a unit's indicators (e.g. get its template)?"""
    role = role_of(user)
    if role in (ADMIN, PLANNER):
        return True
    return role == REPORTER and unit.pk in unit_ids_of(user)


def imports_visible_to(user, queryset):
    """Narrow an ImportBatch queryset: planning, admins and directors read every import
    record; a reporter reads their own."""
    role = role_of(user)
    if role in (ADMIN, PLANNER, DIRECTOR):
        return queryset
    if role == REPORTER:
        return queryset.filter(user=user)
    return queryset.none()


def can_undo_import(user, batch) -> bool:
    """Planning staff and administrators undo any import; a reporter only their own."""
    role = role_of(user)
    if role in (ADMIN, PLANNER):
        return True
    return role == REPORTER and batch.user_id == user.pk
