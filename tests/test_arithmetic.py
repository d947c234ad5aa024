"""The arithmetic of DOMAIN.md, as a table of hand-computed cases.

Every expected figure is worked out by hand in the comment above its case, never by calling
the code. Figures are compared as shown: rounded half up to 2 decimals.
"""

import csv
import json
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planning.periods import ANNUAL, MONTHLY, QUARTERLY, SEMESTRAL, Period
from scorecard.arithmetic import (
    DEFAULT_BANDS,
    GREY,
    NOT_DUE,
    Bands,
    Goal,
    IndicatorResult,
    IndicatorRule,
    NodeResult,
    Observation,
    achievement,
    at_least_count,
    evaluate_indicator,
    phase_targets_linearly,
    roll_up,
    round_half_up,
    status_for,
)

D = Decimal
EXAMPLE = Path(__file__).parent / "data" / "scorecard_example"


def rule(periodicity=ANNUAL, *, factor="1", baseline=None, bands=None, **settings):
    """An indicator's settings, with numbers written as text."""
    return IndicatorRule(
        periodicity=periodicity,
        factor=D(factor),
        baseline=None if baseline is None else D(baseline),
        bands=None if bands is None else Bands(D(bands[0]), D(bands[1])),
        **settings,
    )


def observation(written):
    """``"5"`` is a value, ``("9", "12")`` a numerator and denominator, None an empty row."""
    if written is None:
        return Observation()
    if isinstance(written, tuple):
        return Observation(numerator=D(written[0]), denominator=D(written[1]))
    return Observation(value=D(written))


def goal(written):
    """``"80"`` is a target, ``("40", "60")`` the band of a rango indicator."""
    if isinstance(written, tuple):
        return Goal(D(written[0]), D(written[1]))
    return Goal(D(written))


class Expect(NamedTuple):
    """What an indicator shows: figures as text, compared rounded half up to 2 decimals."""

    status: str
    period: str | None = None
    value: str | None = None
    target: str | None = None
    achievement: str | None = None
    reason: str | None = None
    value_period: str | None = None  # None: P itself whenever there is a value
    target_max: str | None = None


def case(sentence, indicator, cutoff, values, targets, expect, plan_bands=("85", "70")):
    return pytest.param(indicator, cutoff, values, targets, expect, plan_bands, id=sentence)


NA = Expect(NOT_DUE)

