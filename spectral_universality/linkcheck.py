"""Building blocks of the registry's checks: a measured value with its standard error, and the
tolerance rule every Monte-Carlo comparison uses (derived from the standard error and a stated
false-alarm rate, never tuned)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

#: False-alarm rate of one Monte-Carlo comparison. A property test makes at most ~100 comparisons
#: (examples x assertions), so its false-alarm rate stays below 1e-6 as issue 5 asks.
FALSE_ALARM_PER_COMPARISON = 1e-8


def z_critical(rate: float = FALSE_ALARM_PER_COMPARISON) -> float:
    """Two-sided normal quantile: ``P(|Z| > z) = rate`` (5.73 for 1e-8)."""
    if not 0 < rate < 1:
        raise ValueError(f"rate must lie in (0, 1), got {rate}")
    return NormalDist().inv_cdf(1 - rate / 2)


@dataclass(frozen=True)
class Verdict:
    """Outcome of one check: did the conclusion hold, and the numbers that decided it."""

    holds: bool
    detail: str

    def __bool__(self) -> bool:  # pragma: no cover - convenience only
        return self.holds


def agrees(measured: float, se: float, expected: float, *, rel_fp: float = 1e-9,
           rate: float = FALSE_ALARM_PER_COMPARISON) -> Verdict:
    """``|measured - expected| <= z(rate) * se + rel_fp * |expected|`` (the second term: float rounding)."""
    tol = z_critical(rate) * se + rel_fp * abs(expected)
    diff = measured - expected
    ok = math.isfinite(measured) and abs(diff) <= tol
    return Verdict(ok, f"measured {measured:.6g} vs expected {expected:.6g}: |diff| {abs(diff):.3g} "
                       f"{'<=' if ok else '>'} tol {tol:.3g} (se {se:.3g})")
