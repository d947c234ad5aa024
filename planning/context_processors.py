from planning import access


def roles(request):
    """The signed-in user's role, for menus (the rights themselves are checked in views)."""
    role = access.role_of(getattr(request, "user", None))
    return {
        "user_role": role,
        "user_role_label": access.ROLE_LABELS.get(role, ""),
        "can_edit_plan": role in (access.ADMIN, access.PLANNER),
        "can_validate": role in (access.ADMIN, access.PLANNER),
        "reports_values": role in (access.ADMIN, access.PLANNER, access.REPORTER),
    }