CASES = [
    # --- Which period is evaluated (DOMAIN 1) ----------------------------------------------
    # An annual indicator has no period ending inside 2019-T2, whatever data exists.
    case(
        "an annual indicator is not due at a mid year cut-off",
        rule(),
        "2019-T2",
        {"2019": "5"},
        {"2019": "5"},
        NA,
    ),
    # S1 ends with T2, so nothing of a semestral indicator ends inside T1.
    case(
        "a semestral indicator is not due at the first quarter",
        rule(SEMESTRAL),
        "2019-T1",
        {"2019-S1": "5"},
        {"2019-S1": "5"},
        NA,
    ),
    # P = 2019-T4; X = 8; Y = 10; C = 8 / 10 × 100 = 80 → amarillo.
    case(
        "a quarterly indicator is evaluated at the fourth quarter of a year cut-off",
        rule(QUARTERLY),
        "2019",
        {"2019-T3": "10", "2019-T4": "8"},
        {"2019-T3": "10", "2019-T4": "10"},
        Expect("amarillo", "2019-T4", "8", "10", "80"),
    ),
    # P = 2019-S1; C = 9 / 10 × 100 = 90 → verde.
    case(
        "a semestral indicator is evaluated at its first semester at the second quarter",
        rule(SEMESTRAL),
        "2019-T2",
        {"2019-S1": "9"},
        {"2019-S1": "10"},
        Expect("verde", "2019-S1", "9", "10", "90"),
    ),
    # P = 2019-06; C = 5 / 5 × 100 = 100.
    case(
        "a monthly indicator is evaluated at june at the second quarter",
        rule(MONTHLY),
        "2019-T2",
        {"2019-05": "1", "2019-06": "5"},
        {"2019-05": "5", "2019-06": "5"},
        Expect("verde", "2019-06", "5", "5", "100"),
    ),
    # P = 2019-T4 has no value; the annual "2019" row is not one of the indicator's periods.
    case(
        "a quarterly indicator ignores a value of another periodicity",
        rule(QUARTERLY),
        "2019",
        {"2019": "10"},
        {"2019-T4": "10"},
        Expect(GREY, "2019-T4", reason="sin_dato"),
    ),
    # --- The worked checks of DOMAIN.md ----------------------------------------------------
    # X = 18 / 25 × 100 = 72; C = 72 / 80 × 100 = 90 → verde.
    case(
        "agreements used 18 of 25 against 80 percent achieve 90 and are green",
        rule(calculation="razon", factor="100"),
        "2019",
        {"2019": ("18", "25")},
        {"2019": "80"},
        Expect("verde", "2019", "72", "80", "90"),
    ),
    # X = 1700 / 21 = 80.952380…; C = 80.952380… / 90 × 100 = 89.947089… → 89.95 → verde.
    # (Rounding X first would give 80.95 / 90 × 100 = 89.944… → 89.94.)
    case(
        "positive evaluations 17 of 21 against 90 percent achieve 89.95 as x is not rounded first",
        rule(calculation="razon", factor="100"),
        "2019",
        {"2019": ("17", "21")},
        {"2019": "90"},
        Expect("verde", "2019", "80.95", "90", "89.95"),
    ),
    # C = (2 − 14 / 10) × 100 = 60 → rojo.
    case(
        "response days of 14 against a target of 10 achieve 60 and are red",
        rule(polarity="decreciente"),
        "2019",
        {"2019": "14"},
        {"2019": "10"},
        Expect("rojo", "2019", "14", "10", "60"),
    ),
    # --- Discreto, creciente ---------------------------------------------------------------
    # C = 5 / 4 × 100 = 125, not capped on the indicator.
    case(
        "an indicator above its target keeps its uncapped achievement",
        rule(),
        "2018",
        {"2018": "5"},
        {"2018": "4"},
        Expect("verde", "2018", "5", "4", "125"),
    ),
    # Only P = T4 counts: X = 7; C = 7 / 10 × 100 = 70 → amarillo (70 is inside the band).
    case(
        "a discrete indicator compares only its own period and seventy is yellow",
        rule(QUARTERLY),
        "2019",
        {"2019-T1": "100", "2019-T2": "50", "2019-T3": "50", "2019-T4": "7"},
        {"2019-T1": "10", "2019-T2": "10", "2019-T3": "10", "2019-T4": "10"},
        Expect("amarillo", "2019-T4", "7", "10", "70"),
    ),
    # C = 17 / 20 × 100 = 85 → verde (85 is inside the band).
    case(
        "an achievement of exactly 85 is green",
        rule(),
        "2019",
        {"2019": "17"},
        {"2019": "20"},
        Expect("verde", "2019", "17", "20", "85"),
    ),
    # C = 84.994 / 100 × 100 = 84.994 → shown 84.99 → amarillo.
    case(
        "an achievement shown as 84.99 is yellow",
        rule(),
        "2019",
        {"2019": "84.994"},
        {"2019": "100"},
        Expect("amarillo", "2019", "84.99", "100", "84.99"),
    ),
    # C = 84.995 → rounded half up 85.00 → verde: the colour follows the figure shown.
    case(
        "an achievement of 84.995 rounds half up to 85 and is green",
        rule(),
        "2019",
        {"2019": "84.995"},
        {"2019": "100"},
        Expect("verde", "2019", "85.00", "100", "85.00"),
    ),
    # C = 69.995 → 70.00 → amarillo.
    case(
        "an achievement of 69.995 rounds half up to 70 and is yellow",
        rule(),
        "2019",
        {"2019": "69.995"},
        {"2019": "100"},
        Expect("amarillo", "2019", "70.00", "100", "70.00"),
    ),
    # C = 69.994 → 69.99 → rojo.
    case(
        "an achievement of 69.994 rounds down to 69.99 and is red",
        rule(),
        "2019",
        {"2019": "69.994"},
        {"2019": "100"},
        Expect("rojo", "2019", "69.99", "100", "69.99"),
    ),
    # C = 0 / 10 × 100 = 0 → rojo, a real 0 (not gris).
    case(
        "a reported zero against a positive target is red not grey",
        rule(),
        "2019",
        {"2019": "0"},
        {"2019": "10"},
        Expect("rojo", "2019", "0", "10", "0"),
    ),
    # Y = 0, creciente, X = 0 ≥ 0 → 100.
    case(
        "a higher is better indicator with a zero target and zero value achieves 100",
        rule(),
        "2019",
        {"2019": "0"},
        {"2019": "0"},
        Expect("verde", "2019", "0", "0", "100"),
    ),
    # Y = 0, creciente, X = 5 ≥ 0 → 100.
    case(
        "a higher is better indicator with a zero target and a positive value achieves 100",
        rule(),
        "2019",
        {"2019": "5"},
        {"2019": "0"},
        Expect("verde", "2019", "5", "0", "100"),
    ),
    # Y = 0, creciente, X = −1 < 0 → 0.
    case(
        "a higher is better indicator with a zero target and a negative value achieves 0",
        rule(),
        "2019",
        {"2019": "-1"},
        {"2019": "0"},
        Expect("rojo", "2019", "-1", "0", "0"),
    ),
    # The factor only scales ratios: C = 5 / 4 × 100 = 125.
    case(
        "a plain value indicator ignores the factor",
        rule(factor="100"),
        "2019",
        {"2019": "5"},
        {"2019": "4"},
        Expect("verde", "2019", "5", "4", "125"),
    ),
    # --- Decreciente -----------------------------------------------------------------------
    # C = (2 − 8 / 10) × 100 = 120.
    case(
        "a lower is better indicator below its target is green above 100",
        rule(polarity="decreciente"),
        "2019",
        {"2019": "8"},
        {"2019": "10"},
        Expect("verde", "2019", "8", "10", "120"),
    ),
    # C = (2 − 15 / 15) × 100 = 100.
    case(
        "a lower is better indicator on its target achieves 100",
        rule(polarity="decreciente"),
        "2019",
        {"2019": "15"},
        {"2019": "15"},
        Expect("verde", "2019", "15", "15", "100"),
    ),
    # C = (2 − 11 / 10) × 100 = 90.
    case(
        "a lower is better indicator slightly above its target is still green",
        rule(polarity="decreciente"),
        "2019",
        {"2019": "11"},
        {"2019": "10"},
        Expect("verde", "2019", "11", "10", "90"),
    ),
    # C = (2 − 25 / 10) × 100 = −50: kept raw, rojo.
    case(
        "a lower is better indicator far above its target keeps a negative figure",
        rule(polarity="decreciente"),
        "2019",
        {"2019": "25"},
        {"2019": "10"},
        Expect("rojo", "2019", "25", "10", "-50"),
    ),
    # Y = 0, decreciente, X = 0 ≤ 0 → 100.
    case(
        "a lower is better indicator with a zero target met achieves 100",
        rule(polarity="decreciente"),
        "2019",
        {"2019": "0"},
        {"2019": "0"},
        Expect("verde", "2019", "0", "0", "100"),
    ),
    # Y = 0, decreciente, X = 3 > 0 → 0.
    case(
        "a lower is better indicator with a zero target missed achieves 0",
        rule(polarity="decreciente"),
        "2019",
        {"2019": "3"},
        {"2019": "0"},
        Expect("rojo", "2019", "3", "0", "0"),
    ),
    # Y = 0, decreciente, X = −2 ≤ 0 → 100.
    case(
        "a lower is better indicator with a zero target and a negative value achieves 100",
        rule(polarity="decreciente"),
        "2019",
        {"2019": "-2"},
        {"2019": "0"},
        Expect("verde", "2019", "-2", "0", "100"),
    ),
    # --- Against the baseline (brecha) -----------------------------------------------------
    # C = (70 − 60) / (80 − 60) × 100 = 10 / 20 × 100 = 50.
    case(
        "a gap indicator halfway from baseline to target achieves 50",
        rule(reference="brecha", baseline="60"),
        "2019",
        {"2019": "70"},
        {"2019": "80"},
        Expect("rojo", "2019", "70", "80", "50"),
    ),
    # C = (90 − 60) / (80 − 60) × 100 = 30 / 20 × 100 = 150.
    case(
        "a gap indicator beyond its target exceeds 100",
        rule(reference="brecha", baseline="60"),
        "2019",
        {"2019": "90"},
        {"2019": "80"},
        Expect("verde", "2019", "90", "80", "150"),
    ),
    # C = (50 − 60) / (80 − 60) × 100 = −10 / 20 × 100 = −50.
    case(
        "a gap indicator that fell below its baseline is negative",
        rule(reference="brecha", baseline="60"),
        "2019",
        {"2019": "50"},
        {"2019": "80"},
        Expect("rojo", "2019", "50", "80", "-50"),
    ),
    # C = (20 − 14) / (20 − 10) × 100 = 6 / 10 × 100 = 60.
    case(
        "a lower is better gap indicator closing six tenths of the gap achieves 60",
        rule(polarity="decreciente", reference="brecha", baseline="20"),
        "2019",
        {"2019": "14"},
        {"2019": "10"},
        Expect("rojo", "2019", "14", "10", "60"),
    ),
    # C = (20 − 10) / (20 − 10) × 100 = 100.
    case(
        "a lower is better gap indicator on its target achieves 100",
        rule(polarity="decreciente", reference="brecha", baseline="20"),
        "2019",
        {"2019": "10"},
        {"2019": "10"},
        Expect("verde", "2019", "10", "10", "100"),
    ),
    # C = (20 − 25) / (20 − 10) × 100 = −5 / 10 × 100 = −50.
    case(
        "a lower is better gap indicator worse than its baseline is negative",
        rule(polarity="decreciente", reference="brecha", baseline="20"),
        "2019",
        {"2019": "25"},
        {"2019": "10"},
        Expect("rojo", "2019", "25", "10", "-50"),
    ),
    # Y = LB: no gap; X − LB = 0 ≥ 0 → 100 (the Y = 0 rule on X − LB).
    case(
        "a gap indicator whose target keeps the baseline achieves 100 when held",
        rule(reference="brecha", baseline="50"),
        "2019",
        {"2019": "50"},
        {"2019": "50"},
        Expect("verde", "2019", "50", "50", "100"),
    ),
    # Y = LB; X − LB = −10 < 0 → 0.
    case(
        "a gap indicator whose target keeps the baseline achieves 0 when it drops",
        rule(reference="brecha", baseline="50"),
        "2019",
        {"2019": "40"},
        {"2019": "50"},
        Expect("rojo", "2019", "40", "50", "0"),
    ),
    # Y = LB, decreciente; X − LB = −5 ≤ 0 → 100.
    case(
        "a lower is better gap indicator whose target keeps the baseline achieves 100 below it",
        rule(polarity="decreciente", reference="brecha", baseline="50"),
        "2019",
        {"2019": "45"},
        {"2019": "50"},
        Expect("verde", "2019", "45", "50", "100"),
    ),
    # No LB: X and Y shown, C cannot be computed → gris "sin_linea_base".
    case(
        "a gap indicator without a baseline is grey and says so",
        rule(reference="brecha"),
        "2019",
        {"2019": "70"},
        {"2019": "80"},
        Expect(GREY, "2019", "70", "80", None, "sin_linea_base"),
    ),
    # --- Hito ------------------------------------------------------------------------------
    # Achieved → 100.
    case(
        "an achieved milestone achieves 100",
        rule(polarity="hito"),
        "2019",
        {"2019": "1"},
        {"2019": "1"},
        Expect("verde", "2019", "1", "1", "100"),
    ),
    # Not yet → 0.
    case(
        "a milestone not yet achieved achieves 0",
        rule(polarity="hito"),
        "2019",
        {"2019": "0"},
        {"2019": "1"},
        Expect("rojo", "2019", "0", "1", "0"),
    ),
    # A milestone is read at P alone: X = 1 (not 1 + 1), Y = 1 (not 1 + 1) → 100.
    case(
        "a milestone compares its own period even when set as cumulative",
        rule(QUARTERLY, polarity="hito", accumulation="acumulado"),
        "2019-T2",
        {"2019-T1": "1", "2019-T2": "1"},
        {"2019-T1": "1", "2019-T2": "1"},
        Expect("verde", "2019-T2", "1", "1", "100"),
    ),
    # --- Rango -----------------------------------------------------------------------------
    # 40 ≤ 50 ≤ 60 → 100.
    case(
        "a range indicator inside its band achieves 100",
        rule(polarity="rango"),
        "2019",
        {"2019": "50"},
        {"2019": ("40", "60")},
        Expect("verde", "2019", "50", "40", "100", target_max="60"),
    ),
    # X = m = 40 → inside → 100.
    case(
        "a range indicator on its lower bound achieves 100",
        rule(polarity="rango"),
        "2019",
        {"2019": "40"},
        {"2019": ("40", "60")},
        Expect("verde", "2019", "40", "40", "100", target_max="60"),
    ),
    # X = M = 60 → inside → 100.
    case(
        "a range indicator on its upper bound achieves 100",
        rule(polarity="rango"),
        "2019",
        {"2019": "60"},
        {"2019": ("40", "60")},
        Expect("verde", "2019", "60", "40", "100", target_max="60"),
    ),
    # Below: C = 30 / 40 × 100 = 75.
    case(
        "a range indicator below its band is measured against the lower bound",
        rule(polarity="rango"),
        "2019",
        {"2019": "30"},
        {"2019": ("40", "60")},
        Expect("amarillo", "2019", "30", "40", "75", target_max="60"),
    ),
    # Above: C = (2 − 66 / 60) × 100 = (2 − 1.1) × 100 = 90.
    case(
        "a range indicator above its band is measured against the upper bound",
        rule(polarity="rango"),
        "2019",
        {"2019": "66"},
        {"2019": ("40", "60")},
        Expect("verde", "2019", "66", "40", "90", target_max="60"),
    ),
    # Above: C = (2 − 150 / 60) × 100 = (2 − 2.5) × 100 = −50.
    case(
        "a range indicator far above its band is negative",
        rule(polarity="rango"),
        "2019",
        {"2019": "150"},
        {"2019": ("40", "60")},
        Expect("rojo", "2019", "150", "40", "-50", target_max="60"),
    ),
    # No meta_max: the band is the point 50; C = (2 − 55 / 50) × 100 = 90.
    case(
        "a range indicator without an upper bound has a band of one point",
        rule(polarity="rango"),
        "2019",
        {"2019": "55"},
        {"2019": "50"},
        Expect("verde", "2019", "55", "50", "90", target_max="50"),
    ),
    # Below a lower bound of 0: the Y = 0 rule, X = −1 < 0 → 0.
    case(
        "a range indicator below a lower bound of zero achieves 0",
        rule(polarity="rango"),
        "2019",
        {"2019": "-1"},
        {"2019": ("0", "5")},
        Expect("rojo", "2019", "-1", "0", "0", target_max="5"),
    ),
    # --- Acumulado -------------------------------------------------------------------------
    # Indicator 11.1: X = 1 + 2 = 3; Y = 2 + 2 = 4; C = 3 / 4 × 100 = 75.
    case(
        "a cumulative indicator compares the sum of values with the sum of targets",
        rule(SEMESTRAL, accumulation="acumulado"),
        "2018",
        {"2018-S1": "1", "2018-S2": "2"},
        {"2018-S1": "2", "2018-S2": "2"},
        Expect("amarillo", "2018-S2", "3", "4", "75"),
    ),
    # Window anual: 2018-T4 is left out. X = 3 + 2 = 5; Y = 2 + 3 = 5; C = 100.
    case(
        "a cumulative indicator restarts its sums each year",
        rule(QUARTERLY, accumulation="acumulado"),
        "2019-T2",
        {"2018-T4": "10", "2019-T1": "3", "2019-T2": "2"},
        {"2018-T4": "1", "2019-T1": "2", "2019-T2": "3"},
        Expect("verde", "2019-T2", "5", "5", "100"),
    ),
    # T1 has no value: X = 4 + 3 = 7; its target still counts: Y = 2 + 2 + 2 = 6;
    # C = 7 / 6 × 100 = 116.666… → 116.67.
    case(
        "a cumulative indicator counts the target of a period without a value",
        rule(QUARTERLY, accumulation="acumulado"),
        "2019-T3",
        {"2019-T2": "4", "2019-T3": "3"},
        {"2019-T1": "2", "2019-T2": "2", "2019-T3": "2"},
        Expect("verde", "2019-T3", "7", "6", "116.67"),
    ),
    # P = T2 has no value: nothing is combined, even though T1 has one.
    case(
        "a cumulative indicator without a value at its period is grey",
        rule(QUARTERLY, accumulation="acumulado"),
        "2019-T2",
        {"2019-T1": "5"},
        {"2019-T1": "5", "2019-T2": "5"},
        Expect(GREY, "2019-T2", reason="sin_dato"),
    ),
    # Indicator 13.1, window plan: X = 2 + 3 = 5; Y = 3 + 3 = 6; C = 5 / 6 × 100 = 83.33.
    case(
        "a cumulative indicator over the plan sums across years",
        rule(accumulation="acumulado", window="plan"),
        "2018",
        {"2017": "2", "2018": "3"},
        {"2017": "3", "2018": "3"},
        Expect("amarillo", "2018", "5", "6", "83.33"),
    ),
    # Same, with 2019 given: periods after P do not count. X = 5; Y = 6; C = 83.33.
    case(
        "a cumulative indicator over the plan ignores periods after the cut-off",
        rule(accumulation="acumulado", window="plan"),
        "2018",
        {"2017": "2", "2018": "3", "2019": "10"},
        {"2017": "3", "2018": "3", "2019": "3"},
        Expect("amarillo", "2018", "5", "6", "83.33"),
    ),
    # X = (1 + 9) / (4 + 16) × 100 = 50 (an average of percentages would be
    # (25 + 56.25) / 2 = 40.625); Y = P's own 50, not 40 + 50; C = 100.
    case(
        "a cumulative ratio is a ratio of sums against its own period's target",
        rule(QUARTERLY, accumulation="acumulado", calculation="razon", factor="100"),
        "2019-T2",
        {"2019-T1": ("1", "4"), "2019-T2": ("9", "16")},
        {"2019-T1": "40", "2019-T2": "50"},
        Expect("verde", "2019-T2", "50", "50", "100"),
    ),
    # P = T2 has a value but no target: X = 2 + 3 = 5 shown; Y and C none.
    case(
        "a cumulative indicator without a target at its period shows its sum and is grey",
        rule(QUARTERLY, accumulation="acumulado"),
        "2019-T2",
        {"2019-T1": "2", "2019-T2": "3"},
        {"2019-T1": "2"},
        Expect(GREY, "2019-T2", "5", None, None, "sin_meta"),
    ),
    # Decreciente: X = 4 + 5 = 9; Y = 5 + 5 = 10; C = (2 − 9 / 10) × 100 = 110.
    case(
        "a cumulative lower is better indicator compares sums too",
        rule(QUARTERLY, polarity="decreciente", accumulation="acumulado"),
        "2019-T2",
        {"2019-T1": "4", "2019-T2": "5"},
        {"2019-T1": "5", "2019-T2": "5"},
        Expect("verde", "2019-T2", "9", "10", "110"),
    ),
    # --- Promedio --------------------------------------------------------------------------
    # X = (10 + 30) / 2 = 20; Y = mean of the targets of T1 and T3, which have values:
    # (20 + 20) / 2 = 20 (T2's 100 is left out); C = 100.
    case(
        "an average indicator compares the mean of values with the targets of valued periods",
        rule(QUARTERLY, accumulation="promedio"),
        "2019-T3",
        {"2019-T1": "10", "2019-T3": "30"},
        {"2019-T1": "20", "2019-T2": "100", "2019-T3": "20"},
        Expect("verde", "2019-T3", "20", "20", "100"),
    ),
    # X = (6 + 9) / 2 = 7.5; Y = (10 + 10) / 2 = 10; C = 75.
    case(
        "an average indicator takes the mean of its values so far",
        rule(QUARTERLY, accumulation="promedio"),
        "2019-T2",
        {"2019-T1": "6", "2019-T2": "9"},
        {"2019-T1": "10", "2019-T2": "10"},
        Expect("amarillo", "2019-T2", "7.5", "10", "75"),
    ),
    # X = (3 + 7) / (10 + 10) × 100 = 50; Y = P's own 60; C = 50 / 60 × 100 = 83.33.
    case(
        "an average ratio is a ratio of sums against its own period's target",
        rule(QUARTERLY, accumulation="promedio", calculation="razon", factor="100"),
        "2019-T2",
        {"2019-T1": ("3", "10"), "2019-T2": ("7", "10")},
        {"2019-T1": "10", "2019-T2": "60"},
        Expect("amarillo", "2019-T2", "50", "60", "83.33"),
    ),
    # Window anual: 2018-T4 left out. X = 8; Y = 10; C = 80.
    case(
        "an average indicator restarts each year",
        rule(QUARTERLY, accumulation="promedio"),
        "2019-T1",
        {"2018-T4": "100", "2019-T1": "8"},
        {"2018-T4": "10", "2019-T1": "10"},
        Expect("amarillo", "2019-T1", "8", "10", "80"),
    ),
    # Window plan: X = (4 + 8) / 2 = 6; Y = (5 + 10) / 2 = 7.5; C = 6 / 7.5 × 100 = 80.
    case(
        "an average indicator over the plan averages across years",
        rule(accumulation="promedio", window="plan"),
        "2018",
        {"2017": "4", "2018": "8"},
        {"2017": "5", "2018": "10"},
        Expect("amarillo", "2018", "6", "7.5", "80"),
    ),
    # --- Nivel -----------------------------------------------------------------------------
    # Indicator 12.2: 2017's 6 carried to 2018; Y = 10; C = 60; shown as "último dato: 2017".
    case(
        "a stock indicator carries its last value forward across years",
        rule(accumulation="nivel"),
        "2018",
        {"2017": "6"},
        {"2018": "10"},
        Expect("rojo", "2018", "6", "10", "60", value_period="2017"),
    ),
    # X = the latest, 7 (not 5 + 7); Y = 10; C = 70.
    case(
        "a stock indicator takes its latest value not the sum",
        rule(QUARTERLY, accumulation="nivel"),
        "2019-T2",
        {"2019-T1": "5", "2019-T2": "7"},
        {"2019-T1": "10", "2019-T2": "10"},
        Expect("amarillo", "2019-T2", "7", "10", "70"),
    ),
    # Indicator 13.3: never reported → gris, X and Y none.
    case(
        "a stock indicator never reported is grey",
        rule(accumulation="nivel"),
        "2018",
        {},
        {"2018": "2"},
        Expect(GREY, "2018", reason="sin_dato"),
    ),
    # 2019's 50 is after P: X = 2017's 6; C = 6 / 10 × 100 = 60.
    case(
        "a stock indicator ignores values after the cut-off",
        rule(accumulation="nivel"),
        "2018",
        {"2017": "6", "2019": "50"},
        {"2018": "10"},
        Expect("rojo", "2018", "6", "10", "60", value_period="2017"),
    ),
    # X = 9 at P itself; C = 9 / 10 × 100 = 90.
    case(
        "a stock indicator with a value at its period uses it",
        rule(accumulation="nivel"),
        "2018",
        {"2017": "6", "2018": "9"},
        {"2018": "10"},
        Expect("verde", "2018", "9", "10", "90"),
    ),
    # Indicator 14.1: X = 14 / 20 × 100 = 70; C = (70 − 60) / (80 − 60) × 100 = 50.
    case(
        "a stock ratio against its baseline achieves the share of the gap closed",
        rule(
            accumulation="nivel",
            calculation="razon",
            factor="100",
            reference="brecha",
            baseline="60",
        ),
        "2018",
        {"2018": ("14", "20")},
        {"2018": "80"},
        Expect("rojo", "2018", "70", "80", "50"),
    ),
    # A carried value but no target at P: X = 6 shown with its period, gris "sin_meta".
    case(
        "a stock indicator without a target shows its carried value and is grey",
        rule(accumulation="nivel"),
        "2018",
        {"2017": "6"},
        {"2017": "5"},
        Expect(GREY, "2018", "6", None, None, "sin_meta", "2017"),
    ),
    # --- Grey: due but no achievement ------------------------------------------------------
    # P has a target but no value: X and Y both none.
    case(
        "a due indicator without a value is grey and shows no target",
        rule(),
        "2019",
        {"2018": "5"},
        {"2019": "10"},
        Expect(GREY, "2019", reason="sin_dato"),
    ),
    # P has a value but no target: X = 8 shown.
    case(
        "a due indicator without a target is grey and shows its value",
        rule(),
        "2019",
        {"2019": "8"},
        {"2018": "10"},
        Expect(GREY, "2019", "8", None, None, "sin_meta"),
    ),
    # Denominator 0 is no value.
    case(
        "a ratio with a zero denominator has no value",
        rule(calculation="razon", factor="100"),
        "2019",
        {"2019": ("0", "0")},
        {"2019": "80"},
        Expect(GREY, "2019", reason="sin_dato"),
    ),
    # A ratio needs both of its terms.
    case(
        "a ratio without a denominator has no value",
        rule(calculation="razon", factor="100"),
        "2019",
        {"2019": None},
        {"2019": "80"},
        Expect(GREY, "2019", reason="sin_dato"),
    ),
    # A ratio row gives numerator and denominator; a lone value cannot be combined.
    case(
        "a ratio indicator ignores a plain value",
        rule(calculation="razon", factor="100"),
        "2019",
        {"2019": "75"},
        {"2019": "80"},
        Expect(GREY, "2019", reason="sin_dato"),
    ),
    # --- Bands -----------------------------------------------------------------------------
    # C = 85 / 100 × 100 = 85 < 90 (override) → amarillo, though verde at 85/70.
    case(
        "an indicator's own bands colour it",
        rule(bands=("90", "80")),
        "2019",
        {"2019": "85"},
        {"2019": "100"},
        Expect("amarillo", "2019", "85", "100", "85"),
    ),
    # C = 90 < 95 (plan) → amarillo.
    case(
        "the plan's bands colour an indicator without its own",
        rule(),
        "2019",
        {"2019": "90"},
        {"2019": "100"},
        Expect("amarillo", "2019", "90", "100", "90"),
        plan_bands=("95", "60"),
    ),
    # C = 82 ≥ 80 (override) → verde, though amarillo at the plan's 95/60.
    case(
        "an indicator's own bands win over the plan's",
        rule(bands=("80", "50")),
        "2019",
        {"2019": "82"},
        {"2019": "100"},
        Expect("verde", "2019", "82", "100", "82"),
        plan_bands=("95", "60"),
    ),
]


