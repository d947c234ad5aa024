"""Showing scorecard figures: one place for rounding, status words and status symbols."""

from django import template
from django.utils.translation import get_language, ngettext
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


@register.inclusion_tag("includes/_semaforo.html")
def semaforo(status: str, achievement=None, provisional: bool = False):
    """The traffic light: colour, symbol and word, plus the figure when there is one."""
    return {
        "status": status,
        "label": status_label(status),
        "symbol": status_symbol(status),
        "achievement": achievement,
        "provisional": provisional,
    }


@register.filter
def coverage(node) -> str:
    """ "7 de 9 indicadores con dato": of the due indicators below a node, those with a figure."""
    return ngettext(
        "%(with)s de %(total)s indicador con dato",
        "%(with)s de %(total)s indicadores con dato",
        node.total,
    ) % {"with": node.with_data, "total": node.total}
