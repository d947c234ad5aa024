"""The strategy map (mapa estratégico) drawn on the server as SVG: no JavaScript, no styles.

Perspectives are horizontal bands in plan order, labelled in a column on their left;
objectives are rounded boxes inside their band; cause-effect links are arrows between them,
routed through the gaps between rows and bands. A box shows its status by colour *and* by
symbol, word and figure (never colour alone). Pure: plain data in, deterministic SVG text
out, so the page, a PDF (WeasyPrint renders it, PITFALLS 19) and the tests draw the same
picture. Every text is escaped; colours are SVG presentation attributes (the page's CSP
forbids ``style``), and classes (``mapa-*``) let the page's CSS adjust it.
"""

from __future__ import annotations

import textwrap
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from scorecard import arithmetic as ar
from scorecard.templatetags.scorecard_tags import coverage, figure, status_label, status_symbol

# Geometry in SVG units; the page scales the whole drawing to its width.
WIDTH = 1400
MARGIN = 16
LABEL_W = 230  # the column on the left of each band with the perspective's name and status
SIDE = 30  # free strips on both sides of the boxes: arrows that skip a band run there
TOP_PAD = 22  # above the first row of boxes in a band
BAND_PAD = 38  # below the last row: room for arrows between boxes of one row
BAND_GAP = 56  # between bands: where arrows from band to band curve
ROW_GAP = 48
GAP_X = 48
PER_ROW = 3  # boxes per row of a band: wide enough for projector-size text
BOX_MAX_W = 400
PAD = 14
MAX_LINES = 6
LEGEND_H = 44
# Font sizes, large enough to read on a projector, and line heights.
BAND_SIZE, CODE_SIZE, NAME_SIZE, STATUS_SIZE, SMALL_SIZE = 22, 24, 21, 21, 17
LINE_H, BAND_LINE_H = 26, 27
CHAR_W = 0.6  # average glyph width of the sans-serif fonts in ems (bold, wide DejaVu: safe)
FONT = "DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif"
INK = "#1b1b1b"
ARROW = "#0b3d6e"

#: Status → (fill, stroke, text): the palette of the semáforo in app.css (WCAG AA text).
COLOURS = {
    ar.GREEN: ("#d7f0dd", "#146c2e", "#0f5323"),
    ar.YELLOW: ("#fff1c2", "#7a5a00", "#5c4300"),
    ar.RED: ("#fbdada", "#a4161a", "#7d0f12"),
    ar.GREY: ("#ececec", "#595959", "#3d3d3d"),
    ar.NOT_DUE: ("#ffffff", "#595959", "#3d3d3d"),
}
BAND_FILLS = ("#eef3f9", "#f6f8fb")


@dataclass(frozen=True)
class Node:
    """One objective as the map shows it; ``label`` is drawn, ``title`` is the full name."""

    code: str
    label: str
    title: str
    status: str
    achievement: Decimal | None
    with_data: int
    total: int
    provisional: bool
    href: str


@dataclass(frozen=True)
class Band:
    """One perspective and its objectives, in plan order."""

    code: str
    name: str
    status: str
    achievement: Decimal | None
    nodes: tuple[Node, ...]


@dataclass(frozen=True)
class Link:
    """A cause-effect arrow: achieving ``cause`` helps achieve ``effect`` (objective codes)."""

    cause: str
    effect: str
    description: str = ""


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float
    level: int  # rows of boxes numbered top to bottom across bands
    col: int

    @property
    def cx(self) -> float:
        return self.x + self.w / 2


def status_text(status: str, achievement: Decimal | None) -> str:
    """ "● Verde · 87,50 %": symbol, word and figure, as the semáforo tag shows them."""
    text = f"{status_symbol(status)} {status_label(status)}".strip()
    return text if achievement is None else f"{text} · {figure(achievement)} %"


def coverage_text(node: Node) -> str:
    """ "2 de 3 indicadores con dato": of the due indicators, those with an achievement."""
    if not node.total:
        return _("sin indicadores al corte")
    return coverage(node)