def _shown(number):
    if number is None:
        return None
    return round_half_up(D(number))


def _as_shown(result: IndicatorResult) -> Expect:
    return Expect(
        status=result.status,
        period=result.period and result.period.code,
        value=_shown(result.value),
        target=_shown(result.target),
        achievement=_shown(result.achievement),
        reason=result.reason,
        value_period=result.value_period and result.value_period.code,
        target_max=_shown(result.target_max),
    )


def _wanted(expect: Expect) -> Expect:
    value_period = expect.value_period
    if value_period is None and expect.value is not None:
        value_period = expect.period
    return expect._replace(
        value=_shown(expect.value),
        target=_shown(expect.target),
        achievement=_shown(expect.achievement),
        value_period=value_period,
        target_max=_shown(expect.target_max),
    )


@pytest.mark.parametrize(("indicator", "cutoff", "values", "targets", "expect", "bands"), CASES)
def test_indicator_follows_the_rules_of_domain(indicator, cutoff, values, targets, expect, bands):
    result = evaluate_indicator(
        indicator,
        Period.parse(cutoff),
        {Period.parse(p): observation(v) for p, v in values.items()},
        {Period.parse(p): goal(t) for p, t in targets.items()},
        Bands(D(bands[0]), D(bands[1])),
    )
    assert _as_shown(result) == _wanted(expect)


