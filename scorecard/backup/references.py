"""What a plan points to outside itself: its institution, units, GADPs and users.

These are shared with other plans, so the file carries them by code (users by username)
and an import matches them by code: units and GADPs missing here are created, units after
their parent; a user missing here is left out (accounts and roles do not travel).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model

from planning.models import Gadp, Institution, OrgUnit


def outside_out(plan) -> dict:
    """The ``institution``, ``units`` and ``gadps`` lists of ``plan.json``."""
    return {
        "institution": _plain(plan.institution, ("code", "name", "acronym")),
        "units": _units_out(plan.institution),
        "gadps": [_plain(g, ("code", "province")) for g in Gadp.objects.order_by("code")],
    }


def ids_out(plan) -> dict:
    """How each referenced model is written: id → code (or username)."""
    users = get_user_model().objects.values_list("pk", get_user_model().USERNAME_FIELD)
    return {
        Institution: {plan.institution_id: plan.institution.code},
        OrgUnit: dict(
            OrgUnit.objects.filter(institution=plan.institution).values_list("pk", "code")
        ),
        Gadp: dict(Gadp.objects.values_list("pk", "code")),
        get_user_model(): dict(users),
    }


def ids_in(data) -> dict:
    """How each referenced model is read: code (or username) → id, creating what is missing."""
    values = data["institution"]
    institution, _ = Institution.objects.get_or_create(
        code=values["code"], defaults={"name": values["name"], "acronym": values["acronym"]}
    )
    User = get_user_model()
    return {
        Institution: {institution.code: institution.pk},
        OrgUnit: _units_in(institution, data["units"]),
        Gadp: _gadps_in(data["gadps"]),
        User: {name: pk for pk, name in User.objects.values_list("pk", User.USERNAME_FIELD)},
    }


def _plain(obj, names) -> dict:
    return {name: getattr(obj, name) for name in names}


def _units_out(institution) -> list[dict]:
    """The institution's units, each after its parent, so that an import can create them."""
    units = list(OrgUnit.objects.filter(institution=institution).order_by("order", "code"))
    code_of = {u.pk: u.code for u in units}
    ordered, placed = [], {None}
    while len(ordered) < len(units):
        ready = [u for u in units if u.parent_id in placed and u.pk not in placed]
        if not ready:  # a parent in another institution: keep the rest as roots
            ready = [u for u in units if u.pk not in placed]
        ordered += ready
        placed |= {u.pk for u in ready}
    return [
        {**_plain(u, ("code", "name", "kind", "order")), "parent": code_of.get(u.parent_id)}
        for u in ordered
    ]


def _units_in(institution, rows) -> dict:
    """Code → id of the institution's units, creating (parents first) the missing ones."""
    ids = dict(OrgUnit.objects.filter(institution=institution).values_list("code", "pk"))
    for row in rows:
        if row["code"] not in ids:
            unit = OrgUnit(
                institution=institution,
                parent_id=ids.get(row["parent"]),
                **{k: row[k] for k in ("code", "name", "kind", "order")},
            )
            unit._change_reason = "creada por import_plan"
            unit.save()
            ids[unit.code] = unit.pk
    return ids


def _gadps_in(rows) -> dict:
    ids = dict(Gadp.objects.values_list("code", "pk"))
    for row in rows:
        if row["code"] not in ids:
            ids[row["code"]] = Gadp.objects.create(code=row["code"], province=row["province"]).pk
    return ids
