"""Charts drawn on the server as SVG: one picture for pages and PDFs (PITFALLS 19).

Pure functions: figures in, SVG markup out. No database, no script, no ``<style>`` element
and no ``style`` attribute (a strict Content-Security-Policy forbids them): colours are SVG
presentation attributes and classes are hooks for ``static/css/app.css``. Every text is
escaped here, so a caller may mark the result safe. The output is deterministic: coordinates
are Decimals rounded half up to one decimal, and labels use the ``figure`` filter (half up,
decimal comma in Spanish). Each chart carries ``role="img"``, an ``aria-label`` and a
``<title>``; pages still show the same figures in a table next to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from django.utils.html import escape
from django.utils.translation import gettext as _

from scorecard.arithmetic import Bands, round_half_up
from scorecard.templatetags.scorecard_tags import figure

# Colours with at least 3:1 against white for lines and marks, 4.5:1 for text (WCAG 1.4.11).
INK = "#1a1a1a"
MUTED = "#595959"
GRID = "#c8c8c8"
LINE = "#0b3d6e"
BAR = "#2f5f8f"
TARGET = "#9a4a00"
BAND = "#fbe3c8"
HOLLOW = {"fill": "#ffffff", "stroke": BAR, "stroke_width": "1.5", "stroke_dasharray": "3 2"}
BAND_FILLS = {"verde": "#e3f2e6", "amarillo": "#fff4cc", "rojo": "#fbe4e4"}
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
# Beyond this many periods, labels on every bar would overlap: the table carries them.
MAX_VALUE_LABELS = 24
MAX_AXIS_LABELS = 12


@dataclass(frozen=True)
class Bar:
    """One period of ``targets_vs_values``: its value (a bar) and its target (a marker).

    ``target_max`` closes the band of a rango indicator; ``provisional`` marks a value not
    yet validated (drawn hollow). None means no value or no target for that period.
    """

    label: str
    value: Decimal | None
    target: Decimal | None = None
    target_max: Decimal | None = None
    provisional: bool = False

    @property
    def banded(self) -> bool:
        """A rango target: a band from ``target`` up to a higher ``target_max``."""
        return None not in (self.target, self.target_max) and self.target_max > self.target


@dataclass(frozen=True)
class _Frame:
    """The plot area inside the picture and the value range it maps."""

    left: Decimal
    top: Decimal
    width: Decimal
    height: Decimal
    low: Decimal
    high: Decimal

    def y(self, value: Decimal) -> Decimal:
        share = (self.high - Decimal(value)) / (self.high - self.low)
        return self.top + share * self.height

    def x(self, index: int, count: int) -> Decimal:
        """The centre of slot ``index`` of ``count`` equal slots."""
        return self.left + self.width * (2 * index + 1) / (2 * count)

    @property
    def bottom(self) -> Decimal:
        return self.top + self.height

    @property
    def right(self) -> Decimal:
        return self.left + self.width


def _n(number) -> str:
    """A coordinate: rounded half up to one decimal, written plainly."""
    text = f"{round_half_up(Decimal(number), 1):f}"
    return "0.0" if text == "-0.0" else text


def _attrs(**attributes) -> str:
    """SVG attributes from keywords (``stroke_width`` → ``stroke-width``), escaped."""
    parts = []
    for key, value in attributes.items():
        if value is None:
            continue
        name = key.rstrip("_").replace("_", "-")
        parts.append(f' {name}="{escape(value)}"')
    return "".join(parts)


def _el(tag: str, text: str | None = None, *, tip: str | None = None, **attributes) -> str:
    """One element: ``text`` as its content, or ``tip`` as a ``<title>`` child (a tooltip)."""
    if tip is not None:
        return f"<{tag}{_attrs(**attributes)}><title>{escape(tip)}</title></{tag}>"
    if text is None:
        return f"<{tag}{_attrs(**attributes)}/>"
    return f"<{tag}{_attrs(**attributes)}>{escape(text)}</{tag}>"


def _line(x1, y1, x2, y2, stroke: str, width: str = "1", **extra) -> str:
    return _el(
        "line",
        x1=_n(x1),
        y1=_n(y1),
        x2=_n(x2),
        y2=_n(y2),
        stroke=stroke,
        stroke_width=width,
        **extra,
    )


def _rect(x, y, width, height, **extra) -> str:
    return _el("rect", x=_n(x), y=_n(y), width=_n(width), height=_n(height), **extra)


def _text(x, y, text: str, *, size=12, anchor="middle", fill=INK, **extra) -> str:
    return _el(
        "text", text, x=_n(x), y=_n(y), font_size=str(size), text_anchor=anchor, fill=fill, **extra
    )


def _value_label(x, y, text: str) -> str:
    """A figure over the drawing, with a white halo so that lines beneath do not cross it.

    The halo is a text of its own drawn first: WeasyPrint ignores ``paint-order``, and the
    PDF must show the same picture as the page.
    """
    halo = {"stroke": "#ffffff", "stroke_width": "3", "aria_hidden": "true"}
    return _text(x, y, text, size=11, font_weight="600", **halo) + _text(
        x, y, text, size=11, font_weight="600", class_="chart-value"
    )


def _svg(body: Iterable[str], *, width: int, height: int, title: str, desc: str, kind: str):
    """The outer element: accessible name, title and description, then the drawing."""
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}"'
        f' width="{width}" height="{height}" class="chart chart-{kind}" role="img"'
        f' aria-label="{escape(title)}" font-family="{escape(FONT)}">'
    )
    return "".join([head, _el("title", title), _el("desc", desc), *body, "</svg>"])


def _label(value: Decimal | None, unit: str = "") -> str:
    if value is None:
        return _("sin dato")
    return f"{figure(value)} {unit}".strip()


def _nice_step(span: Decimal, count: int = 4) -> Decimal:
    """A round tick step (1, 2, 2.5 or 5 × 10ⁿ) giving about ``count`` intervals."""
    raw = span / count
    base = Decimal(1).scaleb(raw.adjusted())
    for multiple in (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10)):
        if base * multiple >= raw:
            return base * multiple
    return base * 10  # pragma: no cover - the loop always returns


def _range(values: Iterable[Decimal], floor: Decimal = Decimal(0)) -> tuple[Decimal, ...]:
    """Axis bounds and step: from min(0, values) to at least ``floor``, on round ticks."""
    numbers = [Decimal(v) for v in values]
    low = min([Decimal(0), *numbers])
    high = max([floor, *numbers])
    if high == low:
        high = low + 1
    step = _nice_step(high - low)
    low = (low / step).to_integral_value(rounding=ROUND_FLOOR) * step
    high = (high / step).to_integral_value(rounding=ROUND_CEILING) * step
    return low, high, step


def _grid(frame: _Frame, step: Decimal) -> list[str]:
    """Horizontal grid lines with their labels on the left axis (the zero line darker)."""
    parts = []
    value = frame.low
    while value <= frame.high:
        y = frame.y(value)
        colour = INK if value == 0 else GRID
        parts.append(_line(frame.left, y, frame.right, y, colour, class_="chart-grid"))
        tick = figure(value, 0 if value == value.to_integral_value() else 1)
        parts.append(_text(frame.left - 6, y + 4, tick, size=11, anchor="end"))
        value += step
    return parts


def _axis_labels(frame: _Frame, labels: Sequence[str]) -> list[str]:
    """Period labels under the plot, thinned out when there are many."""
    every = max(1, -(-len(labels) // MAX_AXIS_LABELS))
    return [
        _text(frame.x(i, len(labels)), frame.bottom + 18, label, size=11, fill=MUTED)
        for i, label in enumerate(labels)
        if i % every == 0
    ]


def _runs(points: Sequence[tuple[Decimal, Decimal | None]]) -> list[list[tuple]]:
    """Consecutive points with a value: a gap (None) breaks the line."""
    runs, current = [], []
    for x, y in points:
        if y is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append((x, y))
    if current:
        runs.append(current)
    return runs


def _path(run: Sequence[tuple], **attributes) -> str:
    steps = " ".join(f"{'M' if i == 0 else 'L'}{_n(x)} {_n(y)}" for i, (x, y) in enumerate(run))
    return _el("path", d=steps, fill="none", **attributes)


def _empty(width: int, height: int, title: str, kind: str) -> str:
    message = _("Sin datos para graficar")
    body = [_text(width / 2, height / 2, message, size=13, fill=MUTED)]
    return _svg(body, width=width, height=height, title=title, desc=message, kind=kind)


def _bands(frame: _Frame, bands: Bands) -> list[str]:
    """The traffic-light zones behind an achievement line, with their thresholds written."""
    zones = [
        ("verde", min(frame.high, max(frame.low, bands.green)), frame.high),
        ("amarillo", min(frame.high, max(frame.low, bands.yellow)), bands.green),
        ("rojo", frame.low, bands.yellow),
    ]
    parts = []
    for status, low, high in zones:
        low, high = max(frame.low, low), min(frame.high, high)
        if high <= low:
            continue
        top, bottom = frame.y(high), frame.y(low)
        zone = f"chart-band chart-band-{status}"
        parts.append(
            _rect(frame.left, top, frame.width, bottom - top, fill=BAND_FILLS[status], class_=zone)
        )
    for threshold in (bands.green, bands.yellow):
        if frame.low < threshold < frame.high:
            y = frame.y(threshold)
            parts.append(
                _text(frame.right + 4, y + 4, f"{figure(threshold, 0)} %", size=10, anchor="start")
            )
    return parts


def line_chart(
    points: Sequence[tuple[str, Decimal | None]],
    *,
    title: str,
    unit: str = "%",
    bands: Bands | None = None,
    width: int = 640,
    height: int = 260,
) -> str:
    """A line over labelled points (an achievement over periods), gaps where a value is None.

    The axis runs from 0 (or the lowest value) to at least 100; with ``bands`` the
    traffic-light zones are shaded behind the line and their thresholds written at the
    right. Each point is labelled with its figure.
    """
    if not points or all(value is None for _, value in points):
        return _empty(width, height, title, "line")
    low, high, step = _range((v for _, v in points if v is not None), Decimal(100))
    frame = _Frame(Decimal(48), Decimal(26), Decimal(width - 92), Decimal(height - 58), low, high)
    labels = [label for label, _ in points]
    body = _bands(frame, bands) if bands else []
    body += _grid(frame, step)
    body += _axis_labels(frame, labels)
    placed = [
        (frame.x(i, len(points)), None if v is None else frame.y(v))
        for i, (_, v) in enumerate(points)
    ]
    for run in _runs(placed):
        body.append(_path(run, stroke=LINE, stroke_width="2.5", class_="chart-line-path"))
    for (x, y), (label, value) in zip(placed, points, strict=True):
        if y is None:
            continue
        body.append(
            _el(
                "circle",
                tip=f"{label}: {_label(value, unit)}",
                cx=_n(x),
                cy=_n(y),
                r="4",
                fill=LINE,
                class_="chart-point",
            )
        )
        body.append(_value_label(x, y - 9, _label(value)))
    desc = "; ".join(f"{label}: {_label(value, unit)}" for label, value in points)
    return _svg(body, width=width, height=height, title=title, desc=desc, kind="line")


def sparkline(
    values: Sequence[Decimal | None],
    *,
    title: str,
    labels: Sequence[str] | None = None,
    unit: str = "%",
    width: int = 120,
    height: int = 32,
    floor: Decimal = Decimal(100),
) -> str:
    """A small line with no axes (achievement over the plan's years), for a table cell.

    The scale runs from 0 (or the lowest value) to at least ``floor``; a value that is None
    leaves a gap. The accessible name lists every point, so the line is never the only
    carrier of the figures.
    """
    labels = list(labels) if labels is not None else [str(i + 1) for i in range(len(values))]
    desc = "; ".join(f"{lab}: {_label(v, unit)}" for lab, v in zip(labels, values, strict=True))
    name = f"{title}. {desc}"
    if not values or all(v is None for v in values):
        middle = Decimal(height) / 2
        body = [_line(2, middle, width - 2, middle, GRID, stroke_dasharray="3 3")]
        return _svg(body, width=width, height=height, title=name, desc=desc, kind="sparkline")
    low, high, _step = _range((v for v in values if v is not None), floor)
    frame = _Frame(Decimal(3), Decimal(3), Decimal(width - 6), Decimal(height - 6), low, high)
    placed = [
        (frame.x(i, len(values)), None if v is None else frame.y(v)) for i, v in enumerate(values)
    ]
    # A faint line at 100 % (the target), so that "above" and "below" read at a glance.
    reference = frame.y(floor)
    body = [_line(frame.left, reference, frame.right, reference, GRID, stroke_dasharray="2 2")]
    body += [_path(run, stroke=LINE, stroke_width="1.5") for run in _runs(placed)]
    last = max(i for i, v in enumerate(values) if v is not None)
    for i, (x, y) in enumerate(placed):
        if y is not None:
            r = "2.5" if i == last else "1.5"
            body.append(_el("circle", cx=_n(x), cy=_n(y), r=r, fill=LINE))
    return _svg(body, width=width, height=height, title=name, desc=desc, kind="sparkline")


def _legend(x: Decimal, y: Decimal, *, provisional: bool, band: bool) -> list[str]:
    """Bars are values, the orange tick the target; hollow bars are not yet validated."""
    parts = [
        _rect(x, y - 9, 14, 10, fill=BAR),
        _text(x + 18, y, _("Valor"), size=11, anchor="start"),
        _line(x + 70, y - 4, x + 88, y - 4, TARGET, "3"),
        _text(x + 92, y, _("Meta"), size=11, anchor="start"),
    ]
    offset = x + 140
    if band:
        parts.append(_rect(offset, y - 9, 14, 10, fill=BAND, stroke=TARGET, stroke_width="1"))
        parts.append(_text(offset + 18, y, _("Banda de la meta"), size=11, anchor="start"))
        offset += 130
    if provisional:
        parts.append(_rect(offset, y - 9, 14, 10, **HOLLOW))
        parts.append(_text(offset + 18, y, _("Sin validar (*)"), size=11, anchor="start"))
    return parts


def _bar(frame: _Frame, index: int, count: int, bar: Bar) -> tuple[list[str], str | None]:
    """The shapes of one slot (target band, value bar) and its value label, drawn last."""
    slot = frame.width / count
    centre = frame.x(index, count)
    parts, label = [], None
    if bar.banded:
        top, bottom = frame.y(bar.target_max), frame.y(bar.target)
        left, span = centre - slot * Decimal("0.42"), slot * Decimal("0.84")
        parts.append(_rect(left, top, span, bottom - top, fill=BAND, class_="chart-target-band"))
    if bar.value is not None:
        zero, level = frame.y(0), frame.y(bar.value)
        text = _label(bar.value) + (" *" if bar.provisional else "")
        paint = HOLLOW if bar.provisional else {"fill": BAR}
        kind = "chart-bar chart-bar-provisional" if bar.provisional else "chart-bar"
        left, span = centre - slot * Decimal("0.3"), slot * Decimal("0.6")
        tip = f"{bar.label}: {text}"
        parts.append(
            _rect(left, min(zero, level), span, abs(zero - level), tip=tip, class_=kind, **paint)
        )
        label = _value_label(centre, level - 5 if bar.value >= 0 else level + 14, text)
    return parts, label


def _target_marks(frame: _Frame, bars: Sequence[Bar]) -> list[str]:
    """A tick across each slot at its target (and band top), joined by a dashed line."""
    count, slot = len(bars), frame.width / len(bars)
    parts, placed = [], []
    for i, bar in enumerate(bars):
        centre = frame.x(i, count)
        placed.append((centre, None if bar.target is None else frame.y(bar.target)))
        for level in (bar.target, bar.target_max):
            if level is None:
                continue
            y, half = frame.y(level), slot * Decimal("0.42")
            tip = f"{bar.label}: {_('meta')} {_label(level)}"
            parts.append(
                _line(
                    centre - half, y, centre + half, y, TARGET, "3", tip=tip, class_="chart-target"
                )
            )
    dashes = {"stroke_width": "1.5", "stroke_dasharray": "5 4", "class_": "chart-target-line"}
    return [_path(run, stroke=TARGET, **dashes) for run in _runs(placed)] + parts


def targets_vs_values(
    bars: Sequence[Bar], *, title: str, unit: str = "", width: int = 720, height: int = 300
) -> str:
    """Values as bars and targets as ticks on a line, one slot per period, labelled.

    For a ratio indicator pass the ratio (× factor) as the value. Hollow, dashed bars are
    values not yet validated; a shaded band is a rango indicator's target band. Value labels
    are left out when there are more than 24 periods (the table beside the chart has them).
    """
    figures = [f for bar in bars for f in (bar.value, bar.target, bar.target_max) if f is not None]
    if not figures:
        return _empty(width, height, title, "bars")
    low, high, step = _range(figures)
    high = high + step if max(figures) > high - step / 4 else high  # room for labels
    frame = _Frame(Decimal(56), Decimal(36), Decimal(width - 72), Decimal(height - 66), low, high)
    show_labels = len(bars) <= MAX_VALUE_LABELS
    body = _grid(frame, step)
    body += _axis_labels(frame, [bar.label for bar in bars])
    labels = []
    for i, bar in enumerate(bars):
        shapes, label = _bar(frame, i, len(bars), bar)
        body += shapes
        labels += [label] if label and show_labels else []
    body += _target_marks(frame, bars) + labels
    provisional = any(bar.provisional and bar.value is not None for bar in bars)
    band = any(bar.banded for bar in bars)
    body += _legend(frame.left, Decimal(16), provisional=provisional, band=band)
    if unit:
        body.append(_text(frame.left - 6, frame.top - 14, unit, size=11, anchor="end", fill=MUTED))
    desc = "; ".join(
        f"{bar.label}: {_('valor')} {_label(bar.value, unit)}"
        f"{' (' + _('sin validar') + ')' if bar.provisional and bar.value is not None else ''}, "
        f"{_('meta')} {_label(bar.target, unit)}"
        for bar in bars
    )
    return _svg(body, width=width, height=height, title=title, desc=desc, kind="bars")