def test_the_table_holds_at_least_45_hand_computed_cases():
    assert len(CASES) >= 45


def test_achievement_is_kept_unrounded():
    # 17 / 21 × 100 / 90 × 100 = 89.947089…: the raw figure keeps its decimals.
    result = evaluate_indicator(
        rule(calculation="razon", factor="100"),
        "2019",
        {"2019": Observation(numerator=D(17), denominator=D(21))},
        {"2019": Goal(D(90))},
    )
    assert D("89.9470") < result.achievement < D("89.9471")


def test_periods_may_be_given_as_codes():
    # C = 9 / 10 × 100 = 90.
    result = evaluate_indicator(rule(), "2019", {"2019": observation("9")}, {"2019": goal("10")})
    assert (result.status, result.achievement) == ("verde", D(90))


def test_unknown_settings_are_refused():
    with pytest.raises(ValueError):
        rule(polarity="ascendente")
    with pytest.raises(ValueError):
        rule("semanal")
    with pytest.raises(ValueError):
        Bands(green=D(70), yellow=D(85))


# --- Colour ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("figure", "bands", "colour"),
    [
        pytest.param(None, ("85", "70"), "gris", id="no achievement is grey never zero"),
        pytest.param("100", ("85", "70"), "verde", id="100 is green"),
        pytest.param("250", ("85", "70"), "verde", id="far above 100 is green"),
        pytest.param("85", ("85", "70"), "verde", id="85 is green"),
        pytest.param("84.995", ("85", "70"), "verde", id="84.995 is shown as 85 and is green"),
        pytest.param("84.994", ("85", "70"), "amarillo", id="84.994 is yellow"),
        pytest.param("70", ("85", "70"), "amarillo", id="70 is yellow"),
        pytest.param("69.995", ("85", "70"), "amarillo", id="69.995 is shown as 70 and yellow"),
        pytest.param("69.994", ("85", "70"), "rojo", id="69.994 is red"),
        pytest.param("0", ("85", "70"), "rojo", id="zero is red"),
        pytest.param("-20", ("85", "70"), "rojo", id="a negative figure is red"),
        pytest.param("-20", ("85", "0"), "amarillo", id="a negative figure counts as zero"),
        pytest.param("85", ("90", "80"), "amarillo", id="other bands move the colour"),
    ],
)
def test_status_follows_the_bands_on_the_figure_shown(figure, bands, colour):
    achieved = None if figure is None else D(figure)
    assert status_for(achieved, Bands(D(bands[0]), D(bands[1]))) == colour


