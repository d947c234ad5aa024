"""The arithmetic of the scorecard (DOMAIN.md, "Arithmetic") as pure functions.

No database and no Django: callers hand in an indicator's settings, its validated values and
its targets keyed by period, and get back Decimal figures and a traffic-light status.
Everything that shows a number (pages, exports, the JSON, PDFs) takes it from here.

Figures are Decimal throughout, never float. Nothing is rounded while computing: the
comparable value X, the comparable target Y and the achievement C keep full precision, and
C is rounded half up to 2 decimals only to be shown and compared with the bands.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from typing import Protocol

from planning.periods import ANNUAL, PERIODICITIES, Period, evaluation_period, periods_between

# Polarity (``sentido``).
INCREASING = "creciente"
DECREASING = "decreciente"
RANGE = "rango"
MILESTONE = "hito"

# Accumulation method (``acumulacion``).
DISCRETE = "discreto"
CUMULATIVE = "acumulado"
LEVEL = "nivel"
AVERAGE = "promedio"

# Window (``ventana``): where combined periods start.
WINDOW_YEAR = "anual"
WINDOW_PLAN = "plan"

# Calculation (``calculo``).
VALUE = "valor"
RATIO = "razon"

# Reference (``referencia``): achievement against the target, or the gap closed from baseline.
REFERENCE_TARGET = "meta"
REFERENCE_BASELINE = "brecha"

# Traffic light (``semaforo``).
GREEN = "verde"
YELLOW = "amarillo"
RED = "rojo"
GREY = "gris"
NOT_DUE = "no_aplica"

# Why a due indicator is grey.
NO_VALUE = "sin_dato"
NO_TARGET = "sin_meta"
NO_BASELINE = "sin_linea_base"

ZERO = Decimal(0)
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Bands:
    """Traffic-light thresholds on C (percent): verde C ≥ green, amarillo C ≥ yellow, else rojo."""

    green: Decimal = Decimal(85)
    yellow: Decimal = Decimal(70)

    def __post_init__(self):
        if self.yellow > self.green:
            raise ValueError("el umbral amarillo no puede superar al verde")


DEFAULT_BANDS = Bands()

_CHOICES = {
    "periodicity": PERIODICITIES,
    "polarity": (INCREASING, DECREASING, RANGE, MILESTONE),
    "accumulation": (DISCRETE, CUMULATIVE, LEVEL, AVERAGE),
    "window": (WINDOW_YEAR, WINDOW_PLAN),
    "calculation": (VALUE, RATIO),
    "reference": (REFERENCE_TARGET, REFERENCE_BASELINE),
}


@dataclass(frozen=True)
class IndicatorRule:
    """The calculation settings of one indicator (its ficha's periodicity, polarity …).

    ``factor`` multiplies a ratio (100 for a percentage) and is ignored for plain values.
    ``baseline`` is only used by the ``brecha`` reference. ``bands`` overrides the plan's
    bands for this indicator's own colour; None means the plan's bands.
    """

    periodicity: str
    polarity: str = INCREASING
    accumulation: str = DISCRETE
    window: str = WINDOW_YEAR
    calculation: str = VALUE
    factor: Decimal = Decimal(1)
    reference: str = REFERENCE_TARGET
    baseline: Decimal | None = None
    bands: Bands | None = None

    def __post_init__(self):
        for name, allowed in _CHOICES.items():
            if getattr(self, name) not in allowed:
                raise ValueError(f"{name}: valor desconocido {getattr(self, name)!r}")


@dataclass(frozen=True)
class Observation:
    """A validated measurement of one period: ``value``, or numerator and denominator of a ratio.

    None anywhere means not reported. For a ratio indicator the period's value is
    numerator / denominator × factor, and a denominator of 0 counts as no value.
    """

    value: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None


@dataclass(frozen=True)
class Goal:
    """The programmed target of one period; ``value_max`` closes the band of a rango indicator."""

    value: Decimal
    value_max: Decimal | None = None

    @property
    def upper(self) -> Decimal:
        """The top of the band: ``value_max``, or ``value`` itself when there is no band."""
        return self.value if self.value_max is None else self.value_max


@dataclass(frozen=True)
class IndicatorResult:
    """One indicator at a cut-off, unrounded (round with ``round_half_up`` to show it).

    ``period`` is the evaluated period P (None when not due). ``value`` and ``target`` are the
    comparable X and Y; for rango ``target`` is the band's lower bound m and ``target_max``
    its upper bound M. ``achievement`` is the raw C in percent (may exceed 100 or be
    negative). ``value_period`` is the period X comes from: P itself, or for a nivel
    indicator the period of the carried-forward value ("último dato: 2017"). ``reason`` says
    why a due indicator is gris: ``sin_dato``, ``sin_meta`` or ``sin_linea_base``.
    """

    status: str
    period: Period | None = None
    value: Decimal | None = None
    target: Decimal | None = None
    target_max: Decimal | None = None
    achievement: Decimal | None = None
    value_period: Period | None = None
    reason: str | None = None

    @property
    def total(self) -> int:
        """1 when the indicator is due at the cut-off (it counts in its nodes' coverage)."""
        return 0 if self.status == NOT_DUE else 1

    @property
    def with_data(self) -> int:
        """1 when the indicator has an achievement (it counts in its nodes' figures)."""
        return 0 if self.achievement is None else 1


@dataclass(frozen=True)
class NodeResult:
    """An objective, perspective, result or plan rolled up: figure in [0, 100] and coverage.

    ``achievement`` is unrounded and None when no due indicator below has one; ``with_data``
    of the ``total`` due indicators below have an achievement ("7 de 9 con dato").
    """

    achievement: Decimal | None
    status: str
    with_data: int
    total: int


class Rollable(Protocol):
    """Anything a roll-up can average: an IndicatorResult or a NodeResult."""

    @property
    def achievement(self) -> Decimal | None: ...

    @property
    def with_data(self) -> int: ...

    @property
    def total(self) -> int: ...


def round_half_up(number: Decimal | None, places: int = 2) -> Decimal | None:
    """``number`` rounded half away from zero to ``places`` decimals (2.345 → 2.35); None stays.

    Python's ``round`` rounds half to even (0.125 → 0.12); planners expect 0.13.
    """
    if number is None:
        return None
    return number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def capped(achievement: Decimal) -> Decimal:
    """C limited to [0, 100], as it enters roll-ups (negative counts as 0, excess as 100)."""
    return min(max(achievement, ZERO), HUNDRED)


def status_for(achievement: Decimal | None, bands: Bands = DEFAULT_BANDS) -> str:
    """The colour of an achievement C (percent): verde, amarillo, rojo, or gris when None.

    C is compared rounded half up to 2 decimals, as it is shown: 84.995 is verde at 85.
    A negative C counts as 0.
    """
    if achievement is None:
        return GREY
    shown = max(round_half_up(achievement), ZERO)
    if shown >= bands.green:
        return GREEN
    if shown >= bands.yellow:
        return YELLOW
    return RED


def achievement(
    value: Decimal,
    target: Decimal,
    *,
    polarity: str = INCREASING,
    reference: str = REFERENCE_TARGET,
    baseline: Decimal | None = None,
    target_max: Decimal | None = None,
) -> Decimal | None:
    """The achievement C in percent of X = ``value`` against Y = ``target``, unrounded.

    creciente X/Y×100; decreciente (2 − X/Y)×100; Y = 0: 100 when X is on the good side of 0
    (creciente X ≥ 0, decreciente X ≤ 0), else 0. ``brecha``: the share of the gap from
    ``baseline`` LB closed, (X − LB)/(Y − LB)×100 for both polarities, and when Y = LB the
    Y = 0 rule on X − LB; None when LB is missing. hito: 100 when X ≥ 1 (achieved), else 0.
    rango: 100 inside ``target`` … ``target_max`` (a single point when ``target_max`` is
    None), X/m×100 below, (2 − X/M)×100 above. ``reference`` only applies to creciente
    and decreciente.
    """
    if polarity == MILESTONE:
        return HUNDRED if value >= 1 else ZERO
    if polarity == RANGE:
        return _within_band(value, target, target if target_max is None else target_max)
    if reference == REFERENCE_BASELINE:
        return None if baseline is None else _gap_closed(value, target, baseline, polarity)
    return _against(value, target, polarity)


def _against(value, target, polarity) -> Decimal:
    """X/Y×100 (creciente) or (2 − X/Y)×100 (decreciente), with the Y = 0 rule."""
    if target == 0:
        good = value >= 0 if polarity == INCREASING else value <= 0
        return HUNDRED if good else ZERO
    # One division, on unrounded figures: X is never rounded before dividing.
    share = value * HUNDRED / target
    return share if polarity == INCREASING else 2 * HUNDRED - share


def _gap_closed(value, target, baseline, polarity) -> Decimal:
    """The share of the gap from the baseline to the target closed, in percent."""
    if target == baseline:
        # No gap to close: as Y = 0, judged on which side of the baseline X is.
        return _against(value - baseline, ZERO, polarity)
    # (LB − X)/(LB − Y) equals (X − LB)/(Y − LB): one formula serves both polarities.
    return (value - baseline) * HUNDRED / (target - baseline)


def _within_band(value, low, high) -> Decimal:
    if value < low:
        return _against(value, low, INCREASING)
    if value > high:
        return _against(value, high, DECREASING)
    return HUNDRED


def evaluate_indicator(
    rule: IndicatorRule,
    cutoff: Period | str,
    observations: Mapping[Period | str, Observation],
    goals: Mapping[Period | str, Goal],
    plan_bands: Bands = DEFAULT_BANDS,
) -> IndicatorResult:
    """One indicator at a cut-off: its evaluated period P, X, Y, C and colour (DOMAIN 1–4).

    ``observations`` are the validated values and ``goals`` the targets, keyed by period;
    periods of another periodicity than the indicator's are ignored. The ``plan`` window
    combines every period given up to P, so pass only the plan's. Not due → no_aplica with
    everything None; no value at P (nivel: none up to P) → gris with X and Y None; no target
    at P → gris with X shown. A hito is always compared at P alone, whatever its
    accumulation. The colour uses ``rule.bands`` when set, else ``plan_bands``.
    """
    return evaluate_series(rule, cutoff, prepare(rule, observations, goals), plan_bands)


@dataclass(frozen=True)
class Series:
    """An indicator's values that carry a figure and its targets, of its own periodicity.

    Each kept with its periods in date order, so that a window is a slice found by
    bisection: prepared once (``prepare``), a series is evaluated at many cut-offs cheaply.
    """

    readings: Mapping[Period, Observation]
    reading_periods: list[Period]
    reading_keys: list[tuple]
    goals: Mapping[Period, Goal]
    goal_periods: list[Period]
    goal_keys: list[tuple]


def prepare(
    rule: IndicatorRule,
    observations: Mapping[Period | str, Observation],
    goals: Mapping[Period | str, Goal],
) -> Series:
    """The indicator's own-periodicity readings (those with a value) and goals, in date order."""
    readings = _readings(rule, observations)
    own_goals = _own(rule, goals)
    reading_periods = sorted(readings, key=_by_date)
    goal_periods = sorted(own_goals, key=_by_date)
    return Series(
        readings,
        reading_periods,
        [p.sort_key for p in reading_periods],
        own_goals,
        goal_periods,
        [p.sort_key for p in goal_periods],
    )


def evaluate_series(
    rule: IndicatorRule, cutoff: Period | str, series: Series, plan_bands: Bands = DEFAULT_BANDS
) -> IndicatorResult:
    """``evaluate_indicator`` on a prepared series (the same figures)."""
    period = evaluation_period(rule.periodicity, Period.parse(cutoff))
    if period is None:
        return IndicatorResult(status=NOT_DUE)
    reading = _comparable_value(rule, period, series)
    if reading is None:
        return IndicatorResult(status=GREY, period=period, reason=NO_VALUE)
    value, value_period = reading
    target = _comparable_target(rule, period, series)
    if target is None:
        return IndicatorResult(GREY, period, value, value_period=value_period, reason=NO_TARGET)
    low, high = target if rule.polarity == RANGE else (target[0], None)
    settings = {"polarity": rule.polarity, "reference": rule.reference, "baseline": rule.baseline}
    figure = achievement(value, low, target_max=high, **settings)
    return IndicatorResult(
        status=status_for(figure, rule.bands or plan_bands),
        period=period,
        value=value,
        target=low,
        target_max=high,
        achievement=figure,
        value_period=value_period,
        reason=NO_BASELINE if figure is None else None,
    )


def _by_date(period: Period) -> tuple:
    return period.sort_key


def _own(rule: IndicatorRule, by_period: Mapping) -> dict:
    """The entries of the indicator's own periodicity, keyed by Period."""
    periodicity = rule.periodicity
    return {
        period: item
        for key, item in by_period.items()
        if (period := key if isinstance(key, Period) else Period.parse(key)).periodicity
        == periodicity
    }


def _readings(rule: IndicatorRule, observations: Mapping) -> dict[Period, Observation]:
    """The observations that carry a value, keyed by Period."""
    return {p: o for p, o in _own(rule, observations).items() if _has_value(rule, o)}


def _has_value(rule: IndicatorRule, observation: Observation) -> bool:
    if rule.calculation == RATIO:
        # A zero denominator is no value (it is refused on entry; be safe anyway).
        return observation.numerator is not None and observation.denominator not in (None, 0)
    return observation.value is not None


def _window(period: Period, periods: list[Period], keys: list[tuple], *, whole_plan: bool):
    """Of ``periods`` (in date order, with their ``keys``), those up to ``period``: in its
    year, or over the whole plan. (``(year,)`` sorts before every period of that year.)"""
    end = bisect_right(keys, period.sort_key)
    start = 0 if whole_plan else bisect_left(keys, (period.year,), 0, end)
    return periods[start:end]


def _value_of(rule: IndicatorRule, observations: list[Observation]) -> Decimal | None:
    """Values of periods combined: their sum, or for a ratio Σ numerators / Σ denominators × factor.

    None when a ratio's denominators add up to 0.
    """
    if rule.calculation == VALUE:
        return sum((o.value for o in observations), ZERO)
    denominator = sum((o.denominator for o in observations), ZERO)
    if denominator == 0:
        return None
    # A ratio of sums, never an average of percentages; multiply first for a single division.
    return sum((o.numerator for o in observations), ZERO) * rule.factor / denominator


def _comparable_value(rule, period, series: Series) -> tuple[Decimal, Period] | None:
    """X and the period it comes from, or None when the indicator has no value at P."""
    readings = series.readings
    if rule.accumulation == LEVEL and rule.polarity != MILESTONE:
        # The stock carries forward across years, whatever the window (DOMAIN 2, nivel).
        earlier = _window(period, series.reading_periods, series.reading_keys, whole_plan=True)
        if not earlier:
            return None
        latest = earlier[-1]
        return _with_period(_value_of(rule, [readings[latest]]), latest)
    if period not in readings:
        # No value at P: nothing is combined, not even the earlier values of an acumulado.
        return None
    if rule.accumulation == DISCRETE or rule.polarity == MILESTONE:
        return _with_period(_value_of(rule, [readings[period]]), period)
    whole_plan = rule.window == WINDOW_PLAN
    window = _window(period, series.reading_periods, series.reading_keys, whole_plan=whole_plan)
    value = _value_of(rule, [readings[p] for p in window])
    if rule.accumulation == AVERAGE and rule.calculation == VALUE:
        value = value / len(window)
    return _with_period(value, period)


def _with_period(value: Decimal | None, period: Period) -> tuple[Decimal, Period] | None:
    return None if value is None else (value, period)


def _comparable_target(rule, period, series: Series) -> tuple[Decimal, Decimal] | None:
    """Y (and the band's top, for rango), or None when P has no target ("sin meta")."""
    goals = series.goals
    own = goals.get(period)
    if own is None:
        return None
    single_period = rule.accumulation in (DISCRETE, LEVEL) or rule.polarity == MILESTONE
    # A ratio's target is a level, never a sum: P's own target.
    if single_period or rule.calculation == RATIO:
        return own.value, own.upper
    whole_plan = rule.window == WINDOW_PLAN
    if rule.accumulation == CUMULATIVE:
        # Every period's target counts, with or without a value.
        window = _window(period, series.goal_periods, series.goal_keys, whole_plan=whole_plan)
        chosen = [goals[p] for p in window]
        count = 1
    else:  # promedio: the mean of the targets of the periods that have a value
        window = _window(period, series.reading_periods, series.reading_keys, whole_plan=whole_plan)
        chosen = [goals[p] for p in window if p in goals]
        count = len(chosen)
    lows = sum((g.value for g in chosen), ZERO)
    highs = sum((g.upper for g in chosen), ZERO)
    return lows / count, highs / count


def roll_up(
    children: Iterable[tuple[Rollable, Decimal | int]], bands: Bands = DEFAULT_BANDS
) -> NodeResult:
    """A node from ``(child, weight)`` pairs: weighted mean of the children's capped C (DOMAIN 5).

    Only children with an achievement count in the figure, each capped to [0, 100], and the
    mean is unrounded. ``with_data`` and ``total`` are summed over the children. No due
    indicator below → no_aplica; due ones but none with a figure (or weights summing to 0)
    → gris with achievement None. Always pass the plan's bands: an indicator's override
    never colours a node.
    """
    weighted = weights = ZERO
    with_data = total = 0
    for child, weight in children:
        if weight < 0:
            raise ValueError("el peso no puede ser negativo")
        with_data += child.with_data
        total += child.total
        if child.achievement is not None:
            weighted += capped(child.achievement) * weight
            weights += weight
    if total == 0:
        return NodeResult(None, NOT_DUE, 0, 0)
    if weights == 0:
        return NodeResult(None, GREY, with_data, total)
    figure = weighted / weights
    return NodeResult(figure, status_for(figure, bands), with_data, total)


def phase_targets_linearly(
    *,
    baseline: Decimal,
    baseline_year: int,
    final_target: Decimal,
    final_year: int,
    periodicity: str = ANNUAL,
    places: int | None = 2,
) -> dict[Period, Decimal]:
    """Targets on the straight line from the baseline to the final target (DOMAIN 6).

    The baseline stands at the end of ``baseline_year``; each period after it, up to the end
    of ``final_year``, gets the line's level at the period's last month, rounded half up to
    ``places`` (None: unrounded). These are levels: for an acumulado indicator the caller
    takes differences. The final period gets exactly ``final_target``.
    """
    if final_year <= baseline_year:
        raise ValueError("el año de la meta final debe ser posterior al de la línea base")
    span = (final_year - baseline_year) * 12
    targets = {}
    for period in periods_between(baseline_year + 1, final_year, periodicity):
        months = (period.year - baseline_year - 1) * 12 + period.end_month
        level = baseline + (final_target - baseline) * months / span
        targets[period] = level if places is None else round_half_up(level, places)
    return targets


def at_least_count(percent: Decimal | int, total: int) -> int:
    """How many of ``total`` an "al menos ``percent`` %" target asks for, rounded up.

    "Al menos el 50 % de 23 GADP" is 12: 11 would fall short of the promise.
    """
    share = Decimal(percent) * total / HUNDRED
    return int(share.to_integral_value(rounding=ROUND_CEILING))
