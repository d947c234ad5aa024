"""The Cuadro de Mando Integral (the matrix of section 11 of the plan) and the strategy map.

Both read the plan at a cut-off (``?period=`` and ``?unvalidated=1``, read by the helpers
shared with the tablero: default, the latest plan year with a validated value) in a fixed
number of queries: the figures come from ``scorecard.assembly`` (the arithmetic lives once,
in ``scorecard.arithmetic``), the texts from ``planning.selectors.plan_document``. Every
role reads; nobody edits here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from planning import access, selectors
from planning.models import ObjectiveLink, Plan
from planning.periods import Period
from scorecard import arithmetic as ar
from scorecard import cache, strategy_map
from scorecard.assembly import IndicatorRow, ObjectiveRow, plan_bands
from scorecard.selectors import plan_units
from scorecard.views.cutoff import CutOff, period_choices, read_cutoff


@dataclass
class ResultCell:
    """An expected result (meta) with the roll-up of the indicators linked to it.

    ``node`` is None when no indicator is linked ("sin indicadores vinculados").
    """

    code: str
    printed_code: str
    text: str
    node: ar.NodeResult | None
    indicator_codes: list[str] = field(default_factory=list)


@dataclass
class Column:
    """One objective's column of the matrix, top to bottom."""

    objective: ObjectiveRow
    perspective_code: str
    href: str
    results: list[ResultCell]
    indicators: list[IndicatorRow]

    @property
    def provisional(self) -> bool:
        """Whether a reported-but-unvalidated value fed one of the objective's figures."""
        return any(i.provisional for i in self.indicators)


def objective_href(cutoff: CutOff):
    """``code → URL`` of an objective's page, at the same cut-off."""
    plan_code = cutoff.plan.code
    return lambda code: reverse("objective-detail", args=[plan_code, code]) + f"?{cutoff.query}"


def _results(objective, row: ObjectiveRow, bands: ar.Bands) -> list[ResultCell]:
    """Each result of ``objective`` rolled up from its linked indicators (DOMAIN 5)."""
    linked = defaultdict(list)
    for indicator in row.indicators:
        if indicator.result_id is not None:
            linked[indicator.result_id].append(indicator)
    cells = []
    for result in objective.expectedresult_set.all():
        children = linked.get(result.pk, [])
        node = ar.roll_up(((i.result, i.weight) for i in children), bands) if children else None
        cells.append(
            ResultCell(
                code=result.code,
                printed_code=result.printed_code,
                text=result.text,
                node=node,
                indicator_codes=[i.code for i in children],
            )
        )
    return cells


def matrix_columns(document: Plan, card, href) -> list[Column]:
    """The columns of the matrix, one per objective in plan order (no queries)."""
    objectives = {o.pk: o for p in document.perspective_set.all() for o in p.objectives.all()}
    bands = plan_bands(document)
    return [
        Column(
            objective=row,
            perspective_code=perspective.code,
            href=href(row.code),
            results=_results(objectives[row.pk], row, bands),
            indicators=row.indicators,
        )
        for perspective in card.perspectives
        for row in perspective.objectives
    ]


def _crumbs(plan: Plan, here: str) -> list[tuple[str, str | None]]:
    return [
        (_("Planes"), reverse("plan-list")),
        (plan.code, reverse("plan-detail", args=[plan.code])),
        (here, None),
    ]


def _document(code: str) -> Plan:
    try:
        return selectors.plan_document(code, with_indicators=False)
    except Plan.DoesNotExist as exc:
        raise Http404 from exc


@require_GET
@login_required
def cmi(request, code: str):
    """The Cuadro de Mando Integral: section 11's matrix with each figure at the cut-off.

    Queries (whatever the plan's size): 8 for the plan document (its indicators and their
    figures come from the scorecard), 1 for the units of its indicators, the data's freshness
    token and, when the data changed, 5 for the scorecard; 1 for the default cut-off when
    none is asked for; plus the session, user and role lookups.
    """
    access.require_read(request.user)
    document = _document(code)
    cutoff = read_cutoff(request, document, plan_units(document)[1])
    card = cache.scorecard(document, cutoff.period, include_unvalidated=cutoff.unvalidated)
    context = {
        "plan": document,
        "card": card,
        "cutoff": cutoff,
        "period_groups": period_choices(cutoff),
        "columns": matrix_columns(document, card, objective_href(cutoff)),
        "perspectives": [p for p in card.perspectives if p.objectives],
        "policies": list(document.institutionalpolicy_set.all()),
        "crumbs": _crumbs(document, _("Cuadro de Mando Integral")),
    }
    return render(request, "scorecard/cmi.html", context)