@pytest.mark.parametrize(
    ("number", "places", "shown"),
    [
        pytest.param("2.345", 2, "2.35", id="a half rounds up"),
        pytest.param("2.344", 2, "2.34", id="below a half rounds down"),
        pytest.param("0.125", 2, "0.13", id="a half rounds up not to even"),
        pytest.param("-2.345", 2, "-2.35", id="a negative half rounds away from zero"),
        pytest.param("89.947089", 2, "89.95", id="the evaluations check"),
        pytest.param("7", 2, "7.00", id="an integer gets two decimals"),
        pytest.param("2.5", 0, "3", id="to units"),
        pytest.param("0.25", 1, "0.3", id="to one decimal"),
    ],
)
def test_round_half_up(number, places, shown):
    assert str(round_half_up(D(number), places)) == shown


def test_round_half_up_of_nothing_is_nothing():
    assert round_half_up(None) is None


# --- Roll-up --------------------------------------------------------------------------------


def indicator(figure=None, status=None):
    """An indicator result as a roll-up sees it: due with a figure, gris, or no_aplica."""
    if status is not None:
        return IndicatorResult(status)
    achieved = D(figure)
    return IndicatorResult(status_for(achieved), achievement=achieved)


def node(figure, with_data, total, status="verde"):
    return NodeResult(None if figure is None else D(figure), status, with_data, total)


