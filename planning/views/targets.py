"""The targets grid of one indicator: programming and reformas of its metas."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache

from planning import concurrency, editing
from planning.forms.targets import TargetGridForm
from planning.models import Indicator, Plan
from planning.views.common import crumbs, editable_plan, form_data


@never_cache
@login_required
def target_grid(request, code: str, ind_code: str):
    plan = editable_plan(request, code)
    indicator = get_object_or_404(
        Indicator.objects.select_related("plan", "responsible_unit"), plan=plan, code=ind_code
    )
    form = _grid(indicator, form_data(request))
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            outcome = editing.targets_save(
                user=request.user,
                indicator=indicator,
                cells=form.cells(),
                seen=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
            )
        except concurrency.Conflict as exc:
            conflict, form = exc, _grid(indicator)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        except IntegrityError:
            form.add_error(None, _("La base de datos rechazó estas metas: no se guardó nada."))
        else:
            messages.success(request, _saved(outcome))
            return redirect(reverse("target-grid", args=[plan.code, indicator.code]))
    title = _("Metas del indicador %(code)s") % {"code": indicator.code}
    context = {
        "plan": plan,
        "indicator": indicator,
        "form": form,
        "rows": form.rows(),
        "approved": plan.status == Plan.Status.APPROVED,
        "conflict": conflict,
        "title": title,
        "crumbs": crumbs(plan, (title, None)),
    }
    return render(request, "planning/target_grid.html", context, status=409 if conflict else 200)


def _grid(indicator: Indicator, data=None) -> TargetGridForm:
    targets = {t.period: t for t in indicator.targets.all()}
    return TargetGridForm(data, indicator=indicator, targets=targets)


def _saved(outcome: editing.GridOutcome) -> str:
    if not outcome.total:
        return _("No había cambios que guardar.")
    return ngettext("Se guardó %(n)d meta.", "Se guardaron %(n)d metas.", outcome.total) % {
        "n": outcome.total
    }