def map_bands(card, href) -> list[strategy_map.Band]:
    """The scorecard's perspectives and objectives as bands of nodes; ``href(code)`` links."""
    return [
        strategy_map.Band(
            code=p.code,
            name=p.name,
            status=p.node.status,
            achievement=p.node.achievement,
            nodes=tuple(
                strategy_map.Node(
                    code=o.code,
                    label=o.short_name or o.name,
                    title=o.name,
                    status=o.node.status,
                    achievement=o.node.achievement,
                    with_data=o.node.with_data,
                    total=o.node.total,
                    provisional=any(i.provisional for i in o.indicators),
                    href=href(o.code),
                )
                for o in p.objectives
            ),
        )
        for p in card.perspectives
    ]


def _links(plan: Plan) -> list[strategy_map.Link]:
    rows = (
        ObjectiveLink.objects.filter(cause__plan=plan, effect__plan=plan)
        .order_by("cause__order", "cause__code", "effect__order", "effect__code")
        .values_list("cause__code", "effect__code", "description")
    )
    return [strategy_map.Link(cause, effect, text) for cause, effect, text in rows]


def _text_alternative(bands, links) -> list[dict]:
    """The map as a list for screen readers: per perspective, objectives and their arrows."""
    nodes = {n.code: n for b in bands for n in b.nodes}
    effects = defaultdict(list)
    for link in links:
        if link.cause in nodes and link.effect in nodes:
            effects[link.cause].append(nodes[link.effect])
    return [
        {"band": band, "objectives": [(n, effects.get(n.code, [])) for n in band.nodes]}
        for band in bands
    ]


def _map_description(bands, links, period: Period) -> str:
    objectives = sum(len(b.nodes) for b in bands)
    return _(
        "%(objectives)s objetivos en %(perspectives)s perspectivas y %(links)s relaciones "
        "causa-efecto, al corte %(period)s. Cada objetivo muestra su estado con color, símbolo "
        "y palabra, y su cumplimiento. La lista bajo el mapa dice lo mismo en texto."
    ) % {
        "objectives": objectives,
        "perspectives": len(bands),
        "links": len(links),
        "period": period.code,
    }


@require_GET
@login_required
def strategy_map_view(request, code: str):
    """The strategy map: perspectives as bands, objectives coloured by status, their arrows.

    Queries (whatever the plan's size): the plan, the plan's indicators (who may see
    unvalidated values), the default cut-off when none is asked for, 5 for the scorecard,
    1 for the cause-effect links, plus the session, user and role lookups.
    """
    access.require_read(request.user)
    plan = get_object_or_404(Plan, code=code)
    unit_ids = plan_units(plan)[1]
    cutoff = read_cutoff(request, plan, unit_ids)
    card = cache.scorecard(plan, cutoff.period, include_unvalidated=cutoff.unvalidated)
    bands = map_bands(card, objective_href(cutoff))
    links = _links(plan)
    title = _("Mapa estratégico del plan %(plan)s al corte %(period)s") % {
        "plan": plan.code,
        "period": cutoff.period.code,
    }
    svg = strategy_map.render_svg(
        bands, links, title=title, description=_map_description(bands, links, cutoff.period)
    )
    context = {
        "plan": plan,
        "card": card,
        "cutoff": cutoff,
        "period_groups": period_choices(cutoff),
        "svg": svg,
        "alternative": _text_alternative(bands, links),
        "crumbs": _crumbs(plan, _("Mapa estratégico")),
    }
    return render(request, "scorecard/strategy_map.html", context)