@pytest.mark.parametrize(
    ("children", "figure", "colour", "with_data", "total"),
    [
        # OE1: (75 + min(125, 100)) / 2 = 87.5.
        pytest.param(
            [(indicator("75"), 1), (indicator("125"), 1)],
            "87.5",
            "verde",
            2,
            2,
            id="an objective averages its indicators capped at 100",
        ),
        # (60 × 3 + 100 × 1) / (3 + 1) = 280 / 4 = 70.
        pytest.param(
            [(indicator("60"), 3), (indicator("100"), 1)],
            "70",
            "amarillo",
            2,
            2,
            id="an objective weighs its indicators",
        ),
        # (max(−50, 0) + 100) / 2 = 50.
        pytest.param(
            [(indicator("-50"), 1), (indicator("100"), 1)],
            "50",
            "rojo",
            2,
            2,
            id="a negative indicator counts as zero",
        ),
        # The gris one counts in total only: 80 / 1 = 80, 1 of 2 with data.
        pytest.param(
            [(indicator(status=GREY), 1), (indicator("80"), 1)],
            "80",
            "amarillo",
            1,
            2,
            id="a grey indicator counts in coverage but not in the figure",
        ),
        pytest.param(
            [(indicator(status=GREY), 1), (indicator(status=GREY), 1)],
            None,
            "gris",
            0,
            2,
            id="an objective whose due indicators all lack data is grey",
        ),
        pytest.param(
            [(indicator(status=NOT_DUE), 1), (indicator(status=NOT_DUE), 1)],
            None,
            "no_aplica",
            0,
            0,
            id="an objective without due indicators does not apply",
        ),
        pytest.param([], None, "no_aplica", 0, 0, id="an empty node does not apply"),
        # Only the due one: 90 / 1 = 90, 1 of 1.
        pytest.param(
            [(indicator(status=NOT_DUE), 1), (indicator("90"), 1)],
            "90",
            "verde",
            1,
            1,
            id="an indicator that is not due is left out entirely",
        ),
        # GADP: (87.5 + 70) / 2 = 78.75; 2 + 2 of 2 + 3.
        pytest.param(
            [(node("87.5", 2, 2), 1), (node("70", 2, 3), 1)],
            "78.75",
            "amarillo",
            4,
            5,
            id="a perspective averages its objectives and sums their coverage",
        ),
        # INST at 2018-T3: nothing due below.
        pytest.param(
            [(node(None, 0, 0, "no_aplica"), 1), (node("100", 1, 1), 1)],
            "100",
            "verde",
            1,
            1,
            id="a node leaves out children that do not apply",
        ),
        # OE3: (250 / 3 + 100) / 2 = 91.666… → 91.67 from the unrounded 83.333….
        pytest.param(
            [(indicator(D(250) / 3), 1), (indicator("100"), 1)],
            "91.67",
            "verde",
            2,
            2,
            id="a node averages unrounded figures",
        ),
        # Weight 0: counted in coverage, not in the figure: 90 × 1 / 1 = 90.
        pytest.param(
            [(indicator("50"), 0), (indicator("90"), 1)],
            "90",
            "verde",
            2,
            2,
            id="a child of weight zero counts in coverage only",
        ),
    ],
)
def test_roll_up(children, figure, colour, with_data, total):
    result = roll_up(children, DEFAULT_BANDS)
    assert (_shown(result.achievement), result.status) == (_shown(figure), colour)
    assert (result.with_data, result.total) == (with_data, total)


