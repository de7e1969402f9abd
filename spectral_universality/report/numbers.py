"""Numbers as a reader uses them: estimates rounded to their standard error, plain significant digits
elsewhere, p-values as numbers, fractions as counts ("3 of 8")."""

from __future__ import annotations

import math
import re
from typing import Any


def num(x: Any, sig: int = 4) -> str:
    """A value for the page: ``sig`` significant digits, exponents as ×10ⁿ, booleans as yes/no."""
    if x is None:
        return "—"
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, int):
        return str(x)
    if isinstance(x, float):
        if not math.isfinite(x):
            return {math.inf: "∞", -math.inf: "−∞"}.get(x, "NaN")
        if x == 0:
            return "0"
        if x == round(x) and abs(x) < 1e6:
            return str(int(round(x)))
        s = f"{x:.{sig}g}"
        if "e" in s:
            mant, exp = s.split("e")
            power = f"10<sup>{int(exp)}</sup>".replace("-", "−")
            return (f"{mant} × {power}" if mant not in ("1", "-1") else ("−" if mant == "-1" else "") + power) \
                .replace("-", "−")
        return s.replace("-", "−")
    return str(x)


def estimate(x: float, se: float) -> str:
    """``x ± se`` with ``x`` rounded to the first significant digit of ``se`` (two when it starts with 1)."""
    if not (isinstance(x, (int, float)) and isinstance(se, (int, float)) and math.isfinite(x) and math.isfinite(se)
            and se > 0):
        return f"{num(x)} ± {num(se)}"
    lead = int(math.floor(math.log10(se)))
    digits = -(lead - (1 if f"{se:e}".startswith("1") else 0))
    if digits <= 0:
        q = 10 ** (-digits)
        return f"{round(x / q) * q:.0f} ± {round(se / q) * q:.0f}".replace("-", "−")
    return f"{x:.{digits}f} ± {se:.{digits}f}".replace("-", "−")


def pvalue(p: float) -> str:
    """A p-value as a number: two significant digits, ``< 10⁻¹⁶`` below double precision."""
    if not isinstance(p, (int, float)) or not math.isfinite(p):
        return num(p)
    if p < 1e-16:
        return "&lt; 10<sup>−16</sup>"
    return num(float(p), 2)


def fraction(frac: float, n: int) -> str:
    """A fraction of ``n`` cases as "k of n"."""
    if not isinstance(frac, (int, float)) or not isinstance(n, int):
        return f"{num(frac)} of {num(n)}"
    return f"{round(frac * n)} of {n}"


_LONG_FLOAT = re.compile(r"(?<![\w.])(-?\d+\.\d{5,})(?![\w.])")
_FRACTION_OF = re.compile(r"\bin (0(?:\.\d+)?|1(?:\.0+)?) of (\d+)\b")


def tidy(text: str) -> str:
    """Verdict text with float noise removed: ``0.30510050156491897`` -> ``0.3051``, ``in 1.0 of 4`` -> ``in 4 of
    4``. Works on plain text (escape afterwards)."""
    text = _FRACTION_OF.sub(lambda m: f"in {round(float(m.group(1)) * int(m.group(2)))} of {m.group(2)}", text)
    return _LONG_FLOAT.sub(lambda m: f"{float(m.group(1)):.4g}", text)
