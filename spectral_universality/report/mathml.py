"""Mathematics for the report pages: SymPy expressions (or the strings the stages store) as presentation
MathML, which Chromium and Firefox render natively, each with its LaTeX as an annotation and on hover.

Nothing here calls a script or a font from outside the page; the LaTeX copy sits in the ``<annotation>`` of
each ``<math>`` element and in its ``title``.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from typing import Any

import sympy
from sympy.printing.mathml import mathml as _mathml

#: canonical parameter names of ``theory`` -> (MathML symbol name, LaTeX)
_NAMES: dict[str, tuple[str, str]] = {
    "alpha": ("alpha", r"\alpha"),
    "alpha_t": ("α̃", r"\tilde\alpha"),
    "lam": ("lambda", r"\lambda"),
    "lam1": ("lambda_1", r"\lambda_1"),
    "Lam": ("Λ", r"\Lambda"),
    "sigma": ("sigma", r"\sigma"),
    "mu": ("mu", r"\mu"),
    "beta1": ("beta_1", r"\beta_1"),
    "beta2": ("beta_2", r"\beta_2"),
    "eps": ("epsilon", r"\varepsilon"),
    "gamma": ("gamma", r"\gamma"),
    "e": ("e", "e"),
    "E": ("E", "E"),
    "r": ("r", "r"),
    "w": ("w", "w"),
    "x": ("x", "x"),
    "s": ("s", "s"),
    "k": ("k", "k"),
    "h": ("h", "h"),
}
_FUNCS = {"sqrt", "exp", "log", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh",
          "acosh", "atanh", "Abs", "Max", "Min", "Eq", "Piecewise", "pi", "oo", "zeta", "floor", "ceiling",
          "sign", "Derivative", "Subs", "And", "Or", "Not", "re", "im", "I", "Rational", "Integer", "Float", "Symbol"}
_IDENT = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")


def _locals(text: str) -> dict[str, sympy.Symbol]:
    """Every identifier of ``text`` that is not a SymPy function, as a plain Symbol (so ``E``, ``S``, ``N``,
    ``beta`` stay symbols)."""
    return {n: sympy.Symbol(n) for n in set(_IDENT.findall(text)) - _FUNCS}


@lru_cache(maxsize=512)
def parse(text: str) -> Any:
    """A stored expression string back into SymPy (identifiers as plain symbols)."""
    return sympy.sympify(text, locals=_locals(text))


def _renamed(expr: Any) -> tuple[Any, dict, dict]:
    """``expr`` with the canonical symbols renamed for MathML, and LaTeX's ``symbol_names``."""
    subs, latex_names = {}, {}
    for s in getattr(expr, "free_symbols", ()):
        mml, tex = _NAMES.get(s.name, (s.name, None))
        if mml != s.name:
            subs[s] = sympy.Symbol(mml)
        if tex is not None:
            latex_names[s] = tex
    return expr, subs, latex_names


def latex(expr: Any) -> str:
    """LaTeX of ``expr`` (a SymPy object or a stored string) with the report's symbol names."""
    if isinstance(expr, str):
        expr = parse(expr)
    expr, _, names = _renamed(expr)
    return sympy.latex(expr, symbol_names=names)


def _mrow(expr: Any) -> str:
    expr, subs, _ = _renamed(expr)
    shown = expr.xreplace(subs) if subs else expr
    return _mathml(shown, printer="presentation")


def _wrap(mrow: str, tex: str, display: bool = False) -> str:
    t = html.escape(tex, quote=True)
    disp = " display='block'" if display else ""
    return (f"<math{disp} title='{t}'><semantics><mrow>{mrow}</mrow>"
            f"<annotation encoding='application/x-tex'>{html.escape(tex)}</annotation></semantics></math>")


def math(expr: Any, display: bool = False) -> str:
    """``<math>`` for a SymPy object or a stored expression string, LaTeX in its annotation and title."""
    if isinstance(expr, str):
        expr = parse(expr)
    return _wrap(_mrow(expr), latex(expr), display)


_CMP = re.compile(r"\s*(<=|>=|==|!=|<|>)\s*")
_CMP_MML = {"<=": "&le;", ">=": "&ge;", "==": "=", "!=": "&ne;", "<": "&lt;", ">": "&gt;"}
_CMP_TEX = {"<=": r"\le", ">=": r"\ge", "==": "=", "!=": r"\ne", "<": "<", ">": ">"}


def condition(text: str) -> str:
    """A stored hypothesis such as ``0 <= mu < 1 and 0 < alpha*lam < 2*(1 + mu)`` (chained comparisons joined
    by ``and``) as one ``<math>`` element; text it cannot parse is returned escaped."""
    try:
        mrows, texs = [], []
        for clause in re.split(r"\s+and\s+", text.strip()):
            pieces = _CMP.split(clause)
            if len(pieces) < 3 or len(pieces) % 2 == 0:
                raise ValueError(clause)
            m, t = [], []
            for i, p in enumerate(pieces):
                if i % 2:
                    m.append(f"<mo>{_CMP_MML[p]}</mo>")
                    t.append(_CMP_TEX[p])
                else:
                    e = parse(p)
                    m.append(_mrow(e))
                    t.append(latex(e))
            mrows.append("".join(m))
            texs.append(" ".join(t))
        return _wrap("<mo>,</mo><mspace width='1em'/>".join(mrows), r",\quad ".join(texs))
    except (sympy.SympifyError, SyntaxError, TypeError, ValueError, KeyError):
        return f"<code>{html.escape(text)}</code>"


def equation(lhs: Any, rhs: Any, display: bool = False) -> str:
    """``lhs = rhs`` as one ``<math>`` element."""
    lhs, rhs = (parse(x) if isinstance(x, str) else x for x in (lhs, rhs))
    return _wrap(f"{_mrow(lhs)}<mo>=</mo>{_mrow(rhs)}", f"{latex(lhs)} = {latex(rhs)}", display)


def size(expr: Any) -> int:
    """Operation count, to decide whether a closed form is shown in full or by the equation it solves."""
    if isinstance(expr, str):
        expr = parse(expr)
    return int(sympy.count_ops(expr))


def symbol(name: str) -> str:
    """One canonical parameter (``alpha``, ``lam``, ...) as ``<math>``."""
    return math(sympy.Symbol(name))