def test_roll_up_uses_the_plan_bands_not_an_indicators_own():
    # C = 85 / 100 × 100 = 85: amarillo with its own 90/80, verde in its objective at 85/70.
    result = evaluate_indicator(
        rule(bands=("90", "80")), "2019", {"2019": observation("85")}, {"2019": goal("100")}
    )
    assert result.status == "amarillo"
    assert roll_up([(result, 1)], DEFAULT_BANDS).status == "verde"


def test_roll_up_refuses_a_negative_weight():
    with pytest.raises(ValueError):
        roll_up([(indicator("80"), -1)])


# --- Phasing and counts ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("baseline", "final", "periodicity", "expected"),
    [
        # 20 → 60 over 5 years: 8 a year.
        pytest.param(
            ("20", 2016),
            ("60", 2021),
            ANNUAL,
            {"2017": "28", "2018": "36", "2019": "44", "2020": "52", "2021": "60"},
            id="a final target is phased in equal yearly steps",
        ),
        # 0 → 100 over 3 years: 33.333…, 66.666…, 100.
        pytest.param(
            ("0", 2017),
            ("100", 2020),
            ANNUAL,
            {"2018": "33.33", "2019": "66.67", "2020": "100.00"},
            id="phased targets are rounded half up",
        ),
        # 10 → 4 over 2 years: −3 a year.
        pytest.param(
            ("10", 2018),
            ("4", 2020),
            ANNUAL,
            {"2019": "7", "2020": "4"},
            id="a falling target is phased downwards",
        ),
        # 0 → 10 over one year: 5 at the end of June.
        pytest.param(
            ("0", 2020),
            ("10", 2021),
            SEMESTRAL,
            {"2021-S1": "5", "2021-S2": "10"},
            id="a semestral target is phased by semester",
        ),
        # 0 → 8 over one year: 2 a quarter.
        pytest.param(
            ("0", 2019),
            ("8", 2020),
            QUARTERLY,
            {"2020-T1": "2", "2020-T2": "4", "2020-T3": "6", "2020-T4": "8"},
            id="a quarterly target is phased by quarter",
        ),
    ],
)
def test_phase_targets_linearly(baseline, final, periodicity, expected):
    targets = phase_targets_linearly(
        baseline=D(baseline[0]),
        baseline_year=baseline[1],
        final_target=D(final[0]),
        final_year=final[1],
        periodicity=periodicity,
    )
    assert {p.code: t for p, t in targets.items()} == {p: D(t) for p, t in expected.items()}


def test_phasing_needs_a_final_year_after_the_baseline():
    with pytest.raises(ValueError):
        phase_targets_linearly(
            baseline=D(1), baseline_year=2020, final_target=D(2), final_year=2020
        )


@pytest.mark.parametrize(
    ("percent", "total", "count"),
    [
        pytest.param("50", 23, 12, id="half of 23 provinces is 12"),
        pytest.param("100", 23, 23, id="all of 23 is 23"),
        pytest.param("25", 23, 6, id="a quarter of 23 is 5.75 so 6"),
        pytest.param("10", 23, 3, id="a tenth of 23 is 2.3 so 3"),
        pytest.param("60", 20, 12, id="an exact share is not rounded up further"),
        pytest.param("33.33", 3, 1, id="a share just under one is one"),
        pytest.param("0", 23, 0, id="none is none"),
    ],
)
def test_at_least_count_rounds_up(percent, total, count):
    assert at_least_count(D(percent), total) == count


# --- The worked scorecard of shared/examples (both cut-offs) --------------------------------

OBJECTIVES = ("OE1", "OE2", "OE3", "OE4")
PERSPECTIVES = {"GADP": ("OE1", "OE2"), "INST": ("OE3", "OE4")}


