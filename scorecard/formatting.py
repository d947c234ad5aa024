"""How stored numbers read on pages, PDFs and mails: as written, in the user's language."""

from decimal import Decimal

from django.utils.translation import get_language


def plain(number: Decimal | None) -> str:
    """A stored number as written, without trailing zeros (100.000000 → 100); — for None."""
    if number is None:
        return "—"
    text = f"{number.normalize():f}"
    return text.replace(".", ",") if (get_language() or "es").startswith("es") else text
