"""SymPy <-> Lean terms for the closed-form ``def``s of ``lean/SpectralUniversality``.

Grammar (both directions): numerals, identifiers (unicode allowed: ``α σ μ``), unary minus, ``+ - * / ^``
(``^`` with numeral exponents), parentheses, type ascriptions ``(2 : ℝ)`` (read, ignored), ``Real.sqrt x``, and
applications ``f a b c`` of other defs, which :func:`from_lean` returns as unresolved SymPy function calls and
:func:`resolve_calls` expands.  Precedences follow Lean 4: ``+ -`` 65, ``* /`` 70, ``-x`` 75 (argument at 75,
so ``-a ^ 2 = -(a ^ 2)``), ``^`` 75 right-associative, application binds tightest.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Mapping

import sympy
from sympy import Expr

from spectral_universality.errors import InputError
from spectral_universality.theory.core import SYMBOLS

#: canonical SymPy name -> Lean identifier
LEAN_NAMES: dict[str, str] = {"alpha": "α", "sigma": "σ", "mu": "μ", "alpha_t": "αt", "lam": "lam",
                              "lam1": "lam1", "e": "e", "r": "r"}
_FROM_LEAN = {v: k for k, v in LEAN_NAMES.items()}

_ATOM, _APP, _POW, _NEG, _MUL, _ADD = 1024, 1023, 75, 75, 70, 65


def _paren(text: str, prec: int, need: int) -> str:
    return f"({text})" if prec < need else text


def to_lean(expr: Expr, names: Mapping[str, str] | None = None) -> str:
    """Print ``expr`` as a Lean term; ``names`` overrides :data:`LEAN_NAMES` (symbol name -> identifier).

    Raises InputError for anything outside the grammar (floats, ``exp``, ``Max``, fractional powers other than
    square roots).
    """
    table = {**LEAN_NAMES, **(names or {})}
    return _print(sympy.sympify(expr), table)[0]


def _print(ex: Expr, names: Mapping[str, str]) -> tuple[str, int]:
    if ex.is_Symbol:
        return names.get(ex.name, ex.name), _ATOM
    if ex.is_Integer:
        return (str(ex), _ATOM) if ex >= 0 else (f"-{-ex}", _NEG)
    if ex.is_Rational:
        text = f"{abs(ex.p)} / {ex.q}"
        return (text, _MUL) if ex > 0 else (f"-({text})", _NEG)
    if ex.is_Add:
        terms = ex.as_ordered_terms()
        out, prec = _print(terms[0], names)
        out = _paren(out, prec, _ADD)
        for term in terms[1:]:
            if term.could_extract_minus_sign():
                t, p = _print(-term, names)
                out += " - " + _paren(t, p, _ADD + 1)
            else:
                t, p = _print(term, names)
                out += " + " + _paren(t, p, _ADD + 1)
        return out, _ADD
    if ex.is_Mul or (ex.is_Pow and ex.exp.is_negative):
        if ex.could_extract_minus_sign():
            t, p = _print(-ex, names)
            return "-" + _paren(t, p, _NEG), _NEG
        num, den = sympy.fraction(ex)
        ns, np_ = _product(num, names)
        if den == 1:
            return ns, np_
        ds, dp = _product(den, names)
        return f"{_paren(ns, np_, _MUL)} / {_paren(ds, dp, _MUL + 1)}", _MUL
    if ex.is_Pow:
        base, exp = ex.as_base_exp()
        if exp == sympy.Rational(1, 2):
            b, p = _print(base, names)
            return f"Real.sqrt {_paren(b, p, _ATOM)}", _APP
        if exp.is_Integer and exp > 0:
            b, p = _print(base, names)
            return f"{_paren(b, p, _POW + 1)} ^ {exp}", _POW
        if exp.is_Rational and exp.q == 2 and exp > 0:
            return _print(sympy.Mul(sympy.sqrt(base), base ** ((exp.p - 1) // 2), evaluate=False), names)
        raise InputError(f"power {ex} has a non-numeral or fractional exponent; not in the Lean term grammar")
    if isinstance(ex, sympy.core.function.AppliedUndef):
        args = " ".join(_paren(*_print(a, names), _ATOM) for a in ex.args)
        return f"{ex.func.__name__} {args}", _APP
    raise InputError(f"{type(ex).__name__} is not expressible in the Lean closed-form grammar")


def _product(ex: Expr, names: Mapping[str, str]) -> tuple[str, int]:
    factors = sympy.Mul.make_args(ex)
    if len(factors) == 1:
        return _print(factors[0], names)
    parts = [_paren(*_print(f, names), _MUL + 1) for f in factors]
    return " * ".join(parts), _MUL


# ---------------------------------------------------------------------------------------------- parser
_TOKEN = re.compile(r"\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<id>[^\W\d][\w'.!?₀-₉]*)|(?P<op>[-+*/^():]))")


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise InputError(f"cannot read Lean term at {text[pos:pos + 20]!r} in {text!r}")
        kind = m.lastgroup
        tokens.append((kind, m.group(kind)))
        pos = m.end()
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.toks = _tokenize(text)
        self.i = 0

    def peek(self) -> tuple[str, str] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        tok = self.peek()
        if tok is None or (value is not None and tok[1] != value):
            raise InputError(f"expected {value or 'a term'} at token {self.i} of Lean term {self.text!r}")
        self.i += 1
        return tok

    def parse(self) -> Expr:
        ex = self.expr()
        if self.peek() is not None:
            raise InputError(f"unexpected {self.peek()[1]!r} in Lean term {self.text!r}")
        return ex

    def expr(self) -> Expr:
        ex = self.term()
        while self.peek() and self.peek()[1] in "+-" and self.peek()[0] == "op":
            op = self.take()[1]
            rhs = self.term()
            ex = ex + rhs if op == "+" else ex - rhs
        return ex

    def term(self) -> Expr:
        ex = self.unary()
        while self.peek() and self.peek()[0] == "op" and self.peek()[1] in "*/":
            op = self.take()[1]
            rhs = self.unary()
            ex = ex * rhs if op == "*" else ex / rhs
        return ex

    def unary(self) -> Expr:
        if self.peek() == ("op", "-"):
            self.take()
            return -self.unary()
        return self.power()

    def power(self) -> Expr:
        base = self.app()
        if self.peek() == ("op", "^"):
            self.take()
            return base ** self.unary()  # right-associative, exponent at precedence 75
        return base

    def _starts_atom(self) -> bool:
        tok = self.peek()
        return tok is not None and (tok[0] in ("num", "id") or tok == ("op", "("))

    def app(self) -> Expr:
        tok = self.peek()
        if tok is not None and tok[0] == "id":
            self.take()
            args = []
            while self._starts_atom():
                args.append(self.atom())
            if not args:
                return _identifier(tok[1])
            if tok[1] == "Real.sqrt" and len(args) == 1:
                return sympy.sqrt(args[0])
            return sympy.Function(tok[1])(*args)
        return self.atom()

    def atom(self) -> Expr:
        kind, value = self.take()
        if kind == "num":
            return sympy.Rational(value)
        if kind == "id":
            return _identifier(value)
        if value == "(":
            ex = self.expr()
            if self.peek() == ("op", ":"):  # type ascription (x : ℝ): skip the type
                depth = 0
                while not (self.peek() == ("op", ")") and depth == 0):
                    t = self.take()
                    depth += (t == ("op", "(")) - (t == ("op", ")"))
            self.take(")")
            return ex
        raise InputError(f"unexpected {value!r} in Lean term {self.text!r}")


def _identifier(name: str) -> Expr:
    canon = _FROM_LEAN.get(name, name)
    return SYMBOLS.get(canon, sympy.Symbol(canon))


def from_lean(term: str) -> Expr:
    """Parse a Lean term of the grammar above into SymPy (calls of other defs stay unresolved functions)."""
    return _Parser(term).parse()


_DEF = re.compile(r"^\s*(?:@\[[^\]]*\]\s*)?(?:(?:noncomputable|private|protected)\s+)*def\s+(?P<name>[^\s(:]+)"
                  r"\s*(?P<params>(?:\([^)]*\)\s*)*):\s*[^:=]+?\s*:=\s*(?P<body>.*)$")


def lean_defs(path: str | Path) -> dict[str, tuple[list[str], str]]:
    """Single-line closed-form ``def name (a b : F) (c : F) : F := body`` of a Lean file (or every ``.lean``
    file under a directory): ``{name: (params, body_text)}``.  A body on the line after ``:=`` is accepted."""
    path = Path(path)
    files = sorted(path.rglob("*.lean")) if path.is_dir() else [path]
    if not files or not all(f.is_file() for f in files):
        raise InputError(f"no Lean source at {path}")
    defs: dict[str, tuple[list[str], str]] = {}
    for f in files:
        lines = f.read_text(encoding="utf-8").splitlines()
        for i, line in enumerate(lines):
            m = _DEF.match(line)
            if not m:
                continue
            body = m.group("body").split("--")[0].strip()
            if not body and i + 1 < len(lines):
                body = lines[i + 1].split("--")[0].strip()
            params = [p for grp in re.findall(r"\(([^)]*)\)", m.group("params")) for p in grp.split(":")[0].split()]
            defs[m.group("name").split(".")[-1]] = (params, body)
    return defs


def resolve_calls(expr: Expr, defs: Mapping[str, tuple[list[str], str]], depth: int = 0) -> Expr:
    """Expand applications of known defs (recursively) by substituting arguments for parameters."""
    if depth > 20:
        raise InputError("Lean defs call each other more than 20 levels deep (cycle?)")
    calls = {c for c in expr.atoms(sympy.core.function.AppliedUndef) if c.func.__name__ in defs}
    if not calls:
        unknown = sorted({c.func.__name__ for c in expr.atoms(sympy.core.function.AppliedUndef)})
        if unknown:
            raise InputError(f"Lean term calls unknown def(s) {unknown}")
        return expr
    rep = {c: lean_def_expr(c.func.__name__, defs, list(c.args), depth + 1) for c in calls}
    return resolve_calls(expr.xreplace(rep), defs, depth + 1)


def lean_def_expr(name: str, defs: Mapping[str, tuple[list[str], str]], args: list[Expr] | None = None,
                  depth: int = 0) -> Expr:
    """The body of def ``name`` as SymPy, parameters replaced by ``args`` (positional) if given, calls resolved."""
    if name not in defs:
        raise InputError(f"Lean def {name!r} not found; have {sorted(defs)}")
    params, body = defs[name]
    ex = from_lean(body)
    if args is not None:
        if len(args) != len(params):
            raise InputError(f"{name} takes {len(params)} arguments {params}, got {len(args)}")
        ex = ex.xreplace({_identifier(p): a for p, a in zip(params, args)})
    return resolve_calls(ex, defs, depth)
