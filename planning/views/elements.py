"""Create, edit and delete one element of a plan (perspective, objective, strategy, result,
indicator, organizational unit): one set of views, told which by :data:`KINDS`."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from planning import concurrency, editing
from planning.forms.base import DeleteForm, ElementForm
from planning.forms.indicators import IndicatorForm
from planning.forms.structure import ObjectiveForm, PerspectiveForm, ResultForm, StrategyForm
from planning.forms.units import OrgUnitForm
from planning.models import OrgUnit, Perspective, Plan, StrategicObjective
from planning.views.common import crumbs, editable_plan, form_data


@dataclass(frozen=True)
class Kind:
    """One kind of element: its form, and the prefix of its URL names (``<key>-create`` …)."""

    key: str
    form: type[ElementForm]

    @property
    def model(self):
        return self.form._meta.model

    @property
    def noun(self) -> str:
        return str(self.model._meta.verbose_name)

    def queryset(self, plan: Plan):
        if self.model is OrgUnit:
            return OrgUnit.objects.filter(institution_id=plan.institution_id)
        return self.model.objects.filter(plan=plan)

    def new(self, plan: Plan):
        if self.model is OrgUnit:
            return OrgUnit(institution=plan.institution)
        return self.model(plan=plan)


KINDS = {
    kind.key: kind
    for kind in [
        Kind("perspective", PerspectiveForm),
        Kind("objective", ObjectiveForm),
        Kind("strategy", StrategyForm),
        Kind("result", ResultForm),
        Kind("indicator", IndicatorForm),
        Kind("unit", OrgUnitForm),
    ]
}

#: ``?perspectiva=GADP`` or ``?objetivo=OE1`` on an «add» link preselects where it goes.
PRESELECT = {
    "perspectiva": ("perspective", Perspective),
    "objetivo": ("objective", StrategicObjective),
}


def _initial(request, plan: Plan, form_class) -> dict:
    initial = {}
    for param, (field, model) in PRESELECT.items():
        code = request.GET.get(param)
        if code and field in form_class.base_fields:
            found = model.objects.filter(plan=plan, code=code).values_list("pk", flat=True)
            initial[field] = next(iter(found), None)
    return initial


GONE = gettext_lazy("Otra persona eliminó este elemento mientras usted lo tenía abierto.")


def _element(request, plan: Plan, spec: Kind, code: str):
    """The element to edit; None when a form was posted for one deleted since (a 404 for a
    page asked for)."""
    element = spec.queryset(plan).filter(code=code).first()
    if element is None and request.method != "POST":
        raise Http404
    return element


def _back(plan: Plan, kind: Kind, element=None) -> str:
    url = reverse("plan-edit", args=[plan.code])
    return f"{url}#{kind.key}-{element.pk}" if element is not None and element.pk else url


@never_cache
@login_required
def element_create(request, code: str, kind: str):
    plan = editable_plan(request, code)
    spec = KINDS[kind]
    form = spec.form(
        form_data(request),
        instance=spec.new(plan),
        plan=plan,
        user=request.user,
        initial=_initial(request, plan, spec.form),
    )
    title = _("Agregar %(what)s") % {"what": spec.noun}
    return _save_or_show(request, plan, spec, form, title, stored_code=None)


@never_cache
@login_required
def element_edit(request, code: str, kind: str, item: str):
    plan = editable_plan(request, code)
    spec = KINDS[kind]
    element = _element(request, plan, spec, item)
    if element is None:
        messages.error(request, GONE)
        return redirect(_back(plan, spec))
    form = spec.form(form_data(request), instance=element, plan=plan, user=request.user)
    title = _("Editar %(what)s %(code)s") % {"what": spec.noun, "code": element.code}
    return _save_or_show(request, plan, spec, form, title, stored_code=element.code)


def _save_or_show(request, plan: Plan, spec: Kind, form: ElementForm, title: str, stored_code):
    """Save a valid posted form, or show the form (with its errors, or a conflict).

    ``stored_code`` is the element's code as stored (None when creating): the form's
    instance already holds what was typed, which may be refused.
    """
    conflict = None
    if request.method == "POST" and form.is_valid():
        if form.instance.pk and not form.changed_fields():
            messages.info(request, _("No había cambios que guardar."))
            return redirect(_back(plan, spec, form.instance))
        try:
            element = editing.element_save(user=request.user, form=form)
        except concurrency.Conflict as exc:
            conflict = exc
            current = spec.queryset(plan).get(pk=form.instance.pk)
            form = spec.form(instance=current, plan=plan, user=request.user)
        except ObjectDoesNotExist:
            messages.error(request, GONE)
            return redirect(_back(plan, spec))
        except IntegrityError:
            form.integrity_failed()
        else:
            messages.success(
                request,
                _("Se guardó: %(what)s «%(code)s».") % {"what": spec.noun, "code": element.code},
            )
            return redirect(_back(plan, spec, element))
    context = {
        "plan": plan,
        "kind": spec,
        "form": form,
        "title": capfirst(title),
        "conflict": conflict,
        "stored_code": stored_code,
        "crumbs": crumbs(plan, (capfirst(title), None)),
        "read_only_members": _read_only_members(form),
    }
    return render(request, "planning/element_form.html", context, status=409 if conflict else 200)


def _read_only_members(form: ElementForm):
    """A unit's members, listed for planners, who may see them but not change them."""
    if isinstance(form, OrgUnitForm) and "members" not in form.fields and form.instance.pk:
        return list(form.instance.members.order_by("username"))
    return None


@never_cache
@login_required
def element_delete(request, code: str, kind: str, item: str):
    plan = editable_plan(request, code)
    spec = KINDS[kind]
    element = _element(request, plan, spec, item)
    if element is None:
        messages.info(request, GONE)
        return redirect(_back(plan, spec))
    form = DeleteForm(form_data(request), element=element)
    conflict = refused = None
    if request.method == "POST" and form.is_valid():
        try:
            editing.element_delete(
                user=request.user,
                element=element,
                seen=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
            )
        except editing.Refused as exc:
            refused = exc.messages[0]
        except concurrency.Conflict as exc:
            conflict = exc
            element = spec.queryset(plan).get(pk=element.pk)
            form = DeleteForm(element=element)
        except ObjectDoesNotExist:
            messages.info(request, GONE)
            return redirect(_back(plan, spec))
        else:
            messages.success(
                request,
                _("Se eliminó: %(what)s «%(code)s».") % {"what": spec.noun, "code": element.code},
            )
            return redirect(_back(plan, spec))
    blocking = editing.dependents(element)
    title = capfirst(_("Eliminar %(what)s %(code)s") % {"what": spec.noun, "code": element.code})
    context = {
        "plan": plan,
        "kind": spec,
        "form": form,
        "element": element,
        "summary": getattr(element, "name", "") or getattr(element, "text", ""),
        "title": title,
        "conflict": conflict,
        "parts_count": len(editing.parts(element)),
        "refused": refused or (editing.refusal(element, blocking) if blocking else None),
        "crumbs": crumbs(plan, (title, None)),
    }
    status = 409 if conflict or refused else 200
    return render(request, "planning/element_confirm_delete.html", context, status=status)
