"""Long tables a page at a time, each table with its own page number in the query string.

The tablero shows two indicator tables; a plan of thousands of indicators would otherwise
send a page no one reads to the end (and take seconds to draw). The other filters of the
query string are kept on every link.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator

PAGE_SIZE = 50


@dataclass
class Pager:
    page: Page
    label: str  # what the navigation is for, read out by screen readers
    previous_href: str | None
    next_href: str | None

    @property
    def rows(self):
        return self.page.object_list


def paginate(request, rows: list, param: str, *, label: str, anchor: str = "") -> Pager:
    """The page of ``rows`` asked for in ``?<param>=`` (a wrong number: the nearest page)."""
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get(param))

    def href(number: int) -> str:
        query = request.GET.copy()
        query[param] = str(number)
        return f"?{query.urlencode()}" + (f"#{anchor}" if anchor else "")

    return Pager(
        page,
        label,
        href(page.previous_page_number()) if page.has_previous() else None,
        href(page.next_page_number()) if page.has_next() else None,
    )
