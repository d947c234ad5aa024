"""Showing scorecard figures: one place for rounding, status words and status symbols."""

from django import template
from django.utils.html import format_html
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


@register.simple_tag
def semaforo(status: str, achievement=None, provisional: bool = False) -> str:
    """The traffic light: colour, symbol and word, plus the figure when there is one.

    Built here rather than from a template: a large plan's CMI shows thousands of them.
    """
    label = status_label(status)
    if status == ar.NOT_DUE:
        return format_html(
            '<span class="semaforo semaforo-no_aplica"><span class="visually-hidden">{}</span>'
            "</span>",
            label,
        )
    figure_text = "" if achievement is None else f" · {figure(achievement)} %"
    note = (
        format_html(
            ' <abbr title="{}">({})</abbr>',
            gettext("incluye valores reportados sin validar"),
            gettext("provisional"),
        )
        if provisional
        else ""
    )
    return format_html(
        '<span class="semaforo semaforo-{}"><span class="semaforo-symbol" aria-hidden="true">'
        "{}</span> {}{}{}</span>",
        status,
        status_symbol(status),
        label,
        figure_text,
        note,
    )


@register.filter
def coverage(node) -> str:
    """ "7 de 9 indicadores con dato": of the due indicators below a node, those with a figure."""
    return ngettext(
        "%(with)s de %(total)s indicador con dato",
        "%(with)s de %(total)s indicadores con dato",
        node.total,
    ) % {"with": node.with_data, "total": node.total}
