"""Showing scorecard figures: one place for rounding, status words and status symbols."""

import functools

from django import template
from django.utils import translation
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _

from scorecard import arithmetic as ar

register = template.Library()

#: A status is never shown by colour alone (WCAG 1.4.1): each has a word and a symbol.
STATUS_LABELS = {
    ar.GREEN: _("Verde"),
    ar.YELLOW: _("Amarillo"),
    ar.RED: _("Rojo"),
    ar.GREY: _("Sin dato"),
    ar.NOT_DUE: _("No aplica"),
}
STATUS_SYMBOLS = {ar.GREEN: "●", ar.YELLOW: "▲", ar.RED: "■", ar.GREY: "○", ar.NOT_DUE: ""}


@register.filter
def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


@register.filter
def status_symbol(status: str) -> str:
    return STATUS_SYMBOLS.get(status, "")


@register.filter
def figure(value, places: int = 2) -> str:
    """A number rounded half up, with a decimal comma in Spanish; blank for None."""
    rounded = ar.round_half_up(value, int(places))
    if rounded is None:
        return "—"
    text = f"{rounded:.{int(places)}f}"
    return text.replace(".", ",") if (get_language() or "es").startswith("es") else text


@functools.cache
def _semaforo_words(language: str) -> dict:
    """Each status's word, and the provisional note, in one language, escaped once."""
    with translation.override(language):
        words = {status: str(label) for status, label in STATUS_LABELS.items()}
        words["provisional"] = format_html(
            ' <abbr title="{}">({})</abbr>',
            gettext("incluye valores reportados sin validar"),
            gettext("provisional"),
        )
    return {key: escape(text) if key != "provisional" else text for key, text in words.items()}


@register.simple_tag
def semaforo(status: str, achievement=None, provisional: bool = False) -> str:
    """The traffic light: colour, symbol and word, plus the figure when there is one.

    Built here rather than from a template: a large plan's CMI shows thousands of them.
    """
    words = _semaforo_words(get_language() or "es")
    label = words.get(status) or escape(status)
    if status == ar.NOT_DUE:
        html = (
            '<span class="semaforo semaforo-no_aplica">'
            f'<span class="visually-hidden">{label}</span></span>'
        )
        return mark_safe(html)
    figure_text = "" if achievement is None else f" · {figure(achievement)} %"
    note = words["provisional"] if provisional else ""
    html = (
        f'<span class="semaforo semaforo-{escape(status)}"><span class="semaforo-symbol" '
        f'aria-hidden="true">{status_symbol(status)}</span> {label}{figure_text}{note}</span>'
    )
    # Safe: the status, its word and the figure are escaped or ours.
    return mark_safe(html)


@register.filter
def coverage(node) -> str:
    """ "7 de 9 indicadores con dato": of the due indicators below a node, those with a figure."""
    return ngettext(
        "%(with)s de %(total)s indicador con dato",
        "%(with)s de %(total)s indicadores con dato",
        node.total,
    ) % {"with": node.with_data, "total": node.total}


_REASONS = {
    ar.NO_VALUE: _("sin valor validado"),
    ar.NO_TARGET: _("sin meta"),
    ar.NO_BASELINE: _("sin línea base"),
}


@functools.cache
def _cmi_words(language: str) -> dict:
    """The matrix's fixed words in one language, escaped once (not once per indicator)."""
    with translation.override(language):
        words = {
            "not_due": gettext("No corresponde a este corte."),
            "value": gettext("Valor"),
            "target": gettext("Meta"),
            "period": gettext("Periodo %(period)s"),
            "latest": gettext("último dato: %(period)s"),
            **{reason: str(text) for reason, text in _REASONS.items()},
        }
    return {key: escape(text) for key, text in words.items()}


@register.simple_tag
def cmi_indicator(row, printed: bool = False) -> str:
    """One indicator of the CMI matrix (``assembly.IndicatorRow``), on the page and in the PDF.

    Code, name, X and Y with the evaluated period, why it is grey, and the semáforo. Built
    with plain string formatting, every user text escaped: a large plan's matrix holds
    thousands of them, which a template or ``format_html`` would take a second to draw.
    """
    words = _cmi_words(get_language() or "es")
    code_class, name_class = ("codigo", "") if printed else ("code-badge", "mb-1")
    html = f'<p class="{name_class}"><span class="{code_class}">{escape(row.code)}</span> '
    html += f"{escape(row.name)}</p>"
    r = row.result
    if r.status == ar.NOT_DUE:
        note_class = "nota" if printed else "small text-body-secondary mb-1"
        return mark_safe(f'{html}<p class="{note_class}">{words["not_due"]}</p>')
    target = figure(r.target)
    if r.target_max is not None and r.target_max != r.target:
        target = f"{target}–{figure(r.target_max)}"
    unit = (
        f' <span class="text-body-secondary">({escape(row.unit_of_measure)})</span>'
        if row.unit_of_measure
        else ""
    )
    when = [words["period"] % {"period": r.period.code}]
    if r.value_period and r.value_period != r.period:
        when.append(words["latest"] % {"period": r.value_period.code})
    if r.reason in words:
        when.append(words[r.reason])
    html += (
        f'<p class="{"" if printed else "small mb-1"} cmi-cifras">{words["value"]} '
        f"{figure(r.value)} · {words['target']} {target}{unit}<br>"
        f'<span class="text-body-secondary">{" · ".join(when)}</span></p>'
    )
    # Safe: every text above is escaped or one of ours; the semáforo escapes its own.
    return mark_safe(html + semaforo(r.status, r.achievement, row.provisional))