def _read(name):
    with open(EXAMPLE / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _number(text):
    return D(text) if text else None


def _example_rule(row):
    green, yellow = _number(row["umbral_verde"]), _number(row["umbral_amarillo"])
    return IndicatorRule(
        periodicity=row["periodicidad"],
        polarity=row["sentido"],
        accumulation=row["acumulacion"],
        window=row["ventana"] or "anual",
        calculation=row["calculo"],
        factor=_number(row["factor"]) or D(1),
        reference=row["referencia"] or "meta",
        baseline=_number(row["linea_base"]),
        bands=Bands(green, yellow) if green is not None else None,
    )


def _example_data():
    indicators = {row["codigo"]: row for row in _read("indicadores.csv")}
    observations = {code: {} for code in indicators}
    for row in _read("mediciones.csv"):
        observations[row["indicador"]][Period.parse(row["periodo"])] = Observation(
            _number(row["valor"]), _number(row["numerador"]), _number(row["denominador"])
        )
    goals = {code: {} for code in indicators}
    for row in _read("metas.csv"):
        goals[row["indicador"]][Period.parse(row["periodo"])] = Goal(D(row["meta"]))
    return indicators, observations, goals


def _json_number(number):
    return None if number is None else float(round_half_up(number))


def _node_json(code, result):
    return {
        "code": code,
        "achievement": _json_number(result.achievement),
        "status": result.status,
        "with_data": result.with_data,
        "total": result.total,
    }


def _example_scorecard(cutoff):
    indicators, observations, goals = _example_data()
    results = {
        code: evaluate_indicator(_example_rule(row), cutoff, observations[code], goals[code])
        for code, row in indicators.items()
    }
    objectives = {
        oe: roll_up([(r, 1) for c, r in results.items() if indicators[c]["objetivo"] == oe])
        for oe in OBJECTIVES
    }
    perspectives = {
        code: roll_up([(objectives[oe], 1) for oe in members])
        for code, members in PERSPECTIVES.items()
    }
    score = _node_json(None, roll_up([(p, 1) for p in perspectives.values()]))
    del score["code"]
    return {
        "plan": "CONGOPE-2017-2021",
        "period": cutoff,
        "score": score,
        "perspectives": [_node_json(c, r) for c, r in perspectives.items()],
        "objectives": [_node_json(c, r) for c, r in objectives.items()],
        "indicators": [
            {
                "code": code,
                "value": _json_number(r.value),
                "target": _json_number(r.target),
                "achievement": _json_number(r.achievement),
                "status": r.status,
            }
            for code, r in results.items()
        ],
    }


@pytest.mark.parametrize("cutoff", ["2018", "2018-T3"])
def test_worked_scorecard_example_is_reproduced(cutoff):
    expected = json.loads((EXAMPLE / "expected.json").read_text(encoding="utf-8"))[cutoff]
    assert _example_scorecard(cutoff) == expected


# --- Properties -----------------------------------------------------------------------------

amounts = st.decimals(min_value=-(10**6), max_value=10**6, places=3)
positive = st.decimals(min_value=0, max_value=10**6, places=3)
figures = st.none() | st.decimals(min_value=-1000, max_value=1000, places=4)
weights = st.integers(min_value=1, max_value=10)
RANK = {"rojo": 0, "amarillo": 1, "verde": 2}


@given(amounts, amounts, positive)
def test_higher_is_better_a_larger_value_never_lowers_achievement(a, b, target):
    low, high = sorted((a, b))
    assert achievement(low, target) <= achievement(high, target)


@given(amounts, amounts, positive)
def test_lower_is_better_a_larger_value_never_raises_achievement(a, b, target):
    low, high = sorted((a, b))
    assert achievement(high, target, polarity="decreciente") <= achievement(
        low, target, polarity="decreciente"
    )


@given(amounts, amounts, amounts, positive)
def test_gap_indicator_a_better_value_never_lowers_achievement(a, b, baseline, gap):
    low, high = sorted((a, b))
    up = {"reference": "brecha", "baseline": baseline}
    assert achievement(low, baseline + gap, **up) <= achievement(high, baseline + gap, **up)
    down = {**up, "polarity": "decreciente"}
    assert achievement(high, baseline - gap, **down) <= achievement(low, baseline - gap, **down)


@given(amounts, amounts, positive)
def test_a_larger_value_never_lowers_a_cumulative_indicator(a, b, target):
    low, high = sorted((a, b))
    cumulative = rule(QUARTERLY, accumulation="acumulado")
    goals = {"2019-T1": Goal(target), "2019-T2": Goal(target)}

    def evaluated(value):
        values = {"2019-T1": Observation(D(5)), "2019-T2": Observation(value)}
        return evaluate_indicator(cumulative, "2019-T2", values, goals).achievement

    assert evaluated(low) <= evaluated(high)


@given(figures, figures)
def test_a_higher_achievement_never_gets_a_worse_colour(a, b):
    if a is None or b is None:
        return
    low, high = sorted((a, b))
    assert RANK[status_for(low)] <= RANK[status_for(high)]


children_lists = st.lists(st.tuples(figures, weights, st.booleans()), max_size=12)


def _results(children):
    """(figure, weight, due) as indicator results; a due one without a figure is gris."""
    return [
        (IndicatorResult(status_for(f), achievement=f) if due else IndicatorResult(NOT_DUE), w)
        for f, w, due in children
    ]


@given(children_lists)
def test_roll_up_stays_within_0_and_100(children):
    result = roll_up(_results(children))
    assert result.with_data <= result.total
    if result.achievement is not None:
        assert 0 <= result.achievement <= 100


@given(children_lists)
def test_roll_up_lies_between_its_lowest_and_highest_capped_child(children):
    results = _results(children)
    capped = [min(max(r.achievement, 0), 100) for r, _ in results if r.achievement is not None]
    result = roll_up(results)
    if capped:
        assert min(capped) - D("1e-20") <= result.achievement <= max(capped) + D("1e-20")
    else:
        assert result.achievement is None
        assert result.status == ("gris" if result.total else "no_aplica")


@given(st.integers(min_value=-(10**9), max_value=10**9))
def test_a_half_cent_always_rounds_away_from_zero(cents):
    # cents / 100 ± 0.005 is exactly half way between two cents.
    number = D(cents).scaleb(-2) + (D("0.005") if cents >= 0 else D("-0.005"))
    assert abs(round_half_up(number)) == abs(number) + D("0.005")


@given(st.decimals(min_value=-(10**6), max_value=10**6, places=6))
def test_rounding_half_up_moves_a_figure_by_at_most_half_a_cent(number):
    shown = round_half_up(number)
    assert abs(shown - number) <= D("0.005")
    assert shown == shown.quantize(D("0.01"))