def _num(value: float) -> str:
    """Coordinates with one decimal at most, so the same input always gives the same text."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _attrs(**attrs) -> str:
    return " ".join(f'{k.rstrip("_").replace("_", "-")}="{escape(v)}"' for k, v in attrs.items())


def _wrap(text: str, width: float, size: int, max_lines: int = MAX_LINES) -> list[str]:
    """``text`` wrapped to ``width`` at font ``size``; past ``max_lines`` elided with …."""
    chars = max(8, int(width / (size * CHAR_W)))
    lines = textwrap.wrap(" ".join(text.split()), chars, break_on_hyphens=False) or [""]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: chars - 1].rstrip() + "…"
    return lines


def _fit(text: str, width: float, size: int) -> int:
    """The font size (at most ``size``) at which one line of ``text`` fits ``width``."""
    return max(10, min(size, int(width / (max(len(text), 1) * CHAR_W))))


# Layout ------------------------------------------------------------------------------------

BOXES_LEFT = MARGIN + LABEL_W + SIDE
BOXES_RIGHT = WIDTH - MARGIN - SIDE


def _box_width(bands: list[Band]) -> float:
    widest = max([min(len(b.nodes), PER_ROW) for b in bands] + [1])
    return min(BOX_MAX_W, (BOXES_RIGHT - BOXES_LEFT - (widest - 1) * GAP_X) / widest)


def _box_height(lines: int) -> float:
    """Code, ``lines`` of name, status and coverage, with padding."""
    return PAD + 36 + lines * LINE_H + (STATUS_SIZE + 12) + (SMALL_SIZE + 9) + PAD - 4


def _label_lines(band: Band) -> list[str]:
    return _wrap(band.name, LABEL_W - 28, BAND_SIZE, max_lines=5)


def _label_height(band: Band) -> float:
    return 24 + 30 + len(_label_lines(band)) * BAND_LINE_H + 2 * BAND_LINE_H


@dataclass
class Layout:
    boxes: dict[str, Box]
    bands: list[tuple[float, float]]  # (top, height) of each band
    levels: list[tuple[float, float]]  # (top, bottom) of each row of boxes
    height: float
    lines: dict[str, list[str]]


def layout(bands: list[Band]) -> Layout:
    """Where every band and box goes: boxes share one size, rows are centred."""
    width = _box_width(bands)
    lines = {n.code: _wrap(n.label, width - 2 * PAD, NAME_SIZE) for b in bands for n in b.nodes}
    height = _box_height(max([len(v) for v in lines.values()] + [1]))
    middle = (BOXES_LEFT + BOXES_RIGHT) / 2
    boxes, rects, levels = {}, [], []
    y = MARGIN
    for band in bands:
        rows = [band.nodes[i : i + PER_ROW] for i in range(0, len(band.nodes), PER_ROW)] or [()]
        top = y
        y += TOP_PAD
        for row in rows:
            span = len(row) * width + (len(row) - 1) * GAP_X
            for col, node in enumerate(row):
                x = middle - span / 2 + col * (width + GAP_X)
                boxes[node.code] = Box(x, y, width, height, len(levels), col)
            levels.append((y, y + height))
            y += height + ROW_GAP
        y = max(y - ROW_GAP + BAND_PAD, top + _label_height(band))
        rects.append((top, y - top))
        y += BAND_GAP
    return Layout(boxes, rects, levels, y - BAND_GAP + MARGIN + LEGEND_H, lines)


# Arrows ------------------------------------------------------------------------------------


def _sides(a: Box, b: Box) -> tuple[str, str]:
    """Which edge of the cause and of the effect an arrow leaves from and enters."""
    if a.level == b.level:
        if abs(a.col - b.col) == 1:
            return ("right", "left") if a.col < b.col else ("left", "right")
        return "bottom", "bottom"
    return ("bottom", "top") if a.level < b.level else ("top", "bottom")


def _ports(links: list[Link], boxes: dict[str, Box]) -> dict[tuple[int, str], tuple[float, float]]:
    """Spread the arrows sharing an edge along it, ordered by where they go (fewer crossings)."""
    by_edge = defaultdict(list)
    for i, link in enumerate(links):
        a, b = boxes[link.cause], boxes[link.effect]
        side_a, side_b = _sides(a, b)
        by_edge[(link.cause, side_a)].append((b.cx, b.y, i, "cause"))
        by_edge[(link.effect, side_b)].append((a.cx, a.y, i, "effect"))
    ports = {}
    for (code, side), ends in by_edge.items():
        box = boxes[code]
        for k, (*_where, i, role) in enumerate(sorted(ends)):
            share = (k + 1) / (len(ends) + 1)
            if side in ("top", "bottom"):
                ports[(i, role)] = (
                    box.x + box.w * share,
                    box.y + (box.h if side == "bottom" else 0),
                )
            else:
                ports[(i, role)] = (
                    box.x + (box.w if side == "right" else 0),
                    box.y + box.h * share,
                )
    return ports


def _curve(x1, y1, x2, y2, bend_y1, bend_y2) -> str:
    return (
        f"M{_num(x1)},{_num(y1)} C{_num(x1)},{_num(bend_y1)} "
        f"{_num(x2)},{_num(bend_y2)} {_num(x2)},{_num(y2)}"
    )


def _route(a: Box, b: Box, start, end, lay: Layout, lane: int) -> str:
    """The path's ``d``: straight between neighbours in a row, curved below a row or between
    adjacent rows, and through the gaps and a side strip when it skips rows."""
    (x1, y1), (x2, y2) = start, end
    if a.level == b.level and abs(a.col - b.col) == 1:
        return f"M{_num(x1)},{_num(y1)} L{_num(x2)},{_num(y2)}"
    if a.level == b.level:
        dip = y1 + BAND_PAD * 1.1 + 6 * (lane % 3)
        return _curve(x1, y1, x2, y2, dip, dip)
    if abs(a.level - b.level) == 1:
        return _curve(x1, y1, x2, y2, (y1 + y2) / 2, (y1 + y2) / 2)
    down = a.level < b.level
    offset = 7 * (lane % 4)
    first = _gap_middle(lay, a.level if down else a.level - 1) + (offset if down else -offset)
    last = _gap_middle(lay, b.level - 1 if down else b.level) + (-offset if down else offset)
    right = (a.cx + b.cx) / 2 >= (BOXES_LEFT + BOXES_RIGHT) / 2
    x = BOXES_RIGHT + 10 + offset if right else BOXES_LEFT - 10 - offset
    points = [(x1, y1), (x1, first), (x, first), (x, last), (x2, last), (x2, y2)]
    return "M" + " L".join(f"{_num(px)},{_num(py)}" for px, py in points)


def _gap_middle(lay: Layout, upper: int) -> float:
    """The middle of the space between row ``upper`` and the row below it."""
    return (lay.levels[upper][1] + lay.levels[upper + 1][0]) / 2


def _arrows(links: list[Link], lay: Layout, names: dict[str, str]) -> list[str]:
    ports = _ports(links, lay.boxes)
    out = []
    for i, link in enumerate(links):
        a, b = lay.boxes[link.cause], lay.boxes[link.effect]
        d = _route(a, b, ports[(i, "cause")], ports[(i, "effect")], lay, i)
        title = _("%(cause)s contribuye a %(effect)s") % {
            "cause": f"{link.cause} {names[link.cause]}",
            "effect": f"{link.effect} {names[link.effect]}",
        }
        if link.description:
            title = f"{title}: {link.description}"
        attrs = _attrs(
            class_="mapa-flecha",
            d=d,
            fill="none",
            stroke=ARROW,
            stroke_width="2.5",
            marker_end="url(#mapa-punta)",
        )
        out.append(f"<path {attrs}><title>{escape(title)}</title></path>")
    return out


# Drawing -----------------------------------------------------------------------------------


def _text(x, y, content, *, size, weight="normal", fill=INK, anchor="middle", **extra) -> str:
    attrs = _attrs(
        x=_num(x),
        y=_num(y),
        font_size=str(size),
        font_weight=weight,
        fill=fill,
        text_anchor=anchor,
        **extra,
    )
    return f"<text {attrs}>{escape(content)}</text>"


def _band(index: int, band: Band, top: float, height: float) -> list[str]:
    rect = _attrs(
        class_="mapa-banda",
        x=_num(MARGIN),
        y=_num(top),
        width=_num(WIDTH - 2 * MARGIN),
        height=_num(height),
        rx="10",
        fill=BAND_FILLS[index % 2],
        stroke="#9fb3c8",
    )
    rule = _attrs(
        d=f"M{_num(MARGIN + LABEL_W)},{_num(top + 12)} V{_num(top + height - 12)}",
        stroke="#9fb3c8",
    )
    x, y = MARGIN + 16, top + 24 + 24
    parts = [f"<rect {rect}/>", f"<path {rule}/>"]
    parts.append(_text(x, y, band.code, size=26, weight="bold", fill=ARROW, anchor="start"))
    for line in _label_lines(band):
        y += BAND_LINE_H
        parts.append(_text(x, y, line, size=BAND_SIZE, fill=ARROW, anchor="start"))
    word = f"{status_symbol(band.status)} {status_label(band.status)}".strip()
    parts.append(_text(x, y + BAND_LINE_H + 6, word, size=20, weight="bold", anchor="start"))
    if band.achievement is not None:
        figure_text = f"{figure(band.achievement)} %"
        parts.append(_text(x, y + 2 * BAND_LINE_H + 6, figure_text, size=20, anchor="start"))
    if not band.nodes:
        empty = _("Sin objetivos")
        parts.append(_text((BOXES_LEFT + BOXES_RIGHT) / 2, top + 60, empty, size=NAME_SIZE))
    return parts


def _node(node: Node, box: Box, lines: list[str]) -> str:
    fill, stroke, ink = COLOURS.get(node.status, COLOURS[ar.GREY])
    rect = _attrs(
        x=_num(box.x),
        y=_num(box.y),
        width=_num(box.w),
        height=_num(box.h),
        rx="14",
        fill=fill,
        stroke=stroke,
        stroke_width="3",
        stroke_dasharray="8 5" if node.status == ar.NOT_DUE else "none",
    )
    cx, top, inner = box.cx, box.y + PAD, box.w - 2 * PAD
    spare = (box.h - _box_height(len(lines))) / 2  # centre short names in tall boxes
    tspans = "".join(
        f'<tspan x="{_num(cx)}" y="{_num(top + 36 + spare + k * LINE_H + NAME_SIZE)}">'
        f"{escape(line)}</tspan>"
        for k, line in enumerate(lines)
    )
    name = _attrs(class_="mapa-nombre", font_size=str(NAME_SIZE), fill=INK, text_anchor="middle")
    code = f"{node.code} · {_('provisional')}" if node.provisional else node.code
    status = status_text(node.status, node.achievement)
    coverage, bottom = coverage_text(node), box.y + box.h - PAD + 4
    body = [
        f"<title>{escape(f'{node.code} {node.title}')}</title>",
        f"<rect {rect}/>",
        _text(cx, top + 24, code, size=_fit(code, inner, CODE_SIZE), weight="bold", fill=ink),
        f"<text {name}>{tspans}</text>",
        _text(
            cx,
            bottom - SMALL_SIZE - 11,
            status,
            size=_fit(status, inner, STATUS_SIZE),
            weight="bold",
            fill=ink,
            class_="mapa-estado",
        ),
        _text(cx, bottom, coverage, size=_fit(coverage, inner, SMALL_SIZE), fill=ink),
    ]
    group = _attrs(class_=f"mapa-nodo mapa-nodo-{node.status}", data_code=node.code)
    label = f"{node.code} {node.title} — {status}"
    return (
        f'<a href="{escape(node.href)}" aria-label="{escape(label)}">'
        f"<g {group}>{''.join(body)}</g></a>"
    )


def _legend(y: float) -> list[str]:
    x = MARGIN + 16
    line = _attrs(
        d=f"M{_num(x)},{_num(y)} L{_num(x + 48)},{_num(y)}",
        stroke=ARROW,
        stroke_width="2.5",
        marker_end="url(#mapa-punta)",
    )
    legend = _("Flecha: el objetivo de origen contribuye al de destino (relación causa-efecto)")
    return [f"<path {line}/>", _text(x + 62, y + 7, legend, size=SMALL_SIZE + 3, anchor="start")]


DEFS = (
    '<defs><marker id="mapa-punta" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" '
    'markerHeight="6" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
    f'fill="{ARROW}"/></marker></defs>'
)


def render_svg(
    bands: Iterable[Band], links: Iterable[Link], *, title: str, description: str
) -> SafeString:
    """The map as an SVG element (safe to put in a page): ``role="group"``, <title> and <desc>.

    Not ``role="img"``: a picture may not contain links (axe nested-interactive), and each
    objective's box links to its page, labelled with its code, name and status.

    Links whose ends are not on the map are left out. The same input gives the same text.
    """
    bands = list(bands)
    lay = layout(bands)
    names = {n.code: n.label for b in bands for n in b.nodes}
    drawn = [link for link in links if link.cause in names and link.effect in names]
    head = _attrs(
        xmlns="http://www.w3.org/2000/svg",
        class_="mapa-svg",
        viewBox=f"0 0 {WIDTH} {_num(lay.height)}",
        width=str(WIDTH),
        height=_num(lay.height),
        role="group",
        aria_labelledby="mapa-titulo mapa-desc",
        font_family=FONT,
    )
    parts = [
        f"<svg {head}>",
        f'<title id="mapa-titulo">{escape(title)}</title>',
        f'<desc id="mapa-desc">{escape(description)}</desc>',
        DEFS,
    ]
    for i, (band, (top, h)) in enumerate(zip(bands, lay.bands, strict=True)):
        parts.extend(_band(i, band, top, h))
    for band in bands:
        parts.extend(_node(n, lay.boxes[n.code], lay.lines[n.code]) for n in band.nodes)
    parts.extend(_arrows(drawn, lay, names))
    parts.extend(_legend(lay.height - MARGIN - LEGEND_H / 2))
    parts.append("</svg>")
    # Safe: every text and attribute value above went through escape().
    return mark_safe("\n".join(parts))
